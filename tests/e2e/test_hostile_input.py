"""Hostile input against a real hass: every service and endpoint, fuzzed.

One hass process for the module; hypothesis throws wrong types, huge and strange
strings, impossible times, bad cron, unknown ids, extra keys and nested junk at every
dland_assistant service over REST and at every HTTP endpoint of the integration, plus
targeted attacks (XML bomb, external entity, oversized bodies, wrong content types,
forged signatures, replays, pathological cron, megabyte-sized fields, bodies split
across TCP writes). Properties, for every request:

- no 5xx answer;
- nothing written to the integration's SQLite file when the request is refused
  (4xx, or a forged/unsigned webhook that is acknowledged and ignored), nor ever by
  a read-only service;
- no unhandled exception in hass's log (checked at the end of each test);
- no stall of Home Assistant's event loop: the e2e_slow_agent fixture's lag monitor
  (loaded without an agent) measures how late the loop wakes from 5 ms sleeps, less
  the time its thread was ready but waited for a CPU other processes held (the
  kernel's count: that part is the machine's, not a held loop), and after each test
  the worst stall of that test must be under 50 ms; the module's worst is printed
  at its end with the raw lateness (and in pytest's summary);
- megabyte-sized fields do not grow hass's memory: the RSS after 20 of them,
  read after a full garbage collection, is within a stated bound of the RSS before.

Determinism: the "nothing written" check compares snapshots of the database right
before and after each request, so nothing else may write in between. Accepted
requests therefore never start background work: the built-in routines are switched
off first; one-off times that would be valid are generated at least an hour ahead;
a valid cron expression is only ever scheduled disabled, and real tasks are only
ever paused, never resumed or run; wakeups and events never name a resolvable agent
and run_routine never names an existing routine. The targeted cron cases are
scheduled disabled too, and one that is accepted anyway is cancelled at once.
"""

from collections.abc import Generator
from datetime import UTC, datetime, timedelta
import hmac
import json
from pathlib import Path
import re
import sqlite3
import time
from typing import Any
import urllib.parse

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest
import pytest_socket

from .accounts import raw_request, request_in_two_writes
from .harness import HassProcess, wait_for
from .soak_probe import (
    lag_reading,
    merged_reading,
    report,
    retained_rss_kb,
    rss_kb,
)
from .webhooks import (
    DOMAIN,
    YT_TOPIC,
    add_webhook_sources,
    atom,
    hub_signature,
    vonage_sign,
)

pytestmark = pytest.mark.e2e

ROUTINES = ("Audit", "Memory distillation", "Work check-in", "Family check-in")
FORBIDDEN = (
    "Traceback",
    "Error handling request",
    "Error executing service",
    "Unexpected exception",
    "Error doing job",
    "Exception in callback",
)
JSON = {"Content-Type": "application/json"}
# Caps documented in the README.
WAKEUP_CAP = 64 * 1024
ATOM_CAP = 256 * 1024
PROMPT_CAP = 8 * 1024
# The bound: no request may hold the event loop this long. An idle hass
# here wakes at most about 8 ms late (2-core machine), so 50 ms is a stall.
STALL_CAP_MS = 50.0
# Only the probes of e2e_slow_agent: no agent, no AI task entity.
PROBES_ONLY = "e2e_slow_agent:\n  agent: false\n"

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=150,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # socket_enabled; harmless to share
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


class Target:
    """The fuzzed hass: its process, database and a few known ids."""

    def __init__(self, process: HassProcess) -> None:
        self.process = process
        self.db = process.config_dir / "dland_assistant.db"
        self.task_ids: list[str] = []
        # Statuses seen per path, to check the fuzz reached both sides.
        self.seen: dict[str, set[int]] = {}
        # The lag monitor's reading of each test, by test name, and the windows
        # of the test running now.
        self.stalls: dict[str, dict[str, Any]] = {}
        self.lag_windows: list[dict[str, Any]] = []
        # hass's RSS (kB) at the start and end of the module, and around each
        # batch of huge requests: raw before and after, collected before and after.
        self.rss: dict[str, int] = {}
        self.batches: dict[str, tuple[int, int, int, int]] = {}

    def rss_kb(self) -> int:
        """Return hass's resident set size now, in kB."""
        assert self.process.process is not None
        return rss_kb(self.process.process.pid)

    def retained_rss_kb(self) -> int:
        """Return hass's RSS after a full garbage collection, in kB.

        The collection itself holds the loop (a few hundred ms, whatever the
        requests were), so it is left out of the test's lag windows.
        """
        self.lag_windows.append(lag_reading(self.process, reset=True))
        kb = retained_rss_kb(self.process)
        lag_reading(self.process, reset=True)
        return kb

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table of the integration's database."""
        return snapshot(self.db)

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        auth: bool = True,
        writes: str = "on_accept",
        split: bool = False,
    ) -> tuple[int, bytes]:
        """Send a request and check the properties.

        writes: "on_accept" (a 4xx writes nothing), "never" (nothing at all).
        split: send the body in two TCP writes a moment apart.
        """
        before = self.snapshot()
        token = self.process.token if auth else None
        if split:
            assert body is not None
            status, answer = request_in_two_writes(
                self.process, method, path, body, headers, token
            )
        else:
            status, answer = raw_request(
                self.process, method, path, body, headers, token
            )
        after = self.snapshot()
        self.seen.setdefault(path.split("?", maxsplit=1)[0], set()).add(status)
        assert status < 500, (method, path, status, answer[:500], body and body[:300])
        if writes == "never" or status >= 400:
            assert after == before, (
                "written on rejection",
                method,
                path,
                status,
                answer[:300],
                body and body[:300],
                diff(before, after),
            )
        return status, answer

    def service(
        self, service: str, data: Any, *, read_only: bool = False
    ) -> tuple[int, Any]:
        """Call a service over REST with any JSON data."""
        no_response = service in ("cancel_task", "forget_fact", "set_routine_enabled")
        query = "" if no_response else "?return_response"
        status, answer = self.send(
            "POST",
            f"/api/services/{DOMAIN}/{service}{query}",
            json.dumps(data).encode(),
            {"Content-Type": "application/json"},
            writes="never" if read_only else "on_accept",
        )
        try:
            decoded = json.loads(answer) if answer else None
        except ValueError:
            decoded = answer
        return status, decoded


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Read every table of a SQLite file, read-only (WAL: concurrent reads are fine)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            table: sorted(
                db.execute(f'SELECT * FROM "{table}"').fetchall(),
                key=repr,
            )
            for table in tables
        }


def diff(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> dict[str, Any]:
    """What changed, per table, for a readable failure."""
    return {
        table: {
            "added": [r for r in after.get(table, []) if r not in rows][:3],
            "removed": [r for r in rows if r not in after.get(table, [])][:3],
        }
        for table, rows in before.items()
        if after.get(table) != rows
    }


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Generator[Target]:
    """One hass with YouTube and Vonage set up and the routines switched off."""
    # The plugin of pytest-homeassistant-custom-component blocks sockets before
    # every test; socket_enabled (function-scoped) lifts that for each test, and
    # this module-scoped setup lifts it for itself the same way.
    pytest_socket.enable_socket()
    folder = tmp_path_factory.mktemp("hostile")
    process = HassProcess(folder / "config", PROBES_ONLY)
    fuzzed: Target | None = None
    try:
        process.start_onboarded()
        add_webhook_sources(process)
        for routine in ROUTINES:
            status, body = process.request(
                "POST",
                f"/api/services/{DOMAIN}/set_routine_enabled",
                {"routine": routine, "enabled": False},
            )
            assert status == 200, body
        process.wait_for_integration()
        # Let start-up writes (presence events, pruning) settle before fuzzing.
        fuzzed = Target(process)
        last = [fuzzed.snapshot()]

        def quiet() -> bool:
            time.sleep(1)
            now = fuzzed.snapshot()
            same = now == last[0]
            last[0] = now
            return same

        wait_for(quiet, 60, "a quiet database")
        fuzzed.rss["module start"] = fuzzed.rss_kb()
        fuzzed.rss["module start, collected"] = retained_rss_kb(process)
        yield fuzzed
        fuzzed.rss["module end"] = fuzzed.rss_kb()
        fuzzed.rss["module end, collected"] = retained_rss_kb(process)
    finally:
        if fuzzed is not None and fuzzed.stalls:
            _report_stalls(fuzzed, folder / "stalls.json")
        process.stop()


def _report_stalls(fuzzed: Target, path: Path) -> None:
    """Print the module's worst loop stall, each test's, and hass's RSS."""
    stalls = {name: r["max_ms"] for name, r in fuzzed.stalls.items()}
    worst = max(stalls, key=stalls.__getitem__)
    path.write_text(
        json.dumps(
            {"stalls": fuzzed.stalls, "rss_kb": fuzzed.rss, "batches": fuzzed.batches},
            indent=1,
        )
    )
    lines = [
        f"hostile input: worst loop stall {stalls[worst]:.1f} ms ({worst}), "
        f"cap {STALL_CAP_MS:.0f} ms; {len(stalls)} tests; details in {path}",
        "  stall, latest wake-up with the machine's CPU wait:",
        *(
            f"  {ms:9.1f} ms {fuzzed.stalls[name]['max_late_ms']:9.1f} ms  {name}"
            for name, ms in sorted(stalls.items(), key=lambda item: -item[1])
        ),
        "  hass RSS (MB): "
        + ", ".join(f"{what} {kb / 1024:.0f}" for what, kb in fuzzed.rss.items()),
        *(
            f"  RSS over {HUGE_BATCH} x 2 MB {name}: raw {(ra - rb) / 1024:+.1f} MB, "
            f"kept after a collection {(ca - cb) / 1024:+.1f} MB"
            for name, (rb, ra, cb, ca) in fuzzed.batches.items()
        ),
    ]
    print("\n" + "\n".join(lines))
    report(*lines)


# A log record starts with its time; a traceback's lines belong to the one above.
_RECORD = re.compile(r"^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", re.MULTILINE)


def _ours(log: str) -> str:
    """Return the log without aiohttp's own refusals of an over-long request line.

    aiohttp's parser answers a request line over its 8,190-byte limit with 400
    before Home Assistant routes it (no handler of ours runs) and logs the
    LineTooLong it raised; a fuzzed query string can be that long.
    """
    return "".join(
        record for record in _RECORD.split(log) if "LineTooLong" not in record
    )


@pytest.fixture
def fuzzed(
    target: Target, socket_enabled: None, request: pytest.FixtureRequest
) -> Generator[Target]:
    """The target, checked after the test: no unhandled error in its log, and no
    wake-up of the loop during the test later than STALL_CAP_MS."""
    mark = len(target.process.log)
    lag_reading(target.process, reset=True)  # this test's window starts here
    target.lag_windows = []
    yield target
    time.sleep(0.5)  # hass logs through a queue
    target.lag_windows.append(lag_reading(target.process, reset=True))
    reading = merged_reading(target.lag_windows)
    target.stalls[request.node.name] = reading
    new = _ours(target.process.log[mark:])
    bad = [line for line in new.splitlines() if any(word in line for word in FORBIDDEN)]
    problems = []
    if bad:
        problems.append("\n".join(bad[:20]) + "\n" + new[-3000:])
    if reading["max_ms"] >= STALL_CAP_MS:
        problems.append(
            f"the event loop stalled {reading['max_ms']:.1f} ms "
            f"(cap {STALL_CAP_MS:.0f} ms) in {request.node.name}; "
            f"worst wake-ups: {reading['worst']}; longest garbage collection "
            f"{reading['gc_max_ms']:.1f} ms, {reading['gc_full']} full"
        )
    assert not problems, "\n".join(problems)


# --- strategies ---------------------------------------------------------------

HUGE = st.sampled_from(
    [
        "x" * (PROMPT_CAP + 1),
        "é" * (PROMPT_CAP // 2 + 1),
        "🙂" * 3000,
        "y" * 300_000,
        "\x00" * 100,
    ]
)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\n\t",
        "\x00",
        "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "\u202eevil",
        "'; DROP TABLE tasks; --",
        "{{ states('x') }}{% for i in range(10**9) %}{% endfor %}",
        "../../../../etc/passwd",
        "persona:",
        "persona:../x",
        "conversation.",
        "None",
        "null",
        "true",
        "NaN",
        "-1",
        "1e999",
        "0x10",
        "%s%n%x",
        "<script>alert(1)</script>",
        "Ｎｉｋｋｉ",  # fullwidth: not the persona
    ]
)
TEXT = st.one_of(st.text(max_size=60), NASTY, HUGE)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities become non-standard JSON
    TEXT,
)
JUNK = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=8), inner, max_size=3),
    ),
    max_leaves=6,
)
# Values of the right type but wrong contents, for fields expecting text.
WRONG = st.one_of(JUNK, TEXT)
UNKNOWN_ID = st.one_of(
    st.text(max_size=40), NASTY, HUGE, st.just("01JZZZZZZZZZZZZZZZZZZZZZZZ")
)


def _unresolvable(agent: Any) -> bool:
    """No persona or conversation agent: a wakeup would be refused, not run."""
    if not isinstance(agent, str):
        return True
    folded = agent.strip().casefold()
    return not any(
        word in folded for word in ("nikki", "conversation", "home_assistant", "homea")
    )


AGENT = WRONG.filter(_unresolvable)


def _later(seconds: int) -> int:
    """A positive delay is pushed to at least an hour (no run during the fuzz)."""
    return seconds if seconds <= 0 else seconds + 3600


DELAY = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(_later),
    st.sampled_from(
        [
            {"seconds": -5},
            {"seconds": 0},
            {"days": 999_999_999},
            {"days": 10**9},
            {"days": 1e300},
            {"hours": 2},
            {"hours": -2, "minutes": 30},
            {"weeks": 1},
            {"fortnights": 1},
            "00:00:00",
            "-01:00:00",
            "02:00:00",
            "999999999:00:00",
            "1:2:3:4",
            10**20,
            1e308,
            -1,
            0,
        ]
    ),
    JUNK,
)


def _at(moment: datetime, zone: str) -> str:
    """A time in the past stays; a future one is pushed at least an hour ahead."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if now - timedelta(minutes=1) < moment < now + timedelta(hours=1):
        moment += timedelta(hours=2)
    return moment.isoformat() + zone


AT = st.one_of(
    st.builds(
        _at,
        st.datetimes(),
        st.sampled_from(["", "Z", "+14:00", "-12:00", "+00:00", "+23:59"]),
    ),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-12:00",
            "9999-12-31T23:59:59",
            "0001-01-01T00:00:00",
            "0001-01-01T00:00:00+14:00",
            "2000-01-01 00:00:00",
            "2026-02-30 10:00",
            "tomorrow",
            "",
        ]
    ),
    JUNK,
)
CRON_FIELD = st.sampled_from(
    ["*", "0", "59", "60", "-1", "*/0", "*/1000000", "1-0", "L", "W", "#", "?",
     "0#5", "JAN", "MON-SUN", "99999999999999999999", "@reboot", "@yearly", "5/",
     ",", "1,,2", "* *", "\x00", "é"]
)  # fmt: skip
CRON = st.one_of(
    st.lists(CRON_FIELD, max_size=7).map(" ".join),
    st.sampled_from(["0 0 30 2 *", "0 0 29 2 *", "0 0 31 4 *", "* * * * * *"]),
    TEXT,
    JUNK,
)
STATUS = st.one_of(
    st.sampled_from(["scheduled", "succeeded", "in_progress", "bogus", ""]),
    st.lists(st.sampled_from(["scheduled", "cancelled", "nope"]), max_size=3),
    JUNK,
)
LIMIT = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 500, 1000, 1001, "10", "1e3", 1.5, float("inf")]),
    JUNK,
)
EXTRA = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k.isidentifier()),
    JUNK,
    max_size=2,
)


def fields(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the fields, each hostile, plus sometimes unknown keys."""
    return st.builds(
        lambda chosen, extra: {**extra, **chosen},
        st.fixed_dictionaries({}, optional=strategies),
        st.one_of(st.just({}), EXTRA),
    )


def near_valid(
    base: st.SearchStrategy[dict[str, Any]], **strategies: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly hostile data, but also valid data with one field made hostile.

    Fully random data is nearly always refused at the first check; a valid request
    with a single bad field reaches every later check (and the valid one is accepted).
    """
    one_bad = [
        st.builds(lambda good, bad, key=key: {**good, key: bad}, base, strategy)
        for key, strategy in strategies.items()
    ]
    return st.one_of(fields(**strategies), base, *one_bad)


# --- services -----------------------------------------------------------------


def _two_hours_ahead(_: Any) -> str:
    return (datetime.now(UTC) + timedelta(hours=2)).isoformat()


VALID_SCHEDULE = st.one_of(
    st.just({"prompt": "what time is it", "in": {"hours": 2}}),
    st.just({"prompt": "what time is it", "agent": "Nikki", "in": "03:00:00"}),
    st.builds(
        lambda at: {"prompt": "what time is it", "at": at},
        st.just(0).map(_two_hours_ahead),
    ),
    st.just({"prompt": "what time is it", "cron": "0 0 29 2 *", "enabled": False}),
)


def _schedule_data() -> st.SearchStrategy[dict[str, Any]]:
    return near_valid(
        VALID_SCHEDULE,
        prompt=st.one_of(st.just("say hello"), WRONG),
        agent=st.one_of(
            st.sampled_from(["Nikki", "conversation.home_assistant"]), WRONG
        ),
        at=AT,
        **{"in": DELAY},
        cron=CRON,
        name=WRONG,
        user=WRONG,
        platform=st.one_of(st.sampled_from(["telegram", "tts", "fax"]), WRONG),
        timeout=st.one_of(st.sampled_from([0, -1, 1, 86400, 86401, "5"]), JUNK),
        missed_run_policy=st.one_of(st.sampled_from(["skip", "run_once", "x"]), JUNK),
        enabled=JUNK,
        deliver=JUNK,
        action=st.one_of(st.sampled_from(["agent", "remind", "explode"]), JUNK),
    )


@FUZZ
@given(data=_schedule_data())
def test_schedule_task_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """schedule_task: refusals write nothing; accepted tasks are sane."""
    if "cron" in data:
        data["enabled"] = False  # a valid cron could fire during the fuzz
    status, body = fuzzed.service("schedule_task", data)
    if status == 200:
        response = body["service_response"]
        fuzzed.task_ids.append(response["task_id"])
        next_run = datetime.fromisoformat(response["next_run"])
        if "cron" not in data:
            assert next_run > datetime.now(UTC) + timedelta(minutes=30), data


REAL = st.integers(min_value=0, max_value=30)  # an index into the real tasks
TASK_ID = st.one_of(REAL, REAL, UNKNOWN_ID, JUNK)


def _task_id(fuzzed: Target, value: Any) -> Any:
    """Small integers pick a real task (when there is one), else stay hostile."""
    if isinstance(value, int) and not isinstance(value, bool) and fuzzed.task_ids:
        return fuzzed.task_ids[value % len(fuzzed.task_ids)]
    return value


@FUZZ
@example(data={"task_id": 0})
@given(data=fields(task_id=TASK_ID))
def test_cancel_task_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """cancel_task with unknown, ended and real ids."""
    if "task_id" in data:
        data["task_id"] = _task_id(fuzzed, data["task_id"])
    fuzzed.service("cancel_task", data)


@FUZZ
@given(data=_schedule_data(), task_id=TASK_ID)
def test_update_task_fuzz(fuzzed: Target, data: dict[str, Any], task_id: Any) -> None:
    """update_task: refusals change nothing (the harness compares the file).

    A real task keeps its schedule here (a new one could fire during the fuzz);
    schedules are fuzzed through schedule_task, whose checks an edit shares.
    """
    data = {**data, "task_id": _task_id(fuzzed, task_id)}
    data.pop("enabled", None)
    if data["task_id"] in fuzzed.task_ids:
        for key in ("in", "at", "cron"):
            data.pop(key, None)
    fuzzed.service("update_task", data)


@FUZZ
@given(data=fields(task_id=st.one_of(UNKNOWN_ID, JUNK)))
def test_run_task_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """run_task never names a real task here (that would start a run)."""
    status, _ = fuzzed.service("run_task", data)
    assert status == 400


@FUZZ
@given(data=fields(task_id=TASK_ID, enabled=JUNK))
def test_set_task_enabled_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """set_task_enabled: real tasks are only ever paused (resuming arms them)."""
    if "task_id" in data:
        data["task_id"] = _task_id(fuzzed, data["task_id"])
        if data["task_id"] in fuzzed.task_ids:
            data["enabled"] = False
    fuzzed.service("set_task_enabled", data)


@FUZZ
@given(data=fields(status=STATUS))
def test_list_tasks_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """list_tasks writes nothing, whatever it is given."""
    fuzzed.service("list_tasks", data, read_only=True)


@FUZZ
@given(
    data=fields(
        task_id=TASK_ID,
        routine=st.one_of(st.sampled_from(ROUTINES), WRONG),
        status=STATUS,
        limit=LIMIT,
    )
)
def test_get_executions_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """get_executions writes nothing, whatever it is given."""
    if "task_id" in data:
        data["task_id"] = _task_id(fuzzed, data["task_id"])
    fuzzed.service("get_executions", data, read_only=True)


WAKE_FIELDS = {
    "agent": AGENT,
    "prompt": st.one_of(st.just("hello"), WRONG),
    "user": WRONG,
    "platform": st.one_of(st.sampled_from(["telegram", "fax"]), WRONG),
    "context": st.one_of(st.dictionaries(st.text(max_size=8), JUNK, max_size=4), JUNK),
    "wait": JUNK,
    "deliver": JUNK,
}


@FUZZ
@given(data=near_valid(st.just({"agent": "nobody", "prompt": "hi"}), **WAKE_FIELDS))
def test_wakeup_service_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """The wakeup action never resolves an agent here, so it is always refused."""
    status, _ = fuzzed.service("wakeup", data)
    assert status == 400


@FUZZ
@given(data=fields(routine=WRONG.filter(lambda r: r not in ROUTINES)))
def test_run_routine_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """run_routine with unknown routines only (a real one would run)."""
    status, _ = fuzzed.service("run_routine", data)
    assert status == 400


@FUZZ
@given(data=fields(routine=st.one_of(st.sampled_from(ROUTINES), WRONG), enabled=JUNK))
def test_set_routine_enabled_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """set_routine_enabled: real routines are only switched off."""
    if data.get("routine") in ROUTINES:
        data["enabled"] = False
    fuzzed.service("set_routine_enabled", data)


@FUZZ
@given(data=fields(query=WRONG, limit=LIMIT))
def test_list_facts_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """list_facts writes nothing, whatever it is given."""
    fuzzed.service("list_facts", data, read_only=True)


@FUZZ
@given(data=fields(fact_id=st.one_of(UNKNOWN_ID, JUNK)))
def test_forget_fact_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """forget_fact of facts that do not exist is refused."""
    status, _ = fuzzed.service("forget_fact", data)
    assert status == 400


@FUZZ
@given(data=fields(limit=LIMIT))
def test_get_audits_fuzz(fuzzed: Target, data: dict[str, Any]) -> None:
    """get_audits writes nothing, whatever it is given."""
    fuzzed.service("get_audits", data, read_only=True)


SERVICES = (
    "schedule_task",
    "update_task",
    "cancel_task",
    "run_task",
    "set_task_enabled",
    "list_tasks",
    "get_executions",
    "wakeup",
    "run_routine",
    "set_routine_enabled",
    "list_facts",
    "forget_fact",
    "get_audits",
)


def test_every_service_is_fuzzed(fuzzed: Target) -> None:
    """The services hass knows for the domain are exactly the fuzzed ones."""
    status, services = fuzzed.process.request("GET", "/api/services")
    assert status == 200
    [ours] = [s for s in services if s["domain"] == DOMAIN]
    assert set(ours["services"]) == set(SERVICES)


@FUZZ
@given(
    service=st.sampled_from(SERVICES),
    body=st.one_of(
        JUNK.filter(lambda v: not isinstance(v, dict)).map(
            lambda v: json.dumps(v).encode()
        ),
        # Valid UTF-8 only: Home Assistant's REST API itself answers 500 to
        # undecodable bytes, before any service sees them.
        st.text(max_size=100).map(str.encode),
        st.sampled_from([b"{", b"[" * 5000, b'{"a":' * 5000]),
    ),
)
def test_services_refuse_non_objects(fuzzed: Target, service: str, body: bytes) -> None:
    """A body that is not a JSON object: refused (or empty data), nothing written."""
    try:
        if not body.strip() or not json.loads(body):
            return  # empty data ([], 0, ""): the services' defaults, covered above
    except ValueError:
        pass
    no_response = service in ("cancel_task", "forget_fact", "set_routine_enabled")
    status, _ = fuzzed.send(
        "POST",
        f"/api/services/{DOMAIN}/{service}"
        + ("" if no_response else "?return_response"),
        body,
        {"Content-Type": "application/json"},
        writes="never",
    )
    assert status == 400


# --- POST /api/wakeup and /api/events/ha -----------------------------------------

CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/octet-stream",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "",
    ]
)
RAW_BODIES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"{",
            b"null",
            b"[]",
            b'"text"',
            b"[" * 100_000,  # deeper than any JSON parser recurses
            b'{"a":' * 30_000,
            b'{"agent": "x", "prompt": "' + b"p" * (WAKEUP_CAP + 10) + b'"}',
            b"\xff\xfe\x00",
            b'{"agent": "x", "prompt": "y", "agent": "z"}',
            b"1" * 5000,  # more digits than Python converts
        ]
    ),
    JUNK.map(lambda v: json.dumps(v).encode()),
)


def _json_body(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


@FUZZ
@given(
    body=st.one_of(
        near_valid(st.just({"agent": "nobody", "prompt": "hi"}), **WAKE_FIELDS).map(
            _json_body
        ),
        RAW_BODIES,
    ),
    content_type=CONTENT_TYPES,
)
def test_wakeup_endpoint_fuzz(fuzzed: Target, body: bytes, content_type: str) -> None:
    """POST /api/wakeup: never a resolvable agent, so always a 4xx and no write."""
    headers = {"Content-Type": content_type} if content_type else {}
    status, answer = fuzzed.send("POST", "/api/wakeup", body, headers)
    assert 400 <= status < 500, (status, answer[:300])
    assert status in (400, 404, 413, 415), status


EVENT_FIELDS = {
    "type": st.one_of(st.sampled_from(["backup_failed", "x" * 101]), WRONG),
    "summary": st.one_of(st.just("NAS backup failed"), WRONG),
    "significance": st.one_of(st.integers(min_value=-5, max_value=5), JUNK),
    "id": st.one_of(st.text(max_size=20), st.just("i" * 201), JUNK),
    "user": WRONG,
    "agent": AGENT,
    "prompt": st.one_of(st.just("look"), WRONG),
    "platform": st.one_of(st.sampled_from(["telegram", "fax"]), WRONG),
    "context": JUNK,
}


@FUZZ
@example(  # a valid event that names an unknown agent: refused before storing
    body=_json_body(
        {"type": "doorbell", "summary": "Ring", "agent": "nobody", "prompt": "go"}
    ),
    content_type="application/json",
)
@example(
    body=_json_body(
        {"type": "doorbell", "summary": "Ring", "agent": "nobody", "prompt": " "}
    ),
    content_type="application/json",
)
@example(
    body=_json_body({"type": "backup_failed", "summary": "NAS", "id": "b-17"}),
    content_type="application/json",
)
@example(  # found by the fuzz: blank text and an empty id are refused
    body=_json_body({"type": " ", "summary": " ", "id": ""}),
    content_type="application/json",
)
@given(
    body=st.one_of(
        near_valid(
            st.builds(
                lambda n: {"type": "backup_failed", "summary": "NAS", "id": f"e-{n}"},
                st.integers(min_value=0, max_value=50),
            ),
            **EVENT_FIELDS,
        ).map(_json_body),
        RAW_BODIES,
    ),
    content_type=CONTENT_TYPES,
)
def test_ha_events_endpoint_fuzz(
    fuzzed: Target, body: bytes, content_type: str
) -> None:
    """POST /api/events/ha: refusals write nothing; a replay is a duplicate."""
    headers = {"Content-Type": content_type} if content_type else {}
    status, answer = fuzzed.send("POST", "/api/events/ha", body, headers)
    assert status in (200, 202, 400, 404, 413, 415), (status, answer[:300])
    if status == 202:
        first = json.loads(answer)
        assert first["execution_id"] is None  # no agent is ever woken here
        # Only an id makes a replay a duplicate; without one it is a new event.
        has_id = bool(json.loads(body).get("id"))
        replay, again = fuzzed.send(
            "POST",
            "/api/events/ha",
            body,
            headers,
            writes="never" if has_id else "on_accept",
        )
        if has_id:
            assert replay == 200, again
            assert json.loads(again)["duplicate"] is True


# --- YouTube ------------------------------------------------------------------


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.encode()
        if i > 1
        else b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        for i in range(1, 10)
    )
    + b']><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title>'
    + b"</entry></feed>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom" '
    b'xmlns:yt="http://www.youtube.com/xml/schemas/2015"><entry>'
    b"<yt:videoId>&xxe;</yt:videoId><title>&xxe;</title></entry></feed>"
)
XML_BODIES = st.one_of(
    st.builds(
        atom,
        st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20),
        st.text(max_size=40).map(
            lambda t: t.replace("&", "").replace("<", "").replace("]]>", "")
        ),
    ),
    st.sampled_from(
        [
            BILLION_LAUGHS,
            EXTERNAL_ENTITY,
            b"<feed",
            b"",
            b"\xff\xfe<x/>",
            b"<feed>" + b"<a>" * 50_000 + b"</feed>",
            atom("v" * 10, "big") + b" " * ATOM_CAP,
        ]
    ),
    st.binary(max_size=300),
)


@FUZZ
@example(query={"hub.mode": "subscribe", "hub.topic": YT_TOPIC, "hub.challenge": "c1"})
@example(
    query={"hub.mode": "subscribe", "hub.topic": YT_TOPIC + "x", "hub.challenge": "c"}
)
@given(
    query=st.dictionaries(
        st.one_of(
            st.sampled_from(["hub.mode", "hub.topic", "hub.challenge", "hub.lease"]),
            st.text(max_size=10),
        ),
        st.one_of(
            st.sampled_from(["subscribe", "unsubscribe", YT_TOPIC, "c" * 5000]),
            st.text(max_size=30),
        ),
        max_size=4,
    )
)
def test_youtube_verification_fuzz(fuzzed: Target, query: dict[str, str]) -> None:
    """The hub's GET echoes the challenge only for the subscription we asked for;
    it never writes."""
    path = "/api/events/youtube?" + urllib.parse.urlencode(query)
    status, answer = fuzzed.send("GET", path, auth=False, writes="never")
    # Only the subscription we asked the hub for: never an unsubscribe.
    ours = (
        query.get("hub.mode") == "subscribe"
        and query.get("hub.topic") == YT_TOPIC
        and bool(query.get("hub.challenge"))
    )
    if ours:
        assert status == 200
        assert answer.decode() == query["hub.challenge"]
    else:
        # 400: aiohttp itself refuses some encoded control characters.
        assert status in (400, 404)


@FUZZ
@example(body=atom("v1", "t"), signing="garbage", garbage="sha1=é", content_type="")
@example(body=BILLION_LAUGHS, signing="sha1", garbage="", content_type="")
@example(body=EXTERNAL_ENTITY, signing="sha256", garbage="", content_type="")
@example(body=atom("v2", "t"), signing="sha1", garbage="", content_type="")
@given(
    body=XML_BODIES,
    signing=st.sampled_from(
        ["sha1", "sha256", "sha512", "none", "forged", "wrong_secret", "garbage"]
    ),
    garbage=st.text(max_size=30),
    content_type=st.sampled_from(["application/atom+xml", "text/xml", "", "x/y"]),
)
def test_youtube_notification_fuzz(
    fuzzed: Target, body: bytes, signing: str, garbage: str, content_type: str
) -> None:
    """Unsigned, forged, unsafe or oversized notifications write nothing."""
    headers = {"Content-Type": content_type} if content_type else {}
    if signing in ("sha1", "sha256", "sha512"):
        headers["X-Hub-Signature"] = hub_signature(body, signing)
    elif signing == "forged":
        headers["X-Hub-Signature"] = "sha1=" + "0" * 40
    elif signing == "wrong_secret":
        headers["X-Hub-Signature"] = "sha1=" + hmac.new(b"x", body, "sha1").hexdigest()
    elif signing == "garbage":
        # Latin-1 on the wire: urllib sends non-ASCII header bytes as they are.
        printable = "".join(c for c in garbage if c.isprintable())
        headers["X-Hub-Signature"] = printable.encode("latin-1", "replace").decode(
            "latin-1"
        )
    signed = signing in ("sha1", "sha256", "sha512")
    unsafe = body in (BILLION_LAUGHS, EXTERNAL_ENTITY) or len(body) > ATOM_CAP
    status, _ = fuzzed.send(
        "POST",
        "/api/events/youtube",
        body,
        headers,
        auth=False,
        writes="on_accept" if signed and not unsafe else "never",
    )
    if len(body) > ATOM_CAP:
        assert status == 413
    elif not signed:
        assert status == 202  # WebSub: acknowledged, ignored
    elif unsafe:
        assert status == 400
    if signed and status == 202:
        # The same notification again: acknowledged, stored once.
        again, _ = fuzzed.send(
            "POST", "/api/events/youtube", body, headers, auth=False, writes="never"
        )
        assert again == 202


# --- Vonage -------------------------------------------------------------------


VONAGE_PARAMS = st.dictionaries(
    st.one_of(
        st.sampled_from(["msisdn", "to", "messageId", "text", "type", "timestamp"]),
        st.text(min_size=1, max_size=8),
    ),
    st.one_of(
        st.sampled_from(["447700900001", "", "x" * 10_000, "nan", "inf", "1e309"]),
        st.text(max_size=30),
    ),
    max_size=6,
)


@FUZZ
@example(
    params={"msisdn": "447700900001", "messageId": "m-1", "text": "hi"},
    signing="garbage",
    garbage="é" * 64,
    transport="get",
)
@example(
    params={"msisdn": "447700900001", "messageId": "m-2", "text": "hi"},
    signing="nan",
    garbage="",
    transport="form",
)
@example(
    params={"msisdn": "447700900001", "messageId": "m-3", "text": "hi"},
    signing="fresh",
    garbage="",
    transport="json",
)
@given(
    params=VONAGE_PARAMS,
    signing=st.sampled_from(
        ["fresh", "stale", "future", "nan", "forged", "wrong_secret", "garbage", "none"]
    ),
    garbage=st.text(max_size=30),
    transport=st.sampled_from(["get", "form", "json", "json_list", "huge"]),
)
def test_vonage_inbound_fuzz(
    fuzzed: Target,
    params: dict[str, str],
    signing: str,
    garbage: str,
    transport: str,
) -> None:
    """Only a fresh, correctly signed SMS is stored, once; the rest is a 4xx."""
    params = {k: v for k, v in params.items() if k != "sig"}
    now = time.time()
    stamps = {"fresh": now, "stale": now - 600, "future": now + 600}
    if signing in stamps:
        params["timestamp"] = str(int(stamps[signing]))
    elif signing == "nan":
        params["timestamp"] = "nan"
    if signing in ("fresh", "stale", "future", "nan"):
        params["sig"] = vonage_sign(params)
    elif signing == "forged":
        params["sig"] = "0" * 64
    elif signing == "wrong_secret":
        params["sig"] = vonage_sign(params, "not-the-secret")
    elif signing == "garbage":
        params["timestamp"] = str(int(now))  # fresh: the signature itself is checked
        params["sig"] = garbage
    accepted = signing == "fresh" and transport not in ("json_list", "huge")
    path = "/api/events/vonage/inbound"
    request: tuple[str, str, bytes | None, dict[str, str]]
    if transport == "get":
        request = ("GET", f"{path}?{urllib.parse.urlencode(params)}", None, {})
    elif transport == "form":
        request = (
            "POST",
            path,
            urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    elif transport == "json":
        request = ("POST", path, json.dumps(params).encode(), JSON)
    elif transport == "json_list":
        request = ("POST", path, json.dumps([params]).encode(), JSON)
    else:
        request = (
            "POST",
            path,
            urllib.parse.urlencode({**params, "pad": "p" * WAKEUP_CAP}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
    method, url, body, headers = request
    status, answer = fuzzed.send(
        method,
        url,
        body,
        headers,
        auth=False,
        writes="on_accept" if accepted else "never",
    )
    if not accepted:
        assert 400 <= status < 500, (status, answer[:200])
    if accepted and status == 200:
        # The same signed request again (a replay within the freshness window):
        # answered, but stored once.
        again, _ = fuzzed.send(method, url, body, headers, auth=False, writes="never")
        assert again == 200


# --- the card -----------------------------------------------------------------


@FUZZ
@given(
    suffix=st.one_of(
        st.sampled_from(
            [
                "",
                "?v=1",
                "?v=" + "x" * 4000,
                "/../manifest.json",
                "%2f..%2f..%2fsecrets.yaml",
                "/..%2f..%2fconfiguration.yaml",
                "%00",
                ".map",
            ]
        ),
        st.text(max_size=20).map(lambda t: "?" + urllib.parse.quote(t)),
    ),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
def test_card_static_url_fuzz(fuzzed: Target, suffix: str, method: str) -> None:
    """The card's URL serves the card only, and never writes."""
    status, answer = fuzzed.send(
        method, f"/{DOMAIN}/dland-assistant-card.js{suffix}", auth=False, writes="never"
    )
    if method == "GET" and (suffix == "" or suffix.startswith("?")):
        # 400: aiohttp itself refuses some encoded control characters.
        assert status in (200, 400)
        if status == 200:
            assert b"dland-assistant-card" in answer
    else:
        assert status in (200, 400, 403, 404, 405), status
        assert b"dland_assistant:" not in answer  # never the configuration


# --- targeted: pathological cron, huge fields, split bodies -------------------


def _values(low: int, high: int, times: int) -> str:
    """``low,low+1,…,high`` repeated: a long comma list of valid values."""
    return ",".join([",".join(str(v) for v in range(low, high + 1))] * times)


HUGE_FIELD = 2 * 2**20  # 2 MB
HUGE_BATCH = 20
# RSS growth allowed over a batch of 20 requests of 2 MB fields, both RSS read
# right after a full garbage collection and heap trim: 40 MB goes through and must
# be let go. Until the collector runs, a refused REST call's data sits in reference
# cycles (garbage; a Home Assistant service of another domain does the same): the
# raw RSS grows 40-120 MB a batch and falls back when collected, so it is
# reported, not bounded. Measured kept growth is within +-1 MB; keeping a copy of
# every request (a cache, a log, a stored row) would be 40 MB.
RSS_BATCH_CAP_KB = 30 * 1024
HUGE_VALUES = {
    "user": "person." + "u" * HUGE_FIELD,
    "platform": "p" * HUGE_FIELD,
    "agent": "a" * HUGE_FIELD,
    "name": "n" * HUGE_FIELD,
    "prompt": "q" * HUGE_FIELD,
}
BASES: dict[str, dict[str, Any]] = {
    # Valid but for the huge field (never run: two hours ahead).
    "schedule_task": {"prompt": "what time is it", "in": {"hours": 2}},
    # Never a resolvable agent: always refused.
    "wakeup": {"agent": "nobody", "prompt": "hi"},
}
HUGE_CASES = [
    (where, field)
    for where in ("schedule_task", "wakeup", "/api/wakeup")
    for field in HUGE_VALUES
]


@pytest.mark.parametrize(
    ("where", "field"), HUGE_CASES, ids=[f"{w.strip('/')}-{f}" for w, f in HUGE_CASES]
)
def test_huge_fields_are_refused_without_growing_memory(
    fuzzed: Target, where: str, field: str
) -> None:
    """2 MB in one field, 20 times, to each action over REST and to the wakeup
    endpoint (whose bodies are capped at 64 KB): every request is a 400, nothing
    is stored, and hass's RSS grows by less than RSS_BATCH_CAP_KB."""
    base = BASES["wakeup" if where == "/api/wakeup" else where]
    data = {**base, field: HUGE_VALUES[field]}
    raw_before = fuzzed.rss_kb()
    before = fuzzed.retained_rss_kb()
    statuses = []
    for _ in range(HUGE_BATCH):
        if where == "/api/wakeup":
            status, _answer = fuzzed.send(
                "POST", "/api/wakeup", json.dumps(data).encode(), JSON
            )
        else:
            status, _answer = fuzzed.service(where, data)
        statuses.append(status)
    time.sleep(1)  # let anything still holding a request's memory let go
    raw_after = fuzzed.rss_kb()
    after = fuzzed.retained_rss_kb()
    fuzzed.batches[f"{where} {field}"] = (raw_before, raw_after, before, after)
    assert set(statuses) == {400}, statuses
    assert after - before < RSS_BATCH_CAP_KB, (
        f"RSS kept {(after - before) / 1024:.1f} MB more after {HUGE_BATCH} "
        f"requests (cap {RSS_BATCH_CAP_KB / 1024:.0f} MB; raw growth "
        f"{(raw_after - raw_before) / 1024:.1f} MB)"
    )


def _split_wakeup_body() -> bytes:
    """A valid 20 KB wakeup for an agent nobody has (spaces are valid JSON)."""
    wakeup = json.dumps({"agent": "nobody", "prompt": "x" * 8000, "deliver": False})
    body = wakeup.encode()[:-1] + b" " * 12_000 + b"}"
    assert len(body) > 20_000
    return body


def test_split_wakeup_body_is_read_whole(fuzzed: Target) -> None:
    """A 20 KB wakeup sent in two TCP writes a moment apart is read whole: the
    answer is the unknown agent's 404, not a 400 for the half that came first."""
    body = _split_wakeup_body()
    whole, answer = fuzzed.send("POST", "/api/wakeup", body, JSON)
    assert whole == 404, answer[:300]
    status, answer = fuzzed.send("POST", "/api/wakeup", body, JSON, split=True)
    assert status == 404, answer[:300]
    assert b"nobody" in answer, answer[:300]


def test_split_youtube_notification_is_accepted_as_whole(fuzzed: Target) -> None:
    """A correctly signed hub notification in two TCP writes is stored as the
    same notification sent whole is (one new event each); forged, it is
    acknowledged and ignored; replayed, stored once."""
    path = "/api/events/youtube"
    stored: dict[str, int] = {}
    for split, video in ((False, "splitwhole1"), (True, "splitparts1")):
        body = atom(video, f"Sent {'in two writes' if split else 'whole'}")
        headers = {
            "Content-Type": "application/atom+xml",
            "X-Hub-Signature": hub_signature(body),
        }
        before = fuzzed.snapshot()
        status, answer = fuzzed.send(
            "POST", path, body, headers, auth=False, split=split
        )
        assert status == 202, answer[:300]
        changes = diff(before, fuzzed.snapshot())
        stored[video] = sum(len(c["added"]) for c in changes.values())
        assert any(video in repr(c["added"]) for c in changes.values()), changes
        again, _ = fuzzed.send(
            "POST", path, body, headers, auth=False, writes="never", split=split
        )
        assert again == 202
    assert stored["splitwhole1"] == stored["splitparts1"] > 0, stored
    forged = atom("splitforged1", "Forged")
    status, _ = fuzzed.send(
        "POST",
        path,
        forged,
        {"X-Hub-Signature": "sha1=" + "0" * 40},
        auth=False,
        writes="never",
        split=True,
    )
    assert status == 202


NESTED_FEED = b"<feed>" + b"<a>" * 80_000 + b"</feed>"  # 240 KB, under the cap


def test_signed_deeply_nested_notification_is_refused_quickly(fuzzed: Target) -> None:
    """A correctly signed notification under the size cap but of 80,000 nested
    elements (the fuzz sends one of 50,000) is refused (400) and writes nothing,
    five times, without holding the loop (the fixture checks the stall)."""
    headers = {
        "Content-Type": "application/atom+xml",
        "X-Hub-Signature": hub_signature(NESTED_FEED),
    }
    for _ in range(5):
        status, _ = fuzzed.send(
            "POST", "/api/events/youtube", NESTED_FEED, headers, auth=False
        )
        assert status == 400


# Five-field expressions whose every field is valid on its own, so only their
# length is wrong, and a few that are wrong in shape.
HUGE_CRON = {
    "1mb-stars": "*" * 2**20,
    "1mb-digits": "7" * 2**20,
    "1mb-commas": "," * 2**20,
    "1mb-star-digit-comma": "*,1," * 2**18,
    "1mb-minute-list": _values(0, 59, 2**20 // 170) + " * * * *",
    "100kb-minutes": _values(0, 59, 100_000 // 170) + " * * * *",
    "each-field-a-huge-list": " ".join(
        [
            _values(0, 59, 1000),
            _values(0, 23, 2500),
            _values(1, 31, 2000),
            _values(1, 12, 5000),
            _values(0, 6, 8000),
        ]
    ),
    "step-1-lists": " ".join([",".join(["*/1"] * 20_000)] * 5),
    "step-1-zero-padded": " ".join(["*/" + "0" * 20_000 + "1"] * 5),
    "step-1-ranges": " ".join(
        [",".join([r] * 10_000) for r in ("0-59/1", "0-23/1", "1-31/1", "1-12/1")]
        + ["0-6/1"]
    ),
    "repeated-ranges": ",".join(["0-59"] * 30_000)
    + " "
    + ",".join(["0-23"] * 30_000)
    + " * * *",
    "six-fields": "0 0 * * * *",
    "seven-fields": "0 0 0 * * * 2099",
    "six-huge-fields": " ".join([_values(0, 59, 300)] * 6),
    "arabic-indic-digits": "٠ ٧ * * *",
    "fullwidth-digits": "０ ７ * * *",
    "devanagari-digits": "० ७ * * *",
}


@pytest.mark.parametrize("cron", list(HUGE_CRON.values()), ids=list(HUGE_CRON))
def test_pathological_cron_is_refused_quickly(fuzzed: Target, cron: str) -> None:
    """A cron expression of megabytes, of huge lists, or in the wrong shape or
    digits is refused with a 400, writes nothing, and never holds the loop (the
    fixture checks the stall)."""
    status, body = fuzzed.service(
        "schedule_task",
        {"prompt": "what time is it", "cron": cron, "enabled": False},
    )
    if status == 200:  # stored (disabled): cancel it, so nothing else reads it
        task_id = body["service_response"]["task_id"]
        fuzzed.process.call_service("cancel_task", {"task_id": task_id})
    assert status == 400, (status, str(body)[:300], len(cron))


def test_nothing_left_running(fuzzed: Target) -> None:
    """After all of it: no run started, every fuzzed task still waits or ended.

    And the fuzz reached both sides: some requests were accepted and some refused.
    """
    seen = fuzzed.seen
    service = f"/api/services/{DOMAIN}/"
    assert {200, 400} <= seen[service + "schedule_task"], seen
    assert {200, 400} <= seen[service + "set_task_enabled"], seen
    assert {200, 400} <= seen[service + "cancel_task"], seen
    assert {200, 400} <= seen[service + "get_executions"], seen
    assert {400, 404} <= seen["/api/wakeup"], seen
    assert {200, 202, 400, 404, 415} <= seen["/api/events/ha"], seen
    assert {200, 404} <= seen["/api/events/youtube"] - {400}, seen
    assert {200, 401, 400} <= seen["/api/events/vonage/inbound"], seen
    assert len(fuzzed.task_ids) >= 5
    status, body = fuzzed.process.call_service("get_executions", {"limit": 1000})
    assert status == 200
    assert body["executions"] == []
    status, body = fuzzed.process.call_service("list_tasks")
    assert status == 200
    assert {t["status"] for t in body["tasks"]} <= {"scheduled", "cancelled"}
