"""Services: scheduling, steering and reading tasks, and rejecting bad input."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant.const import DOMAIN
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, runtime, settle


async def test_schedule_in_runs_once_and_is_logged(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A task scheduled `in` a duration runs once at its time and is logged."""
    now = dt_util.utcnow()
    result = await call(
        hass, "schedule_task", {"prompt": "Check the oven", "in": {"minutes": 5}}
    )
    assert result["next_run"] == (now + timedelta(minutes=5)).isoformat()
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await settle(hass)
    assert [c.text for c in test_agent.calls] == ["Check the oven"]

    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert len(tasks) == 1
    assert tasks[0]["task_id"] == result["task_id"]
    assert tasks[0]["status"] == "succeeded"
    assert tasks[0]["last_status"] == "succeeded"
    assert tasks[0]["name"] == "Check the oven"

    executions = (await call(hass, "get_executions", {"task_id": result["task_id"]}))[
        "executions"
    ]
    assert len(executions) == 1
    assert executions[0]["status"] == "succeeded"
    assert executions[0]["response"] == "Done: Check the oven"
    assert executions[0]["source"] == "schedule"

    # Much later nothing runs again.
    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 1


async def test_schedule_at_local_time(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A naive `at` is read in Home Assistant's time zone."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    result = await call(
        hass,
        "schedule_task",
        {"prompt": "New year", "at": "2099-01-01 00:00:00", "name": "Party"},
    )
    assert result["next_run"] == "2098-12-31T23:00:00+00:00"
    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert tasks[0]["name"] == "Party"
    assert tasks[0]["kind"] == "once"
    assert tasks[0]["agent"] == test_agent.agent_id


async def test_schedule_cron_returns_next_run(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A cron task's first run is its next match in the local time zone."""
    await hass.config.async_set_time_zone("America/New_York")
    freezer.move_to("2026-11-28 12:00:00+00:00")  # 07:00 in New York, a Saturday
    result = await call(
        hass, "schedule_task", {"prompt": "Brief me", "cron": "30 7 * * 1-5"}
    )
    # Monday 07:30 EST is 12:30 UTC.
    assert result["next_run"] == "2026-11-30T12:30:00+00:00"
    task = (await call(hass, "list_tasks"))["tasks"][0]
    assert task["cron"] == "30 7 * * 1-5"
    assert task["time_zone"] == "America/New_York"


async def test_caller_becomes_the_user(
    hass: HomeAssistant, entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    """Without `user`, the task belongs to whoever called the service."""

    await hass.services.async_call(
        DOMAIN,
        "schedule_task",
        {"prompt": "Mine", "in": {"hours": 1}},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert (await call(hass, "list_tasks"))["tasks"][0]["user"] == hass_admin_user.id


BAD_REQUESTS: list[tuple[dict[str, Any], str]] = [
    ({"prompt": "   ", "in": {"minutes": 1}}, "prompt_empty"),
    ({"prompt": "x" * 8193, "in": {"minutes": 1}}, "prompt_too_long"),
    ({"prompt": "é" * 4097, "in": {"minutes": 1}}, "prompt_too_long"),
    ({"prompt": "hi"}, "schedule_missing"),
    ({"prompt": "hi", "in": {"minutes": 1}, "cron": "* * * * *"}, "schedule_conflict"),
    (
        {"prompt": "hi", "at": "2099-01-01 00:00", "in": {"minutes": 1}},
        "schedule_conflict",
    ),
    ({"prompt": "hi", "cron": "61 * * * *"}, "invalid_cron"),
    ({"prompt": "hi", "cron": "* * * *"}, "invalid_cron"),
    ({"prompt": "hi", "cron": "0 0 * * * *"}, "invalid_cron"),
    ({"prompt": "hi", "cron": "@daily"}, "invalid_cron"),
    ({"prompt": "hi", "cron": "0 0 30 2 *"}, "invalid_cron"),
    ({"prompt": "hi", "cron": "0 0 * * " + ",".join(["1"] * 500_000)}, "cron_too_long"),
    ({"prompt": "hi", "at": "2000-01-01 00:00:00"}, "at_in_past"),
    ({"prompt": "hi", "in": {"seconds": 0}}, "delay_not_positive"),
    (
        {"prompt": "hi", "in": {"minutes": 1}, "agent": "conversation.nobody"},
        "unknown_agent",
    ),
    ({"prompt": "hi", "in": {"minutes": 1}, "agent": "nobody"}, "unknown_agent"),
]


@pytest.mark.parametrize(("data", "key"), BAD_REQUESTS)
async def test_bad_schedule_is_rejected_and_writes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any], key: str
) -> None:
    """Each kind of bad input gets its translated error and stores nothing."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "schedule_task", data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    # The message is the translated text, not the key.
    assert key not in str(err.value)
    assert str(err.value)
    assert (await call(hass, "list_tasks"))["tasks"] == []


async def test_unknown_task_ids_are_rejected(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Steering a task that does not exist fails clearly."""
    for service, data in (
        ("cancel_task", {"task_id": "nope"}),
        ("run_task", {"task_id": "nope"}),
        ("set_task_enabled", {"task_id": "nope", "enabled": False}),
        ("get_executions", {"task_id": "nope"}),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, data)
        assert err.value.translation_key == "unknown_task"
        assert "nope" in str(err.value)


async def test_services_fail_clearly_when_not_loaded(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """After unload the services explain that the integration is not loaded."""
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_tasks")
    assert err.value.translation_key == "not_loaded"


async def test_cancel_task(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A cancelled task never runs; cancelling it again is refused."""
    task_id = (
        await call(hass, "schedule_task", {"prompt": "x", "in": {"minutes": 1}})
    )["task_id"]
    await call(hass, "cancel_task", {"task_id": task_id})
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await settle(hass)
    assert test_agent.calls == []
    assert (await call(hass, "list_tasks"))["tasks"][0]["status"] == "cancelled"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cancel_task", {"task_id": task_id})
    assert err.value.translation_key == "task_ended"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "run_task", {"task_id": task_id})
    assert err.value.translation_key == "task_not_runnable"
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "set_task_enabled", {"task_id": task_id, "enabled": True})
    assert err.value.translation_key == "task_ended"


async def test_run_task_now(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """run_task runs a cron task at once and keeps its schedule."""
    scheduled = await call(
        hass, "schedule_task", {"prompt": "Audit", "cron": "0 3 * * *"}
    )
    result = await call(hass, "run_task", {"task_id": scheduled["task_id"]})
    await settle(hass)
    assert [c.text for c in test_agent.calls] == ["Audit"]
    execution = (await call(hass, "get_executions"))["executions"][0]
    assert execution["execution_id"] == result["execution_id"]
    assert execution["source"] == "manual"
    task = (await call(hass, "list_tasks"))["tasks"][0]
    assert task["status"] == "scheduled"
    assert task["next_run"] == scheduled["next_run"]


async def test_run_one_off_early_consumes_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A one-off task run early does not run again at its time."""
    task_id = (await call(hass, "schedule_task", {"prompt": "x", "in": {"hours": 1}}))[
        "task_id"
    ]
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    freezer.tick(timedelta(hours=2))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 1


async def test_pause_and_resume_cron(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A paused cron task does not run; resumed, it skips what it missed."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-11-28 10:00:30+00:00")
    task_id = (
        await call(hass, "schedule_task", {"prompt": "tick", "cron": "* * * * *"})
    )["task_id"]
    paused = await call(
        hass, "set_task_enabled", {"task_id": task_id, "enabled": False}
    )
    assert paused["enabled"] is False
    for _ in range(5):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await settle(hass)
    assert test_agent.calls == []
    resumed = await call(
        hass, "set_task_enabled", {"task_id": task_id, "enabled": True}
    )
    assert resumed["next_run"] == "2026-11-28T10:06:00+00:00"
    freezer.move_to("2026-11-28 10:06:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 1


async def test_list_tasks_filters_by_status(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """list_tasks can return only some statuses."""
    keep = await call(hass, "schedule_task", {"prompt": "keep", "in": {"hours": 1}})
    drop = await call(hass, "schedule_task", {"prompt": "drop", "in": {"hours": 2}})
    await call(hass, "cancel_task", {"task_id": drop["task_id"]})
    scheduled = (await call(hass, "list_tasks", {"status": ["scheduled"]}))["tasks"]
    assert [t["task_id"] for t in scheduled] == [keep["task_id"]]
    everything = (await call(hass, "list_tasks"))["tasks"]
    assert [t["task_id"] for t in everything] == [keep["task_id"], drop["task_id"]]


async def test_get_executions_filters(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """get_executions filters by status and limits the count, newest first."""
    task_id = (await call(hass, "schedule_task", {"prompt": "x", "cron": "0 0 * * *"}))[
        "task_id"
    ]
    for _ in range(3):
        await call(hass, "run_task", {"task_id": task_id})
        await settle(hass)

    async def fail(_: Any) -> str:
        raise RuntimeError("boom")

    test_agent.behaviour = fail
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    latest = (await call(hass, "get_executions", {"limit": 2}))["executions"]
    assert [e["status"] for e in latest] == ["failed", "succeeded"]
    failed = (await call(hass, "get_executions", {"status": "failed"}))["executions"]
    assert len(failed) == 1
    assert failed[0]["error"] == "RuntimeError: boom"


async def test_store_failure_is_a_translated_error(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A database that cannot be written gives a clear error."""

    await runtime(entry).store.async_close()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "schedule_task", {"prompt": "x", "in": {"minutes": 1}})
    assert err.value.translation_key == "store_error"
    with pytest.raises(HomeAssistantError):
        await call(hass, "list_tasks")
