"""The runs calendar: upcoming runs expanded, past runs with their outcome."""

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.dland_assistant.calendar import MAX_UPCOMING_RUNS
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, entity_state, platform_snapshot, settle


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
    state = entity_state(hass, "calendar.dland_assistant_runs")
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


async def test_calendar_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The runs calendar, its next event the soonest run."""
    assert platform_snapshot(hass, mission_control, "calendar") == snapshot
