"""A run that fails for a person is reported to that person, once, with what and why."""

from datetime import timedelta
import sqlite3
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import CONF_DEFAULT_AGENT, DEFAULT_OPTIONS
from homeassistant.components import persistent_notification
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, add_phone_recipient, call, runtime, settle


@pytest.fixture
def dan(hass: HomeAssistant, hass_admin_user: Any) -> str:
    """A person linked to the admin user."""
    hass.states.async_set(
        "person.dan", "home", {"friendly_name": "Dan", "user_id": hass_admin_user.id}
    )
    return "person.dan"


async def _run(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Run a task tried once, so that its failure is final (test_retries has more)."""
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"cron": "0 0 1 1 *", "retry_attempts": 1, **data},
        )
    )["task_id"]
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    [execution] = (await call(hass, "get_executions", {"task_id": task_id}))[
        "executions"
    ]
    return execution


def _notifications(hass: HomeAssistant) -> list[tuple[str, str]]:
    return [
        (n["title"], n["message"])
        for n in persistent_notification._async_get_or_create_notifications(
            hass
        ).values()
    ]


async def test_a_failed_run_is_reported_on_the_persons_channel(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent, dan: str
) -> None:
    """The agent raises: Dan's phone gets one report naming the task and the cause."""
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()

    async def broken(_: Any) -> str:
        raise RuntimeError("the model server is down")

    test_agent.behaviour = broken
    execution = await _run(hass, name="Briefing", prompt="Brief me", user=dan)
    assert execution["status"] == "failed"
    assert [call.data for call in phone] == [
        {
            "title": "Task failed: Briefing",
            "message": "Task “Briefing” failed. RuntimeError: the model server is down",
        }
    ]


async def test_the_built_in_agent_not_understanding_is_refused_or_reported(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """The README's old briefing on Assist's built-in agent: refused when scheduled
    (it could never work); a wakeup of it fails, and the person is told so."""
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()
    briefing = {
        "prompt": "Give me a short briefing for the day.",
        "agent": "conversation.home_assistant",
        "user": dan,
    }
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "schedule_task", {"cron": "30 7 * * 1-5", **briefing})
    assert err.value.translation_key == "agent_cannot_understand"
    assert (await call(hass, "list_tasks"))["tasks"] == []
    await call(hass, "wakeup", briefing)
    await settle(hass)
    [execution] = (await call(hass, "get_executions"))["executions"]
    assert execution["status"] == "failed"
    [report] = phone
    assert report.data["title"] == "Task failed: Wakeup from service"
    assert "Agent error: no_intent_match" in report.data["message"]


async def test_commands_the_built_in_agent_knows_are_scheduled(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """ "Turn on the kitchen light" is a command it knows: scheduled as asked."""
    for component in ("homeassistant", "conversation", "intent", "light"):
        assert await async_setup_component(hass, component, {})
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen light"})
    async_expose_entity(hass, "conversation", "light.kitchen", True)
    task = await call(
        hass,
        "schedule_task",
        {
            "prompt": "turn on the kitchen light",
            "agent": "conversation.home_assistant",
            "in": {"hours": 1},
        },
    )
    assert task["task_id"]
    with pytest.raises(ServiceValidationError):
        await call(
            hass,
            "schedule_task",
            {
                "prompt": "turn on the attic light",
                "agent": "conversation.home_assistant",
                "in": {"hours": 1},
            },
        )


async def test_a_reminder_whose_channel_fails_is_reported_elsewhere(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """The phone refuses: the report goes to Home Assistant's notifications,
    since the phone would refuse it too."""
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()
    hass.services.async_remove("notify", "mobile_app_dans_phone")
    execution = await _run(
        hass, name="Call mum", prompt="Call mum", action="remind", user=dan
    )
    assert execution["status"] == "failed"
    assert phone == []
    [(title, message)] = _notifications(hass)
    assert title == "Reminder failed: Call mum"
    assert message.startswith("Reminder “Call mum” failed. Delivery failed:")


async def test_runs_meant_for_nobody_and_successes_are_not_reported(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent, dan: str
) -> None:
    """deliver off: the log has it, nobody is told; a success is just the answer."""
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()
    assert (await _run(hass, name="Quiet", prompt="x", user=dan))["status"] == (
        "succeeded"
    )

    async def broken(_: Any) -> str:
        raise RuntimeError("down")

    test_agent.behaviour = broken
    execution = await _run(hass, name="Log only", prompt="x", user=dan, deliver=False)
    assert execution["status"] == "failed"
    assert [call.data["title"] for call in phone] == ["Quiet"]


async def test_a_run_cut_off_by_a_crash_is_reported_at_the_next_start(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """Left in progress by a boot that died: marked abandoned and reported once."""
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()
    execution = await _run(hass, name="Briefing", prompt="x", user=dan)
    phone.clear()
    # What a crash mid-run leaves on disk: the run in progress, by another boot.
    store = runtime(entry).store

    def crash(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE executions SET status = 'in_progress', finished = NULL,"
            " boot_id = 'crashed' WHERE id = ?",
            (execution["execution_id"],),
        )
        conn.execute("UPDATE tasks SET status = 'running'")

    await store._write(crash)
    for _ in range(2):  # the second start finds nothing left to report
        assert await hass.config_entries.async_reload(entry.entry_id)
        await settle(hass)
    assert [call.data for call in phone] == [
        {
            "title": "Task was interrupted: Briefing",
            "message": "Task “Briefing” was interrupted. Interrupted: Home Assistant"
            " stopped during the run",
        }
    ]
    [after] = (await call(hass, "get_executions"))["executions"]
    assert after["status"] == "abandoned"


class TestOnTheBuiltInAgent:
    """A fresh install whose default agent is Assist's built-in one."""

    @pytest.fixture
    def entry_options(self, test_agent: RecordingAgent) -> dict[str, Any]:
        """The built-in agent as the default agent."""
        return {**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: "conversation.home_assistant"}

    async def test_a_timed_to_do_item_becomes_a_reminder(
        self, hass: HomeAssistant, entry: MockConfigEntry
    ) -> None:
        """ "Water the plants" at 18:00 cannot be acted on: it is a reminder."""
        due = dt_util.now().replace(microsecond=0) + timedelta(hours=2)
        await hass.services.async_call(
            "todo",
            "add_item",
            {"item": "Water the plants", "due_datetime": due},
            target={"entity_id": "todo.dland_assistant_pending_tasks"},
            blocking=True,
        )
        [task] = (await call(hass, "list_tasks"))["tasks"]
        assert (task["name"], task["action"]) == ("Water the plants", "remind")
