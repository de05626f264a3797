"""Editing a task: it keeps its id, owner and history; a bad change changes nothing."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant.const import DOMAIN
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .conftest import RecordingAgent, call, settle

START = "2026-06-15 10:00:00+00:00"


async def _task(hass: HomeAssistant, task_id: str) -> dict[str, Any]:
    tasks = (await call(hass, "list_tasks"))["tasks"]
    return next(t for t in tasks if t["task_id"] == task_id)


async def test_an_edit_keeps_the_id_and_the_history(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A daily task that ran once becomes a weekday one with a new prompt: same
    id, its run still in the log, the new schedule and prompt from then on."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(START)
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "Brief me", "name": "Briefing", "cron": "0 11 * * *"},
        )
    )["task_id"]
    freezer.move_to("2026-06-15 11:00:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    answer = await call(
        hass,
        "update_task",
        {"task_id": task_id, "prompt": "Brief me, briefly", "cron": "30 7 * * 1-5"},
    )
    assert answer == {
        "task_id": task_id,
        "next_run": "2026-06-16T07:30:00+00:00",
    }
    task = await _task(hass, task_id)
    assert (task["prompt"], task["cron"], task["name"]) == (
        "Brief me, briefly",
        "30 7 * * 1-5",
        "Briefing",
    )
    assert task["schedule_text"] == "At 07:30, Monday through Friday"
    runs = (await call(hass, "get_executions", {"task_id": task_id}))["executions"]
    assert [run["status"] for run in runs] == ["succeeded"]
    freezer.move_to("2026-06-16 07:30:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert [c.text for c in test_agent.calls] == ["Brief me", "Brief me, briefly"]


async def test_an_edit_without_a_schedule_keeps_it(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Renaming a one-off task leaves when it runs alone; a reminder stays one."""
    freezer.move_to(START)
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "Call mum", "action": "remind", "in": {"hours": 2}},
        )
    )["task_id"]
    before = await _task(hass, task_id)
    await call(
        hass,
        "update_task",
        {"task_id": task_id, "name": "Mum", "retry_attempts": 5},
    )
    after = await _task(hass, task_id)
    assert after["next_run"] == before["next_run"]
    assert (after["name"], after["action"], after["retry_attempts"]) == (
        "Mum",
        "remind",
        5,
    )


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"cron": "61 7 * * *"}, "invalid_cron"),
        ({"prompt": "  "}, "prompt_empty"),
        ({"in": {"hours": 1}, "cron": "0 7 * * *"}, "schedule_conflict"),
        ({"platform": "pigeon"}, "unknown_channel"),
        ({"user": "person.nobody"}, "unknown_user"),
    ],
)
async def test_a_bad_edit_changes_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    change: dict[str, Any],
    key: str,
) -> None:
    """The same translated errors as schedule_task; the task is as it was."""
    freezer.move_to(START)
    task_id = (await call(hass, "schedule_task", {"prompt": "p", "cron": "0 9 * * *"}))[
        "task_id"
    ]
    before = await _task(hass, task_id)
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_task", {"task_id": task_id, **change})
    assert raised.value.translation_key == key
    assert await _task(hass, task_id) == before


async def test_an_ended_task_or_another_users_cannot_be_edited(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: User,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A cancelled task has ended; somebody else's task does not exist for a
    user who is not an admin."""
    freezer.move_to(START)
    task_id = (await call(hass, "schedule_task", {"prompt": "p", "cron": "0 9 * * *"}))[
        "task_id"
    ]
    liz = await hass.auth.async_create_user("Liz", group_ids=["system-users"])
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "update_task",
            {"task_id": task_id, "prompt": "mine now"},
            blocking=True,
            context=Context(user_id=liz.id),
        )
    assert raised.value.translation_key == "unknown_task"
    await call(hass, "cancel_task", {"task_id": task_id})
    with pytest.raises(ServiceValidationError) as raised:
        await call(hass, "update_task", {"task_id": task_id, "prompt": "again"})
    assert raised.value.translation_key == "task_ended"


async def test_an_edit_by_an_admin_keeps_the_owner(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: User,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Liz's task edited by the admin is still Liz's."""
    freezer.move_to(START)
    liz = await hass.auth.async_create_user("Liz", group_ids=["system-users"])
    task_id = (
        await hass.services.async_call(
            DOMAIN,
            "schedule_task",
            {"prompt": "p", "cron": "0 9 * * *"},
            blocking=True,
            return_response=True,
            context=Context(user_id=liz.id),
        )
    )["task_id"]  # type: ignore[index]
    await hass.services.async_call(
        DOMAIN,
        "update_task",
        {"task_id": task_id, "prompt": "q"},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    task = await _task(hass, task_id)
    assert (task["owner"], task["prompt"]) == (liz.id, "q")
