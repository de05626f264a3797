"""Mission Control entities: they show every task and run, and steer them."""

from datetime import timedelta
from typing import Any, ClassVar

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.calendar import MAX_UPCOMING_RUNS
from custom_components.dland_assistant.const import DOMAIN
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, add_subentry, call, settle

SENSOR = "sensor.dland_assistant_{}"


def _state(hass: HomeAssistant, entity_id: str) -> Any:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def _task_entity(hass: HomeAssistant, domain: str, task_id: str, what: str) -> str:
    registry = er.async_get(hass)
    entries = [
        e
        for e in registry.entities.values()
        if e.domain == domain and e.unique_id.endswith(f"task_{task_id}_{what}")
    ]
    assert len(entries) == 1, (domain, task_id, entries)
    return entries[0].entity_id


async def test_overview_sensors_follow_the_scheduler(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Next due, pending, running and failed update as tasks change and run."""
    assert _state(hass, SENSOR.format("tasks_pending")).state == "0"
    assert _state(hass, SENSOR.format("next_due_task")).state == STATE_UNKNOWN
    soon = await call(hass, "schedule_task", {"prompt": "tea", "in": {"minutes": 5}})
    await call(hass, "schedule_task", {"prompt": "later", "in": {"hours": 5}})
    await settle(hass)
    assert _state(hass, SENSOR.format("tasks_pending")).state == "2"
    next_due = _state(hass, SENSOR.format("next_due_task"))
    expected = dt_util.parse_datetime(soon["next_run"])
    assert expected is not None
    assert dt_util.parse_datetime(next_due.state) == expected.replace(microsecond=0)
    assert next_due.attributes["task_id"] == soon["task_id"]

    async def broken(_: Any) -> str:
        raise RuntimeError("down")

    test_agent.behaviour = broken
    await call(
        hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "x", "wait": True}
    )
    await settle(hass)
    assert _state(hass, SENSOR.format("failed_runs_24_h")).state == "1"
    assert _state(hass, SENSOR.format("runs_in_progress")).state == "0"


async def test_recurring_task_switch_and_button_come_and_go(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A cron task gets a switch and a run button; cancelling removes both."""
    created = await call(
        hass,
        "schedule_task",
        {"prompt": "brief me", "cron": "30 7 * * 1-5", "name": "Morning briefing"},
    )
    await settle(hass)
    task_id = created["task_id"]
    switch = _task_entity(hass, "switch", task_id, "enabled")
    button = _task_entity(hass, "button", task_id, "run")
    state = _state(hass, switch)
    assert state.state == STATE_ON
    assert state.name == "dland assistant Morning briefing"
    assert state.attributes["schedule"] == "cron 30 7 * * 1-5"
    assert state.attributes["last_status"] is None
    assert _state(hass, button).name == "dland assistant Run Morning briefing"

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    await settle(hass)
    assert _state(hass, switch).state == STATE_OFF
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert task["enabled"] is False
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    await settle(hass)
    assert [call.text for call in test_agent.calls] == ["brief me"]
    assert _state(hass, switch).attributes["last_status"] == "succeeded"

    await call(hass, "cancel_task", {"task_id": task_id})
    await settle(hass)
    assert hass.states.get(switch) is None
    assert hass.states.get(button) is None
    assert er.async_get(hass).async_get(switch) is None


async def test_stale_task_entities_are_removed_at_start(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A registry entry for a task that is gone is cleaned up on set-up."""
    registry = er.async_get(hass)
    stale = registry.async_get_or_create(
        "switch",
        DOMAIN,
        f"{entry.entry_id}_task_GONE_enabled",
        config_entry=entry,
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(stale.entity_id) is None


async def test_routine_switch_and_button(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
) -> None:
    """Each routine has a switch (its enabled flag) and a run-now button."""
    add_subentry(
        hass,
        entry,
        "routine",
        "Tidy-up",
        {
            "schedule": "daily",
            "time": "09:00:00",
            "agent": persona,
            "prompt": "What needs tidying?",
            "enabled": True,
            "deliver": False,
        },
    )
    await settle(hass)
    switch = "switch.dland_assistant_tidy_up"
    button = "button.dland_assistant_run_tidy_up"
    assert _state(hass, switch).attributes["schedule"] == "daily at 09:00:00"
    assert _state(hass, switch).attributes["next_run"] is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    await settle(hass)
    assert [c.text for c in test_agent.calls] == ["What needs tidying?"]
    assert _state(hass, switch).attributes["last_status"] == "succeeded"

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    await settle(hass)
    assert _state(hass, switch).state == STATE_OFF
    routine = next(s for s in entry.subentries.values() if s.title == "Tidy-up")
    assert routine.data["enabled"] is False
    assert _state(hass, switch).attributes["next_run"] is None

    hass.config_entries.async_remove_subentry(entry, routine.subentry_id)
    await settle(hass)
    assert hass.states.get(switch) is None


async def test_calendar_shows_upcoming_and_past_runs(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Cron runs are expanded over the window; past runs carry their outcome."""
    freezer.move_to("2026-11-30 06:00:00+00:00")  # a Monday
    await call(
        hass,
        "schedule_task",
        {"prompt": "water", "cron": "0 */6 * * *", "name": "Water plants"},
    )
    await call(
        hass,
        "wakeup",
        {"agent": test_agent.agent_id, "prompt": "now", "wait": True},
    )
    await settle(hass)
    start = dt_util.utcnow() - timedelta(hours=1)
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": start, "end_date_time": start + timedelta(hours=25)},
        target={"entity_id": "calendar.dland_assistant_runs"},
        blocking=True,
        return_response=True,
    )
    events = response["calendar.dland_assistant_runs"]["events"]
    summaries = [event["summary"] for event in events]
    assert summaries == ["Wakeup (service): succeeded"] + ["Water plants"] * 4
    state = _state(hass, "calendar.dland_assistant_runs")
    assert state.attributes["message"] == "Water plants"


async def test_calendar_expansion_is_bounded_per_request(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A year's window of every-minute tasks gives MAX_UPCOMING_RUNS runs, in order,
    from the window's start: the request costs what it returns.
    """
    freezer.move_to("2026-11-30 06:00:30+00:00")
    for name in ("Tick", "Tock"):
        await call(
            hass, "schedule_task", {"prompt": name, "cron": "* * * * *", "name": name}
        )
    await settle(hass)
    start = dt_util.utcnow() + timedelta(hours=1)
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {"start_date_time": start, "end_date_time": start + timedelta(days=365)},
        target={"entity_id": "calendar.dland_assistant_runs"},
        blocking=True,
        return_response=True,
    )
    events = response["calendar.dland_assistant_runs"]["events"]
    assert len(events) == MAX_UPCOMING_RUNS
    starts = [dt_util.parse_datetime(event["start"]) for event in events]
    assert starts == sorted(starts)
    # One task's runs fill the bound, minute by minute from the start.
    assert len({event["summary"] for event in events}) == 1
    assert starts[0] == start.replace(second=0) + timedelta(minutes=1)
    assert starts[-1] - starts[0] == timedelta(minutes=MAX_UPCOMING_RUNS - 1)


async def test_pending_tasks_todo_list(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Adding an item with a due time schedules a task; deleting cancels it."""
    due = dt_util.now() + timedelta(hours=2)
    await hass.services.async_call(
        "todo",
        "add_item",
        {"item": "Call mum", "due_datetime": due.replace(microsecond=0)},
        target={"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
    )
    await settle(hass)
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert (task["name"], task["prompt"], task["agent_id"]) == (
        "Call mum",
        "Call mum",
        test_agent.agent_id,
    )
    assert _state(hass, "todo.dland_assistant_pending_tasks").state == "1"
    items = await hass.services.async_call(
        "todo",
        "get_items",
        {},
        target={"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
        return_response=True,
    )
    [item] = items["todo.dland_assistant_pending_tasks"]["items"]
    assert item["uid"] == task["task_id"]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "todo",
            "add_item",
            {"item": "No time given"},
            target={"entity_id": "todo.dland_assistant_pending_tasks"},
            blocking=True,
        )
    assert err.value.translation_key == "due_time_required"
    await hass.services.async_call(
        "todo",
        "remove_item",
        {"item": "Call mum"},
        target={"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
    )
    await settle(hass)
    [cancelled] = (await call(hass, "list_tasks"))["tasks"]
    assert cancelled["status"] == "cancelled"
    assert _state(hass, "todo.dland_assistant_pending_tasks").state == "0"


async def test_event_entity_fires_on_every_finished_run(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """The event entity's type is the run's outcome; its data names the task."""
    entity_id = "event.dland_assistant_execution_finished"
    assert "timed_out" in _state(hass, entity_id).attributes["event_types"]
    await call(
        hass,
        "wakeup",
        {"agent": test_agent.agent_id, "prompt": "hello", "wait": True},
    )
    await settle(hass)
    state = _state(hass, entity_id)
    assert state.attributes["event_type"] == "succeeded"
    assert state.attributes["task_name"] == "Wakeup from service"


async def test_logbook_describes_runs(hass: HomeAssistant) -> None:
    """Execution events appear in the logbook with the task and outcome."""
    from custom_components.dland_assistant import logbook

    described: dict[str, Any] = {}
    logbook.async_describe_events(
        hass, lambda domain, event, describe: described.__setitem__(event, describe)
    )

    class _Event:
        data: ClassVar[dict[str, str]] = {
            "task_name": "Water plants",
            "status": "timed_out",
            "error": "slow",
        }

    finished = described["dland_assistant_execution_finished"]
    # Every user reads the logbook: the outcome, not the error (it may quote text).
    assert finished(_Event()) == {"name": "Water plants", "message": "timed out"}
    started = described["dland_assistant_execution_started"]
    assert started(_Event()) == {"name": "Water plants", "message": "started"}
