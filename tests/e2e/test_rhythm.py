"""Rhythm and presence on a real hass: beats kept, runs never doubled, welcomes right.

One hass process for the module (real HTTP, the real SQLite file), and one
scenario of about four and a half minutes (a module fixture); each test checks
one promise of what it recorded:

- *Rhythm*, a routine every minute on Assist's built-in agent (its prompt reads
  the clock, so it is never skipped as unchanged), runs at its anchor plus whole
  minutes while, right after its beats, another routine is switched off, the
  config entry is reloaded and Home Assistant is restarted;
- before each beat, the routine's switch (``next_run``) and the runs calendar show
  the time the beat then comes at;
- *Slow*, a routine every minute on the slow agent (70 s a run), records the beat
  during its run as ``skipped`` ("The previous run is still going") and never has
  two runs in progress (the database is sampled all along); it is switched off
  once its run has ended, before the reload and the restart;
- Dan is home across the restart, and his tracker reports only seconds after it:
  no departure or arrival is recorded for him, nobody welcomes him;
- Eve leaves before the restart; while hass is down 6,000 older doorbell rings
  are written into the database; after the restart a few events are reported for
  her, then she comes home: she is welcomed once, and the welcome's snapshot holds
  exactly this absence's counts and time away, none of the old rings;
- Dan's tracker flapping for a few seconds before the restart is recorded and
  wakes nobody (the shortest absence is set to one minute).

Assist's built-in agent acts only on sentences it knows: two sentence triggers
(automations.yaml) make it answer the routine's status prompt and the welcome.
The measured intervals and figures are printed at the end of the module.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import itertools
import json
from pathlib import Path
import sqlite3
import threading
import time
from typing import Any
import urllib.parse
import uuid

import pytest
import pytest_socket

from .accounts import add_subentry
from .harness import HassProcess, wait_for
from .soak_probe import DATABASE, report

pytestmark = pytest.mark.e2e

DOMAIN = "dland_assistant"
INTERVAL = 60.0  # the routines' interval (1 min), in seconds
BEAT_TOLERANCE = 2.0  # a beat's start, and an interval, within this of the rhythm
SHOWN_TOLERANCE = 1.0  # the shown next run against the run that comes
SHOWN_WAIT = 5.0  # how long a change may take to show
SLOW_DELAY = 70.0  # a run of the slow agent: longer than the interval
# Slow is anchored this long before Rhythm: its run (anchor + 60 s, for 70 s) ends
# 5 s before Rhythm's second beat, after which the entry is reloaded.
SLOW_LEAD = 15.0
FLAP_SECONDS = 5.0  # Dan's tracker away this long: under the minimum absence
MIN_ABSENCE_MINUTES = 1
LATE_TRACKER_SECONDS = 4.0  # Dan's tracker has no state this long after the restart
OLD_EVENTS = 6000  # doorbell rings stored before Eve's departure
RESTART_BEAT = 3  # Rhythm's beat after which hass restarts
BEATS = 4
PREVIOUS_RUN_GOING = "The previous run is still going"
# Reported for Eve during her absence through POST /api/events/ha: (type,
# significance, user). Significance 0 and another person's events do not count.
EVE_EVENTS = (
    ("state_change", 2, "person.eve"),
    ("state_change", 1, "person.eve"),
    ("backup_failed", 2, "person.eve"),
    ("heartbeat", 0, "person.eve"),
    ("state_change", 2, "person.dan"),
)
EXPECTED_COUNTS = {"device change": 2, "other event": 1}

EXTRA_YAML = f"""
e2e_slow_agent:
  delay: {SLOW_DELAY}
person:
  - name: Dan
    id: dan
    device_trackers:
      - device_tracker.dan_phone
  - name: Eve
    id: eve
    device_trackers:
      - device_tracker.eve_phone
dland_assistant:
  default_agent: conversation.home_assistant
"""
# Sentences the built-in agent then acts on: the routine's prompt and the welcome.
AUTOMATIONS = """
- id: e2e_status
  alias: Status report
  triggers:
    - trigger: conversation
      command: "Status at {stamp}"
  actions:
    - set_conversation_response: "All quiet"
- id: e2e_welcome
  alias: Welcome home
  triggers:
    - trigger: conversation
      command: "{who} just arrived home{rest}"
  actions:
    - set_conversation_response: "Welcome home"
"""


@dataclass(frozen=True, slots=True)
class Shown:
    """What the switch and the calendar showed as a routine's next run."""

    at: float  # when it was read
    switch: float | None
    calendar: float | None


@dataclass(frozen=True, slots=True)
class Run:
    """One execution of the integration's log."""

    execution_id: str
    status: str
    started: float
    finished: float | None
    error: str | None
    prompt: str | None


@dataclass
class Sampler:
    """Samples how many runs of one routine are in progress at once."""

    database: Path
    routine_id: str
    samples: int = 0
    busy: int = 0  # samples with a run in progress
    most: int = 0  # the most in progress at once
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Sample every 0.2 s until stopped."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                [(count,)] = _query(
                    self.database,
                    "SELECT count(*) FROM executions "
                    "WHERE routine = ? AND status = 'in_progress'",
                    (self.routine_id,),
                )
            except sqlite3.Error:
                count = None  # busy: the next sample reads again
            if count is not None:
                self.samples += 1
                self.busy += count > 0
                self.most = max(self.most, count)
            self._stop.wait(0.2)


@dataclass
class Scenario:
    """What happened, and when (UNIX seconds)."""

    database: Path
    log: str = ""
    rhythm_id: str = ""
    slow_id: str = ""
    anchor: float = 0.0  # Rhythm's, as stored
    slow_anchor: float = 0.0
    shown: list[Shown] = field(default_factory=list)  # before beats 1, 2, ...
    # What was done after each beat: (beat, what, began, done).
    disruptions: list[tuple[int, str, float, float]] = field(default_factory=list)
    rhythm: list[Run] = field(default_factory=list)
    slow: list[Run] = field(default_factory=list)
    slow_off_at: float = 0.0
    sampler: Sampler | None = None
    stopped_at: float = 0.0
    back_at: float = 0.0
    # Dan's person and tracker states while the tracker had not reported yet.
    dan_late: list[tuple[str | None, str | None]] = field(default_factory=list)
    dan_flap: tuple[float, float] = (0.0, 0.0)  # tracker away, tracker home
    eve_departed: float = 0.0  # her departure event's time
    eve_home_at: float = 0.0
    presence: list[tuple[str, str, float]] = field(default_factory=list)
    welcomes: list[Run] = field(default_factory=list)
    failed_since_departure: int = 0
    old_events_kept: int = 0
    old_events_span: tuple[float, float] = (0.0, 0.0)
    seconds: float = 0.0


def _query(
    database: Path, sql: str, params: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """Read the integration's SQLite file directly (read-only)."""
    uri = f"file:{database}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
        return conn.execute(sql, params).fetchall()


def _runs(database: Path, where: str, params: tuple[Any, ...]) -> list[Run]:
    rows = _query(
        database,
        "SELECT id, status, started, finished, error, prompt FROM executions "
        f"WHERE {where} ORDER BY started",
        params,
    )
    return [Run(*row) for row in rows]


def _routine_runs(database: Path, routine_id: str) -> list[Run]:
    return _runs(database, "routine = ?", (routine_id,))


def _stamp(value: str | None) -> float | None:
    return None if value is None else datetime.fromisoformat(value).timestamp()


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat()


def _settle(hass: HassProcess) -> None:
    """Wait for a reload the last change started to end (entry loaded, answering)."""
    time.sleep(1)  # the update listener reloads the entry after the answer

    def loaded() -> bool:
        status, body = hass.request(
            "GET", f"/api/config/config_entries/entry?domain={DOMAIN}"
        )
        return status == 200 and body[0]["state"] == "loaded"

    wait_for(loaded, 60, "the entry to be loaded")
    hass.wait_for_integration()


def _subentry_id(hass: HassProcess, entry_id: str, title: str) -> str:
    [subentries] = hass.websocket(
        {"type": "config_entries/subentries/list", "entry_id": entry_id}
    )
    subentry_id: str = next(s["subentry_id"] for s in subentries if s["title"] == title)
    return subentry_id


def _add_routine(hass: HassProcess, entry_id: str, name: str, agent: str) -> str:
    add_subentry(
        hass,
        entry_id,
        "routine",
        {
            "name": name,
            "schedule": "interval",
            "interval": 1,
            "agent": agent,
            "prompt": "Status at {{ now() }}",
            "deliver": False,
            "enabled": True,
        },
    )
    return _subentry_id(hass, entry_id, name)


def _anchor(database: Path, routine_id: str) -> float:
    def stored() -> float | None:
        rows = _query(
            database,
            "SELECT anchor FROM routine_schedules WHERE routine = ?",
            (routine_id,),
        )
        return rows[0][0] if rows else None

    anchor: float = wait_for(stored, 30, f"the schedule of {routine_id} stored")
    return anchor


def _entity_of(hass: HassProcess, routine_id: str) -> str | None:
    """Return the switch of a routine, once it is there."""
    status, states = hass.request("GET", "/api/states")
    assert status == 200, states
    return next(
        (
            s["entity_id"]
            for s in states
            if s["entity_id"].startswith("switch.")
            and s["attributes"].get("routine_id") == routine_id
        ),
        None,
    )


def _shown(hass: HassProcess, routine_id: str, name: str) -> Shown:
    """Read the routine's next run from its switch and from the runs calendar.

    Read again for up to SHOWN_WAIT seconds while either shows none (a change
    takes a moment to reach the entities); then what they show is kept.
    """

    def read() -> Shown:
        now = time.time()
        switch = None
        if (entity_id := _entity_of(hass, routine_id)) is not None:
            status, state = hass.request("GET", f"/api/states/{entity_id}")
            assert status == 200, state
            switch = _stamp(state["attributes"].get("next_run"))
        query = urllib.parse.urlencode(
            {"start": _iso(now), "end": _iso(now + 10 * INTERVAL)}
        )
        status, events = hass.request(
            "GET", f"/api/calendars/calendar.dland_assistant_runs?{query}"
        )
        assert status == 200, events
        upcoming = sorted(
            stamp
            for event in events
            if event["summary"] == name
            and (stamp := _stamp(event["start"].get("dateTime"))) is not None
            and stamp > now
        )
        return Shown(now, switch, upcoming[0] if upcoming else None)

    readings: list[Shown] = []

    def both() -> bool:
        readings.append(read())
        return readings[-1].switch is not None and readings[-1].calendar is not None

    with contextlib.suppress(AssertionError):
        wait_for(both, SHOWN_WAIT, f"the next run of {name} shown")
    return readings[-1]


def _set_tracker(hass: HassProcess, who: str, state: str) -> None:
    status, body = hass.request(
        "POST", f"/api/states/device_tracker.{who}_phone", {"state": state}
    )
    assert status in (200, 201), body
    wait_for(
        lambda: _state(hass, f"person.{who}") == state, 10, f"person.{who} {state}"
    )


def _state(hass: HassProcess, entity_id: str) -> str | None:
    status, body = hass.request("GET", f"/api/states/{entity_id}")
    return body["state"] if status == 200 else None


def _presence_event(database: Path, person: str, kind: str, after: float) -> float:
    def recorded() -> float | None:
        rows = _query(
            database,
            "SELECT max(time) FROM events WHERE source = 'presence' "
            "AND user = ? AND type = ? AND time > ?",
            (person, kind, after),
        )
        stamp: float | None = rows[0][0]
        return stamp

    stamp: float = wait_for(recorded, 10, f"the {kind} of {person} recorded")
    return stamp


def _wait_for_beat(database: Path, routine_id: str, beat: int, due: float) -> None:
    """Wait until the routine's run of a beat has started and ended."""

    def ended() -> bool:
        runs = _routine_runs(database, routine_id)
        return len(runs) >= beat and runs[beat - 1].status != "in_progress"

    wait_for(ended, max(due - time.time(), 0) + 60, f"beat {beat} of the routine")


def _insert_old_events(database: Path, before: float) -> tuple[float, float]:
    """Store OLD_EVENTS doorbell rings over the 20 days before ``before``."""
    first = before - timedelta(days=20).total_seconds()
    last = before - 60
    step = (last - first) / (OLD_EVENTS - 1)
    rows = [
        (
            uuid.uuid4().hex,
            "camera",
            "doorbell",
            None,
            f"Old ring {number}",
            1,
            first + number * step,
        )
        for number in range(OLD_EVENTS)
    ]
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn, conn:
        conn.executemany(
            "INSERT INTO events (id, source, type, user, summary, significance, time) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return first, last


def _set_routine_enabled(hass: HassProcess, routine: str, *, enabled: bool) -> None:
    status, body = hass.request(
        "POST",
        f"/api/services/{DOMAIN}/set_routine_enabled",
        {"routine": routine, "enabled": enabled},
    )
    assert status == 200, body


def _report_event(
    hass: HassProcess, number: int, kind: str, level: int, user: str
) -> None:
    status, body = hass.request(
        "POST",
        "/api/events/ha",
        {
            "type": kind,
            "summary": f"Something happened ({number})",
            "significance": level,
            "user": user,
            "id": f"rhythm-e2e-{number}",
        },
    )
    assert status == 202, body


def _run_scenario(hass: HassProcess, scenario: Scenario) -> None:
    database = scenario.database
    began = time.time()
    hass.start_onboarded()
    entry_id = hass.config_entry_id(DOMAIN)
    slow_agent = hass.config_entry_id("e2e_slow_agent")
    add_subentry(
        hass,
        entry_id,
        "agent",
        {
            "name": "Greeter",
            "conversation_agent": "conversation.home_assistant",
            "instructions": "",
            "timeout": 60,
            "deliver": False,
            "session_window": 0,
        },
    )
    _settle(hass)
    for who in ("dan", "eve"):
        add_subentry(
            hass,
            entry_id,
            "recipient",
            {
                "person": f"person.{who}",
                "default_channel": "persistent_notification",
                "welcome_agent": "Greeter",
            },
        )
        _settle(hass)
    hass.set_options(min_absence=MIN_ABSENCE_MINUTES)
    _settle(hass)
    for who in ("dan", "eve"):
        _set_tracker(hass, who, "home")

    # Slow first: its run must be over before Rhythm's second beat.
    scenario.slow_id = _add_routine(hass, entry_id, "Slow", slow_agent)
    scenario.slow_anchor = _anchor(database, scenario.slow_id)
    scenario.sampler = Sampler(database, scenario.slow_id)
    scenario.sampler.start()

    # Dan's tracker flaps at the door; Eve leaves.
    away = time.time()
    _set_tracker(hass, "dan", "not_home")
    _presence_event(database, "person.dan", "departure", away - 1)
    time.sleep(FLAP_SECONDS)  # the flap's length is the point here
    _set_tracker(hass, "dan", "home")
    _presence_event(database, "person.dan", "arrival", away - 1)
    scenario.dan_flap = (away, time.time())
    leaving = time.time()
    _set_tracker(hass, "eve", "not_home")
    scenario.eve_departed = _presence_event(
        database, "person.eve", "departure", leaving - 1
    )

    time.sleep(max(0.0, scenario.slow_anchor + SLOW_LEAD - time.time()))
    scenario.rhythm_id = _add_routine(
        hass, entry_id, "Rhythm", "conversation.home_assistant"
    )
    scenario.anchor = anchor = _anchor(database, scenario.rhythm_id)
    scenario.shown.append(_shown(hass, scenario.rhythm_id, "Rhythm"))

    def beat(number: int) -> None:
        _wait_for_beat(database, scenario.rhythm_id, number, anchor + number * INTERVAL)

    # Beat 1, then another routine is switched off.
    beat(1)
    start = time.time()
    _set_routine_enabled(hass, "Audit", enabled=False)
    wait_for(lambda: _state(hass, f"switch.{DOMAIN}_audit") == "off", 10, "Audit off")
    scenario.disruptions.append((1, "Audit switched off", start, time.time()))
    scenario.shown.append(_shown(hass, scenario.rhythm_id, "Rhythm"))

    # Beat 2; Slow's run has ended: Slow is switched off, the entry reloaded.
    beat(2)
    start = time.time()

    def slow_done() -> bool:
        runs = _routine_runs(database, scenario.slow_id)
        return bool(runs) and all(run.status != "in_progress" for run in runs)

    # Were it still going (twice started), the reload ends it: the test says so.
    with contextlib.suppress(AssertionError):
        wait_for(slow_done, 30, "Slow's run to end")
    _set_routine_enabled(hass, "Slow", enabled=False)
    # Its switch shows off once the routines are re-armed: only then the reload.
    wait_for(lambda: _state(hass, f"switch.{DOMAIN}_slow") == "off", 10, "Slow off")
    scenario.slow_off_at = time.time()
    scenario.sampler.stop()
    status, body = hass.request(
        "POST", f"/api/config/config_entries/entry/{entry_id}/reload"
    )
    assert status == 200, body
    _settle(hass)
    scenario.disruptions.append((2, "Slow off, entry reloaded", start, time.time()))
    scenario.shown.append(_shown(hass, scenario.rhythm_id, "Rhythm"))

    # Beat 3, then a restart: while down, 6,000 older rings are stored.
    beat(RESTART_BEAT)
    scenario.stopped_at = time.time()
    hass.stop()
    scenario.old_events_span = _insert_old_events(database, scenario.eve_departed)
    hass.start()
    hass.wait_for_integration()
    scenario.back_at = time.time()
    scenario.disruptions.append(
        (RESTART_BEAT, "restart", scenario.stopped_at, scenario.back_at)
    )
    scenario.shown.append(_shown(hass, scenario.rhythm_id, "Rhythm"))

    # Dan's tracker reports late; events happen while Eve is away.
    late_until = time.time() + LATE_TRACKER_SECONDS
    while time.time() < late_until:
        scenario.dan_late.append(
            (_state(hass, "person.dan"), _state(hass, "device_tracker.dan_phone"))
        )
        time.sleep(0.5)
    for number, (kind, level, user) in enumerate(EVE_EVENTS):
        _report_event(hass, number, kind, level, user)
    _set_tracker(hass, "dan", "home")

    # Eve comes home past the minimum, mid-minute (the snapshot counts whole ones).
    def mid_minute() -> bool:
        away = time.time() - scenario.eve_departed
        return away > MIN_ABSENCE_MINUTES * 60 + 15 and 15 <= away % 60 <= 45

    wait_for(mid_minute, 60, "a time mid-minute of Eve's absence")
    scenario.failed_since_departure = _query(
        database,
        "SELECT count(*) FROM executions WHERE status = 'failed' AND started >= ?",
        (scenario.eve_departed,),
    )[0][0]
    scenario.eve_home_at = time.time()
    _set_tracker(hass, "eve", "home")

    def welcomed() -> list[Run] | None:
        runs = _runs(database, "prompt LIKE ?", ("%just arrived home%",))
        return runs if runs and all(r.status != "in_progress" for r in runs) else None

    wait_for(welcomed, 30, "Eve's welcome")

    beat(BEATS)
    time.sleep(1)  # anything a last beat or arrival would add, added
    scenario.rhythm = _routine_runs(database, scenario.rhythm_id)
    scenario.slow = _routine_runs(database, scenario.slow_id)
    scenario.welcomes = _runs(database, "prompt LIKE ?", ("%just arrived home%",))
    scenario.presence = [
        (user, kind, stamp)
        for user, kind, stamp in _query(
            database,
            "SELECT user, type, time FROM events WHERE source = 'presence' "
            "ORDER BY time",
        )
    ]
    scenario.old_events_kept = _query(
        database,
        "SELECT count(*) FROM events WHERE source = 'camera' AND type = 'doorbell'",
    )[0][0]
    scenario.seconds = time.time() - began


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Run the scenario once; hand its record to the tests."""
    pytest_socket.enable_socket()
    folder = tmp_path_factory.mktemp("rhythm") / "config"
    hass = HassProcess(folder, EXTRA_YAML)
    (folder / "automations.yaml").write_text(AUTOMATIONS)
    result = Scenario(folder / DATABASE)
    try:
        _run_scenario(hass, result)
    finally:
        if result.sampler is not None:
            result.sampler.stop()
        hass.stop()
        result.log = hass.log
    _report(result)
    return result


def _report(scenario: Scenario) -> None:
    starts = [run.started for run in scenario.rhythm]
    intervals = [later - earlier for earlier, later in itertools.pairwise(starts)]
    offsets = [start - scenario.anchor for start in starts]
    shown = [
        "/".join(
            "none" if value is None else f"{value - run:+.3f}"
            for value in (reading.switch, reading.calendar)
        )
        for reading, run in zip(scenario.shown, starts, strict=False)
    ]
    slow = ", ".join(
        f"{run.status} at +{run.started - scenario.slow_anchor:.1f} s"
        + (f" for {run.finished - run.started:.1f} s" if run.finished else "")
        for run in scenario.slow
    )
    sampler = scenario.sampler
    lines = [
        f"rhythm ({scenario.seconds:.0f} s on a real hass):",
        "  Rhythm's intervals "
        + ", ".join(f"{i:.3f}" for i in intervals)
        + " s; starts at anchor + "
        + ", ".join(f"{o:.3f}" for o in offsets)
        + " s",
        "  after beats: "
        + "; ".join(
            f"{beat}: {what} ({done - began:.1f} s)"
            for beat, what, began, done in scenario.disruptions
        ),
        f"  shown next run - real start (switch/calendar, s): {', '.join(shown)}",
        f"  Slow: {slow}; at most {sampler.most if sampler else '?'} in progress "
        f"over {sampler.samples if sampler else 0} samples "
        f"({sampler.busy if sampler else 0} with a run)",
        f"  Dan while his tracker was late: {sorted(set(scenario.dan_late))}",
        f"  Eve away {scenario.eve_home_at - scenario.eve_departed:.1f} s, "
        f"{len(scenario.welcomes)} welcome(s); {scenario.old_events_kept} old rings "
        "stored",
        *(
            f"  welcome snapshot: {_snapshot(run)!r}"
            for run in scenario.welcomes
            if run.prompt and "<<<" in run.prompt
        ),
    ]
    print("\n" + "\n".join(lines))
    report(*lines)


def _snapshot(run: Run) -> str:
    """Return the arrival snapshot quoted in a welcome's prompt."""
    assert run.prompt is not None
    quoted = run.prompt.split("<<<\n", 1)[1].rsplit("\n>>>", 1)[0]
    snapshot: str = json.loads(quoted)["arrival_snapshot"]
    return snapshot


def test_routines_keep_their_rhythm_across_a_switch_a_reload_and_a_restart(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Rhythm ran once a beat, every start at its anchor plus whole minutes, every
    interval a minute, with another routine switched off, a reload and a restart
    each right after a beat."""
    starts = [run.started for run in scenario.rhythm]
    assert len(starts) == BEATS, scenario.rhythm
    assert {run.status for run in scenario.rhythm} == {"succeeded"}, scenario.rhythm
    for number, start in enumerate(starts, start=1):
        due = scenario.anchor + number * INTERVAL
        assert abs(start - due) <= BEAT_TOLERANCE, (number, start - scenario.anchor)
    for earlier, later in itertools.pairwise(starts):
        assert abs(later - earlier - INTERVAL) <= BEAT_TOLERANCE, starts
    # Each disruption came between two beats, and was over before the next one.
    assert [beat for beat, *_ in scenario.disruptions] == [1, 2, RESTART_BEAT]
    for beat, what, began, done in scenario.disruptions:
        assert starts[beat - 1] < began < done < starts[beat], (beat, what)


def test_the_shown_next_run_is_the_real_one(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Before each beat (after the switch, the reload and the restart too), the
    routine's switch and the runs calendar showed the time the beat then came."""
    starts = [run.started for run in scenario.rhythm]
    assert len(scenario.shown) == BEATS
    assert len(starts) == BEATS
    for number, (shown, start) in enumerate(zip(scenario.shown, starts, strict=True)):
        assert shown.at < start
        assert shown.switch is not None
        assert shown.calendar is not None
        assert abs(shown.switch - start) <= SHOWN_TOLERANCE, (number + 1, shown, start)
        assert abs(shown.calendar - start) <= SHOWN_TOLERANCE, (
            number + 1,
            shown,
            start,
        )


def test_a_slow_routine_is_never_doubled(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Slow's beat during its 70 s run was recorded as skipped with the reason;
    never were two of its runs in progress; off, it ran no more."""
    runs = scenario.slow
    assert [run.status for run in runs] == ["succeeded", "skipped"], runs
    run, skip = runs
    assert abs(run.started - (scenario.slow_anchor + INTERVAL)) <= BEAT_TOLERANCE
    assert run.finished is not None
    assert run.finished - run.started >= SLOW_DELAY - 1
    assert abs(skip.started - (scenario.slow_anchor + 2 * INTERVAL)) <= BEAT_TOLERANCE
    assert run.started < skip.started < run.finished
    assert skip.error == PREVIOUS_RUN_GOING
    assert run.finished < scenario.slow_off_at < scenario.stopped_at  # none killed
    sampler = scenario.sampler
    assert sampler is not None
    assert sampler.busy >= 100, sampler  # it watched the whole run
    assert sampler.most == 1, sampler


def test_a_restart_with_trackers_loading_late_wakes_nobody(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Dan was home across the restart and his tracker reported seconds late:
    nothing was recorded for him after the restart, and nobody welcomed him."""
    assert scenario.dan_late
    # The tracker had not reported; the person was unknown (or restored home).
    assert {tracker for _, tracker in scenario.dan_late} == {None}
    assert {person for person, _ in scenario.dan_late} <= {"unknown", "home"}
    after = [
        (kind, stamp)
        for user, kind, stamp in scenario.presence
        if user == "person.dan" and stamp >= scenario.stopped_at
    ]
    assert not after, after
    assert not [run for run in scenario.welcomes if "Dan" in (run.prompt or "")]


def test_the_welcome_counts_exactly_this_absence_with_a_long_history(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Eve, away across the restart with 6,000 older rings stored, was welcomed
    once with her absence's counts and time away, and none of the old rings."""
    assert scenario.old_events_kept == OLD_EVENTS  # the history was there
    assert scenario.old_events_span[1] < scenario.eve_departed
    assert scenario.eve_departed < scenario.stopped_at < scenario.eve_home_at
    eve = [
        (kind, stamp) for user, kind, stamp in scenario.presence if user == "person.eve"
    ]
    assert [kind for kind, _ in eve] == ["departure", "arrival"], eve
    [welcome] = [run for run in scenario.welcomes if "Eve" in (run.prompt or "")]
    assert welcome.status == "succeeded", welcome
    assert eve[1][1] <= welcome.started < eve[1][1] + 5
    hours, minutes = divmod(int(welcome.started - scenario.eve_departed) // 60, 60)
    expected = [f"Away for {hours} h {minutes} min."] + [
        f"{count}x {kind}"
        for kind, count in sorted(EXPECTED_COUNTS.items(), key=lambda item: -item[1])
    ]
    if scenario.failed_since_departure:
        expected.append(f"{scenario.failed_since_departure}x failed task run")
    assert _snapshot(welcome).splitlines() == expected
    assert "doorbell" not in (welcome.prompt or "")


def test_an_absence_under_the_minimum_wakes_nobody(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Dan's tracker away for a few seconds (minimum: one minute) was recorded as
    a departure and an arrival, and woke nobody."""
    away, back = scenario.dan_flap
    dan = [
        (kind, stamp)
        for user, kind, stamp in scenario.presence
        if user == "person.dan" and away - 1 <= stamp <= back + 1
    ]
    assert [kind for kind, _ in dan] == ["departure", "arrival"], dan
    assert dan[1][1] - dan[0][1] < MIN_ABSENCE_MINUTES * 60
    assert not [run for run in scenario.welcomes if "Dan" in (run.prompt or "")]


def test_the_scenario_logged_no_error_of_the_integration(
    scenario: Scenario, socket_enabled: None
) -> None:
    """Nothing in the scenario made the integration log an error."""
    assert "ERROR (MainThread) [custom_components.dland_assistant" not in scenario.log
