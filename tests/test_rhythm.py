"""Routines keep their rhythm: anchored, stored, single flight, shown as it fires."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.dland_assistant.const import EVENT_EXECUTION_FINISHED
from custom_components.dland_assistant.heartbeat.builtin_routines import (
    builtin_subentries,
)
from custom_components.dland_assistant.heartbeat.rhythm import next_run_after
from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, add_subentry, call, runtime, settle, wait_until

START = "2026-11-30 06:00:00+00:00"


def _routine(persona: str, **data: Any) -> dict[str, Any]:
    return {
        "schedule": "interval",
        "interval": 60,
        "agent": persona,
        "prompt": "Check in at {{ now() }}",  # reads the clock: never "unchanged"
        "deliver": False,
        "enabled": True,
        **data,
    }


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass, dt_util.utcnow())
    await settle(hass)


async def _runs(hass: HomeAssistant, routine: str) -> list[dict[str, Any]]:
    response = await call(hass, "get_executions", {"routine": routine})
    return list(reversed(response["executions"]))


def _next_run(hass: HomeAssistant, entry: MockConfigEntry, routine_id: str) -> Any:
    return runtime(entry).heartbeats.next_run(routine_id)


async def _set(
    hass: HomeAssistant, entry: MockConfigEntry, routine_id: str, **data: Any
) -> None:
    subentry = entry.subentries[routine_id]
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, **data}
    )
    await settle(hass)


def _started(runs: list[dict[str, Any]]) -> list[datetime]:
    return [dt_util.parse_datetime(run["started"]) for run in runs]  # type: ignore[misc]


def _slow(agent: RecordingAgent) -> asyncio.Event:
    """Make the agent's runs wait until the returned event is set."""
    release = asyncio.Event()

    async def slow(_: conversation.ConversationInput) -> str:
        await release.wait()
        return "done"

    agent.behaviour = slow
    return release


async def _overlap_one_beat(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    agent: RecordingAgent,
    finished: list[Any],
) -> None:
    """Start the first run (a minute on), then let the next beat come during it:
    that beat ends at once, skipped."""
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass, dt_util.utcnow())
    await wait_until(hass, lambda: len(agent.calls) == 1)
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass, dt_util.utcnow())
    await wait_until(hass, lambda: len(finished) == 1)
    assert finished[0].data["status"] == "skipped"


async def test_another_routines_switch_does_not_move_the_beat(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Switching one routine off 15 minutes in leaves the other's hourly beat:
    it runs at 60 and 120 minutes, not 75."""
    freezer.move_to(START)
    start = dt_util.utcnow()
    hourly = add_subentry(hass, entry, "routine", "Hourly", _routine(persona))
    other = add_subentry(hass, entry, "routine", "Other", _routine(persona))
    await settle(hass)
    assert _next_run(hass, entry, hourly) == start + timedelta(hours=1)
    await _tick(hass, freezer, timedelta(minutes=15))
    await _set(hass, entry, other, enabled=False)
    assert _next_run(hass, entry, other) is None
    assert _next_run(hass, entry, hourly) == start + timedelta(hours=1)
    await _tick(hass, freezer, timedelta(minutes=45))
    await _tick(hass, freezer, timedelta(minutes=60))
    assert _started(await _runs(hass, "Hourly")) == [
        start + timedelta(hours=1),
        start + timedelta(hours=2),
    ]


async def test_the_beat_survives_a_reload_and_a_restart(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Anchor and next run are stored: a reload 20 minutes in and a restart (the
    entry set up again on the same database) keep the two-hourly beat."""
    freezer.move_to(START)
    start = dt_util.utcnow()
    routine = add_subentry(
        hass, entry, "routine", "Two-hourly", _routine(persona, interval=120)
    )
    await settle(hass)
    await _tick(hass, freezer, timedelta(minutes=20))
    assert await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert _next_run(hass, entry, routine) == start + timedelta(hours=2)
    await _tick(hass, freezer, timedelta(minutes=100))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await _tick(hass, freezer, timedelta(minutes=30))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert _next_run(hass, entry, routine) == start + timedelta(hours=4)
    await _tick(hass, freezer, timedelta(minutes=90))
    assert _started(await _runs(hass, "Two-hourly")) == [
        start + timedelta(hours=2),
        start + timedelta(hours=4),
    ]


@pytest.mark.parametrize(("policy", "runs_at_start"), [("run_once", 1), ("skip", 0)])
async def test_a_run_missed_while_down_follows_the_policy(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
    policy: str,
    runs_at_start: int,
) -> None:
    """Down for three beats: run_once runs once at start, skip not at all; both go
    on at the old beat."""
    freezer.move_to(START)
    start = dt_util.utcnow()
    routine = add_subentry(
        hass, entry, "routine", "Hourly", _routine(persona, missed_run_policy=policy)
    )
    await settle(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    freezer.tick(timedelta(hours=3, minutes=30))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    await _tick(hass, freezer, timedelta(seconds=1))
    assert len(await _runs(hass, "Hourly")) == runs_at_start
    assert _next_run(hass, entry, routine) == start + timedelta(hours=4)
    await _tick(hass, freezer, timedelta(minutes=30, seconds=-1))
    assert _started(await _runs(hass, "Hourly"))[-1] == start + timedelta(hours=4)


async def test_changing_its_own_schedule_anchors_anew(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A new interval counts from the edit; its prompt changing keeps the beat."""
    freezer.move_to(START)
    start = dt_util.utcnow()
    routine = add_subentry(hass, entry, "routine", "Hourly", _routine(persona))
    await settle(hass)
    await _tick(hass, freezer, timedelta(minutes=10))
    await _set(hass, entry, routine, prompt="Something else at {{ now() }}")
    assert _next_run(hass, entry, routine) == start + timedelta(hours=1)
    await _set(hass, entry, routine, interval=30)
    assert _next_run(hass, entry, routine) == start + timedelta(minutes=40)


async def test_the_shown_next_run_is_the_one_that_fires(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The switch shows the armed time; a run by hand does not move it, and the
    run comes exactly then."""
    freezer.move_to(START)
    start = dt_util.utcnow()
    add_subentry(hass, entry, "routine", "Minutely", _routine(persona, interval=1))
    await settle(hass)
    await _tick(hass, freezer, timedelta(seconds=30))
    await call(hass, "run_routine", {"routine": "Minutely"})
    await settle(hass)
    state = hass.states.get("switch.dland_assistant_minutely")
    assert state is not None
    shown = dt_util.parse_datetime(state.attributes["next_run"])
    assert shown == start + timedelta(minutes=1)
    await _tick(hass, freezer, timedelta(seconds=30))
    assert _started(await _runs(hass, "Minutely"))[-1] == shown


async def test_switch_card_and_calendar_show_the_armed_runs(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """After another routine's edit moved nothing, the switch, the card's view
    and the calendar all show the engine's times; runs in quiet hours are not
    shown as coming."""
    client = await hass_ws_client(hass)  # its token is of the real time
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(START)  # 07:00 in Berlin
    anchor = dt_util.utcnow()
    hourly = add_subentry(
        hass,
        entry,
        "routine",
        "Hourly",
        _routine(persona, quiet_start="09:30:00", quiet_end="11:30:00"),
    )
    other = add_subentry(hass, entry, "routine", "Other", _routine(persona))
    await settle(hass)
    await _tick(hass, freezer, timedelta(minutes=20))
    await _set(hass, entry, other, interval=30)
    armed = runtime(entry).heartbeats.next_run(hourly)
    assert armed == anchor + timedelta(hours=1)

    state = hass.states.get("switch.dland_assistant_hourly")
    assert state is not None
    assert dt_util.parse_datetime(state.attributes["next_run"]) == armed
    await client.send_json_auto_id({"type": "dland_assistant/subscribe"})
    assert (await client.receive_json())["success"]
    view = (await client.receive_json())["event"]
    [shown] = [r for r in view["routines"] if r["name"] == "Hourly"]
    assert dt_util.parse_datetime(shown["next_run"]) == armed

    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "start_date_time": dt_util.utcnow(),
            "end_date_time": dt_util.utcnow() + timedelta(hours=6),
        },
        target={"entity_id": "calendar.dland_assistant_runs"},
        blocking=True,
        return_response=True,
    )
    events = response["calendar.dland_assistant_runs"]["events"]
    hourly_starts = [
        dt_util.parse_datetime(e["start"]) for e in events if e["summary"] == "Hourly"
    ]
    # 08:00, 09:00, (10:00 and 11:00 are quiet), 12:00, 13:00 local.
    assert hourly_starts == [armed + timedelta(hours=n) for n in (0, 1, 4, 5)]
    await _tick(hass, freezer, armed - dt_util.utcnow())
    assert _started(await _runs(hass, "Hourly"))[-1] == armed


async def test_a_fresh_audit_shows_its_next_run(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A built-in routine shows when it runs next from the start."""
    [audit_data] = [s for s in builtin_subentries() if s["title"] == "Audit"]
    add_subentry(hass, entry, "routine", "Audit", dict(audit_data["data"]))
    await settle(hass)
    audit = next(s for s in entry.subentries.values() if s.title == "Audit")
    assert audit.data["enabled"]
    assert runtime(entry).heartbeats.next_run(audit.subentry_id) is not None
    state = hass.states.get("switch.dland_assistant_audit")
    assert state is not None
    assert state.attributes["next_run"] is not None


async def test_a_slow_run_is_never_doubled(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A one-minute routine whose run takes longer than a minute: the next beat is
    recorded as skipped and the agent is called once."""
    freezer.move_to(START)
    release = _slow(test_agent)
    finished = async_capture_events(hass, EVENT_EXECUTION_FINISHED)
    add_subentry(hass, entry, "routine", "Minutely", _routine(persona, interval=1))
    await settle(hass)
    # Not settle(): the first run is still going, on purpose.
    await _overlap_one_beat(hass, freezer, test_agent, finished)
    assert len(test_agent.calls) == 1
    release.set()
    await settle(hass)
    runs = await _runs(hass, "Minutely")
    assert [(run["status"], run["error"]) for run in runs] == [
        ("succeeded", None),
        ("skipped", "The previous run is still going"),
    ]
    await _tick(hass, freezer, timedelta(minutes=1))
    assert len(test_agent.calls) == 2


async def _slow_cron_task(
    hass: HomeAssistant, test_agent: RecordingAgent, policy: str
) -> tuple[str, asyncio.Event]:
    """A task due every minute whose first run waits for the returned event."""
    release = _slow(test_agent)
    created = await call(
        hass,
        "schedule_task",
        {"prompt": "Do it", "cron": "* * * * *", "missed_run_policy": policy},
    )
    return created["task_id"], release


async def _task_runs(hass: HomeAssistant, task_id: str) -> list[tuple[str, Any]]:
    response = await call(hass, "get_executions", {"task_id": task_id})
    return [(run["status"], run["error"]) for run in reversed(response["executions"])]


async def test_a_slow_cron_task_under_skip_records_the_overlap(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Skip policy: a time that comes while the previous run goes is recorded as
    skipped with the reason, at that time, and the agent is called once."""
    freezer.move_to("2026-11-30 06:00:00+00:00")
    task_id, release = await _slow_cron_task(hass, test_agent, "skip")
    finished = async_capture_events(hass, EVENT_EXECUTION_FINISHED)
    await _overlap_one_beat(hass, freezer, test_agent, finished)
    assert finished[0].data["task_id"] == task_id
    release.set()
    await settle(hass)
    assert len(test_agent.calls) == 1
    assert await _task_runs(hass, task_id) == [
        ("succeeded", None),
        ("skipped", "The previous run is still going"),
    ]
    await _tick(hass, freezer, timedelta(minutes=1))
    assert len(test_agent.calls) == 2  # back on its beat


async def test_a_slow_cron_task_under_run_once_queues_one_run(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """run_once: the times that came during a long run wait as one, which starts
    as soon as that run ends; the agent never runs twice at once."""
    freezer.move_to("2026-11-30 06:00:00+00:00")
    task_id, release = await _slow_cron_task(hass, test_agent, "run_once")
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass, dt_util.utcnow())
    await wait_until(hass, lambda: len(test_agent.calls) == 1)
    for _ in range(3):  # three more times pass while it runs
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass, dt_util.utcnow())
        await hass.async_block_till_done()
    assert len(test_agent.calls) == 1
    test_agent.behaviour = None
    release.set()
    await settle(hass)
    assert len(test_agent.calls) == 2
    assert test_agent.max_running == 1
    assert await _task_runs(hass, task_id) == [("succeeded", None)] * 2


@pytest.mark.parametrize(
    ("data", "after", "expected"),
    [
        # Interval: whole intervals from the anchor, never from "now".
        ({"interval": 60}, "2026-11-30 07:59:00", "2026-11-30 08:00:00"),
        ({"interval": 60}, "2026-11-30 08:00:00", "2026-11-30 09:00:00"),
        ({"interval": 60}, "2026-11-30 05:00:00", "2026-11-30 07:00:00"),
        # Daily at 02:30 in Berlin over the autumn night: once, at the first.
        (
            {"schedule": "daily", "time": "02:30:00"},
            "2026-10-24 23:00:00",
            "2026-10-25 00:30:00",
        ),
        # And in the spring gap: just past it (03:30 CEST).
        (
            {"schedule": "daily", "time": "02:30:00"},
            "2026-03-28 23:00:00",
            "2026-03-29 01:30:00",
        ),
    ],
)
def test_next_run_after(data: dict[str, Any], after: str, expected: str) -> None:
    """The rhythm's arithmetic, pinned."""
    anchor = dt_util.parse_datetime("2026-11-30 06:00:00+00:00")
    assert anchor is not None
    result = next_run_after(
        data,
        anchor,
        dt_util.parse_datetime(f"{after}+00:00"),  # type: ignore[arg-type]
        "Europe/Berlin",
    )
    assert result == dt_util.parse_datetime(f"{expected}+00:00")
