"""A real hass on a shifted clock: downtime and daylight-saving changes.

The process runs under libfaketime (clock.py). Runs are observed live: the clock is
put a few seconds before an expected firing and real time carries the process over
it, so a run is the scheduler's timer firing, not a catch-up. Every poll is an HTTP
request, which also wakes the event loop after a jump.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .clock import ShiftedClock
from .clock_tools import (
    executions_of,
    service,
    set_time_zone,
    tasks_by_id,
    utc,
)
from .harness import HassProcess, wait_for

pytestmark = pytest.mark.e2e

SLOW_AGENT = "e2e_slow_agent:\n  delay: 0.2\n"
# How late a live run may start: 2 cores shared with other hass processes.
TOLERANCE = timedelta(seconds=2)
# How far before a firing the clock is put; stale timers fire and re-arm first.
LEAD = timedelta(seconds=3)


def at_utc(text: str) -> datetime:
    """An instant written in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: str, fold: int = 0) -> datetime:
    """An instant written as a wall time in a zone."""
    wall = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone), fold=fold)
    return wall.astimezone(UTC)


def start(hass: HassProcess) -> None:
    hass.start()
    hass.wait_for_integration()


def schedule(hass: HassProcess, agent: str, name: str, **fields: Any) -> str:
    body = service(
        hass,
        "schedule_task",
        {"agent": agent, "prompt": f"say {name}", "name": name, **fields},
    )
    task_id: str = body["task_id"]
    return task_id


def run_times(hass: HassProcess, ids: dict[str, str]) -> dict[str, list[datetime]]:
    """Return the start of every execution of each named task."""
    per_task = executions_of(hass)
    return {
        name: [utc(e["started"]) for e in per_task.get(task_id, [])]
        for name, task_id in ids.items()
    }


def finished(hass: HassProcess, clock: ShiftedClock) -> bool:
    """Nothing in progress, and nothing due waiting for a free run slot."""
    body = service(hass, "get_executions", {"status": "in_progress"})
    if body["executions"]:
        return False
    now = clock.now()
    return not [
        task
        for task in service(hass, "list_tasks", {"status": ["scheduled", "running"]})[
            "tasks"
        ]
        if task["status"] == "running"
        or (task["enabled"] and task["next_run"] and utc(task["next_run"]) <= now)
    ]


def pass_through(
    hass: HassProcess,
    clock: ShiftedClock,
    ids: dict[str, str],
    instant: datetime,
    firing: set[str],
) -> dict[str, list[datetime]]:
    """Carry the process over ``instant`` live; check exactly ``firing`` ran there.

    Returns the executions of every task afterwards.
    """
    before = run_times(hass, ids)
    clock.move_to(instant - LEAD)

    def armed() -> bool:
        tasks = tasks_by_id(hass)
        return all(utc(tasks[ids[name]]["next_run"]) == instant for name in firing)

    wait_for(armed, 10, f"{sorted(firing)} armed for {instant}")
    assert clock.now() < instant, "too slow to arm before the firing; rerun"

    def ran() -> dict[str, list[datetime]] | None:
        # The runs due at the instant are claimed together, so once the expected
        # ones are in, any other would be too; with none expected, wait out the
        # tolerance.
        if not firing and clock.now() < instant + TOLERANCE + timedelta(seconds=0.5):
            return None
        if clock.now() < instant or not finished(hass, clock):
            return None
        runs = run_times(hass, ids)
        if any(len(runs[name]) == len(before[name]) for name in firing):
            return None
        return runs

    after: dict[str, list[datetime]] = wait_for(ran, 20, f"runs at {instant}")
    for name in ids:
        new = after[name][len(before[name]) :]
        assert after[name][: len(before[name])] == before[name], name
        if name in firing:
            assert len(new) == 1, (name, instant, new)
            late = new[0] - instant
            print(f"{name} at {instant:%Y-%m-%d %H:%M} UTC: started {late} late")
            assert timedelta(0) <= late <= TOLERANCE, (name, instant, late)
        else:
            assert new == [], (name, instant, new)
    return after


def test_downtime_follows_missed_run_policies_without_a_burst(
    hass_process: Callable[..., HassProcess], tmp_path: Path
) -> None:
    """Two 3-hour outages (SIGTERM, then SIGKILL) across one-off and cron due times.

    run_once: one run right after the start, however many times were missed; skip:
    none (a one-off becomes missed, a cron task moves on); the next times are the
    first cron times after the restart, and they and a task due after the outage
    run on time.
    """
    clock = ShiftedClock(tmp_path / "faketime", 0)
    clock.move_to(local("2027-01-11 09:52:00", "Europe/Berlin"))
    hass = clock.attach(hass_process(SLOW_AGENT))
    hass.start_onboarded(long_lived_token=True)
    slow = hass.config_entry_id("e2e_slow_agent")

    def task(name: str, policy: str, **when: Any) -> str:
        return schedule(hass, slow, name, missed_run_policy=policy, **when)

    in_outage = local("2027-01-11 10:30:00", "Europe/Berlin").isoformat()
    ids = {
        "once_run_once": task("once_run_once", "run_once", at=in_outage),
        "once_skip": task("once_skip", "skip", at=in_outage),
        "quarter_run_once": task("quarter_run_once", "run_once", cron="*/15 * * * *"),
        "quarter_skip": task("quarter_skip", "skip", cron="*/15 * * * *"),
        "hourly_run_once": task("hourly_run_once", "run_once", cron="0 * * * *"),
        "hourly_skip": task("hourly_skip", "skip", cron="0 * * * *"),
        "after_outage": task(
            "after_outage",
            "skip",
            at=local("2027-01-11 13:00:00", "Europe/Berlin").isoformat(),
        ),
    }
    tasks = tasks_by_id(hass)
    # The cron tasks' first time, 10:00, falls in the outage.
    for name in ("quarter_run_once", "quarter_skip", "hourly_run_once", "hourly_skip"):
        assert utc(tasks[ids[name]]["next_run"]) == local(
            "2027-01-11 10:00:00", "Europe/Berlin"
        )
    cron_names = ("quarter_run_once", "quarter_skip", "hourly_run_once", "hourly_skip")

    def check_outage(
        restart: datetime,
        ready: datetime,
        runners: set[str],
        missed: set[str],
        quarter_next: datetime,
        hourly_next: datetime,
        runs_before: dict[str, list[datetime]],
    ) -> dict[str, list[datetime]]:
        """The state right after a restart that followed an outage."""
        wait_for(lambda: finished(hass, clock), 20, "the catch-up runs to finish")
        runs = run_times(hass, ids)
        new = {name: runs[name][len(runs_before[name]) :] for name in ids}
        # Only the runners ran, once each, right after the start: no burst.
        print(f"restart {restart:%H:%M:%S}, ready after {ready - restart}")
        for name in ids:
            if name in runners:
                assert len(new[name]) == 1, (name, new[name])
                print(f"{name}: 1 run, {new[name][0] - restart} after the restart")
                assert restart <= new[name][0] <= ready + TOLERANCE, (name, new[name])
            else:
                assert new[name] == [], (name, new[name])
        tasks = tasks_by_id(hass)
        for name in runners - set(cron_names):
            assert tasks[ids[name]]["status"] == "succeeded", name
        for name in missed:
            assert tasks[ids[name]]["status"] == "missed", name
            assert tasks[ids[name]]["last_run"] is None, name
        for name in cron_names:
            assert tasks[ids[name]]["status"] == "scheduled", name
            want = quarter_next if name.startswith("quarter") else hourly_next
            assert utc(tasks[ids[name]]["next_run"]) == want, name
        statuses = {e["status"] for runs in executions_of(hass).values() for e in runs}
        assert statuses == {"succeeded"}  # nothing abandoned, nothing twice
        return runs

    # Outage 1: a graceful stop at 09:52 local, back three hours later.
    no_runs: dict[str, list[datetime]] = {name: [] for name in ids}
    assert run_times(hass, ids) == no_runs
    hass.stop()
    clock.advance(timedelta(hours=3))
    restart = clock.now()
    start(hass)
    ready = clock.now()
    # 12:52: the last missed quarter (12:45) is later than the 5-minute grace.
    assert local("2027-01-11 12:51:00", "Europe/Berlin") < restart
    assert ready < local("2027-01-11 12:59:00", "Europe/Berlin")
    thirteen = local("2027-01-11 13:00:00", "Europe/Berlin")
    runs = check_outage(
        restart,
        ready,
        runners={"once_run_once", "quarter_run_once", "hourly_run_once"},
        missed={"once_skip"},
        quarter_next=thirteen,
        hourly_next=thirteen,
        runs_before=no_runs,
    )

    # 13:00: every cron task, skip ones included, and the task due after the outage
    # run on time.
    runs = pass_through(hass, clock, ids, thirteen, {*cron_names, "after_outage"})
    assert tasks_by_id(hass)[ids["after_outage"]]["status"] == "succeeded"

    # Outage 2: SIGKILL at 13:07 local, back three hours later (16:07).
    fourteen = local("2027-01-11 14:00:00", "Europe/Berlin").isoformat()
    ids["once2_run_once"] = task("once2_run_once", "run_once", at=fourteen)
    ids["once2_skip"] = task("once2_skip", "skip", at=fourteen)
    runs["once2_run_once"] = runs["once2_skip"] = []
    clock.move_to(local("2027-01-11 13:07:00", "Europe/Berlin"))
    assert finished(hass, clock)
    hass.kill()
    clock.advance(timedelta(hours=3))
    restart = clock.now()
    start(hass)
    ready = clock.now()
    assert ready < local("2027-01-11 16:14:00", "Europe/Berlin")
    runs = check_outage(
        restart,
        ready,
        runners={"once2_run_once", "quarter_run_once", "hourly_run_once"},
        missed={"once2_skip"},
        quarter_next=local("2027-01-11 16:15:00", "Europe/Berlin"),
        hourly_next=local("2027-01-11 17:00:00", "Europe/Berlin"),
        runs_before=runs,
    )

    # Outage 3: stopped from 16:07 to just after 18:00. The cron tasks missed
    # 16:15 ... 18:00, but 18:00 itself is only seconds late, within the grace: it
    # runs normally, for skip tasks too; the older times coalesce into it.
    hass.stop()
    clock.move_to(local("2027-01-11 18:00:00", "Europe/Berlin"))
    restart = clock.now()
    start(hass)
    ready = clock.now()
    assert ready < local("2027-01-11 18:04:00", "Europe/Berlin")
    runs = check_outage(
        restart,
        ready,
        runners=set(cron_names),
        missed=set(),
        quarter_next=local("2027-01-11 18:15:00", "Europe/Berlin"),
        hourly_next=local("2027-01-11 19:00:00", "Europe/Berlin"),
        runs_before=runs,
    )
    # The whole story, per task: 12 missed quarters became one run each time.
    assert {name: len(times) for name, times in runs.items()} == {
        "once_run_once": 1,
        "once_skip": 0,
        "quarter_run_once": 4,
        "quarter_skip": 2,
        "hourly_run_once": 4,
        "hourly_skip": 2,
        "after_outage": 1,
        "once2_run_once": 1,
        "once2_skip": 0,
    }
    assert "ERROR (MainThread) [custom_components.dland_assistant" not in hass.log


# Cron tasks across spring and autumn changes: (name, zone, cron).
DST_TASKS = [
    ("ny_0230", "America/New_York", "30 2 * * *"),
    ("ny_0130", "America/New_York", "30 1 * * *"),
    ("berlin_0230", "Europe/Berlin", "30 2 * * *"),
    ("berlin_hourly", "Europe/Berlin", "0 0-5 * * *"),
    ("lord_howe_0145", "Australia/Lord_Howe", "45 1 * * *"),
    ("lord_howe_0215", "Australia/Lord_Howe", "15 2 * * *"),
    ("lord_howe_hourly", "Australia/Lord_Howe", "0 0-4 * * *"),
]
# Where the clock is carried through, in order, and what must fire there. The
# hourly tasks cover a few hours around the change only, so that they never share
# an instant with another zone's task.
NY, BER, LH = "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"
DST_PASSES: list[tuple[datetime, set[str]]] = [
    # New York springs forward on 14 March, 02:00 -> 03:00: 02:30 runs at 03:30.
    (local("2027-03-14 03:30", NY), {"ny_0230"}),
    # Berlin, 28 March, 02:00 -> 03:00: 02:00 runs at 03:00, once with 03:00 itself.
    (local("2027-03-28 03:00", BER), {"berlin_hourly"}),
    # 02:30 runs at 03:30.
    (local("2027-03-28 03:30", BER), {"berlin_0230"}),
    (local("2027-03-28 04:00", BER), {"berlin_hourly"}),
    # Lord Howe falls back half an hour on 4 April, 02:00 -> 01:30: 01:45 happens
    # twice and runs at its first occurrence only.
    (local("2027-04-04 01:45", LH), {"lord_howe_0145"}),
    (local("2027-04-04 01:45", LH, fold=1), set()),
    (local("2027-04-04 02:00", LH), {"lord_howe_hourly"}),
    # Lord Howe springs forward half an hour on 3 October, 02:00 -> 02:30: 02:00
    # runs at 02:30, 02:15 at 02:45, then 03:00 as usual.
    (local("2027-10-03 02:30", LH), {"lord_howe_hourly"}),
    (local("2027-10-03 02:45", LH), {"lord_howe_0215"}),
    (local("2027-10-03 03:00", LH), {"lord_howe_hourly"}),
    # Berlin falls back on 31 October, 03:00 -> 02:00: 02:00 and 02:30 happen twice
    # and run the first time only.
    (local("2027-10-31 02:00", BER), {"berlin_hourly"}),
    (local("2027-10-31 02:30", BER), {"berlin_0230"}),
    (local("2027-10-31 02:00", BER, fold=1), set()),
    (local("2027-10-31 02:30", BER, fold=1), set()),
    (local("2027-10-31 03:00", BER), {"berlin_hourly"}),
    # New York falls back on 7 November, 02:00 -> 01:00: 01:30 runs once.
    (local("2027-11-07 01:30", NY), {"ny_0130"}),
    (local("2027-11-07 01:30", NY, fold=1), set()),
]


def test_cron_fires_once_per_local_time_across_dst_in_three_zones(
    hass_process: Callable[..., HassProcess], tmp_path: Path
) -> None:
    """Daily and hourly cron tasks in New York, Berlin and Lord Howe, March to
    November 2027: each intended local time runs exactly once, live and on time; a
    skipped time runs just after the gap, a repeated one at its first occurrence.
    """
    clock = ShiftedClock(tmp_path / "faketime", 0)
    clock.move_to(at_utc("2027-03-14 05:00:00"))
    hass = clock.attach(hass_process(SLOW_AGENT))
    hass.start_onboarded(long_lived_token=True)
    slow = hass.config_entry_id("e2e_slow_agent")
    # Keep every execution of the eight months (the default keeps 30 days).
    hass.set_options(retention_days=3650)
    # A task keeps the time zone Home Assistant had when it was scheduled.
    ids: dict[str, str] = {}
    for zone in (NY, BER, LH):
        set_time_zone(hass, zone)
        for name, task_zone, cron in DST_TASKS:
            if task_zone == zone:
                ids[name] = schedule(
                    hass, slow, name, cron=cron, missed_run_policy="skip"
                )
    set_time_zone(hass, BER)
    tasks = tasks_by_id(hass)
    assert {name: tasks[ids[name]]["time_zone"] for name in ids} == {
        name: zone for name, zone, _ in DST_TASKS
    }

    expected: dict[str, list[datetime]] = {name: [] for name in ids}
    for instant, firing in DST_PASSES:
        runs = pass_through(hass, clock, ids, instant, firing)
        for name in firing:
            expected[name].append(instant)
        assert {n: len(r) for n, r in runs.items()} == {
            n: len(e) for n, e in expected.items()
        }

    # Each task's runs, as local wall times.
    zones = {name: ZoneInfo(zone) for name, zone, _ in DST_TASKS}
    walls = {
        name: [
            # On the minute: every run started within TOLERANCE of its instant.
            t.astimezone(zones[name]).replace(second=0, microsecond=0).isoformat()
            for t in times
        ]
        for name, times in runs.items()
    }
    assert walls == {
        "ny_0230": ["2027-03-14T03:30:00-04:00"],
        "ny_0130": ["2027-11-07T01:30:00-04:00"],
        "berlin_0230": ["2027-03-28T03:30:00+02:00", "2027-10-31T02:30:00+02:00"],
        "berlin_hourly": [
            "2027-03-28T03:00:00+02:00",
            "2027-03-28T04:00:00+02:00",
            "2027-10-31T02:00:00+02:00",
            "2027-10-31T03:00:00+01:00",
        ],
        "lord_howe_0145": ["2027-04-04T01:45:00+11:00"],
        "lord_howe_0215": ["2027-10-03T02:45:00+11:00"],
        "lord_howe_hourly": [
            "2027-04-04T02:00:00+10:30",
            "2027-10-03T02:30:00+11:00",
            "2027-10-03T03:00:00+11:00",
        ],
    }
    # After the autumn change the daily tasks are back on their usual time.
    tasks = tasks_by_id(hass)
    assert utc(tasks[ids["berlin_0230"]]["next_run"]) == local("2027-11-08 02:30", BER)
    assert utc(tasks[ids["ny_0130"]]["next_run"]) == local("2027-11-08 01:30", NY)
    assert "ERROR (MainThread) [custom_components.dland_assistant" not in hass.log
