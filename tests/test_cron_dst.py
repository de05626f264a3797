"""Cron runs across a whole year of daylight-saving changes, checked by an oracle.

The rule (Debian cron's, made exact with zoneinfo):

* A *wildcard* expression -- its minute or hour field starts with ``*``, as in
  ``*/15 * * * *``, ``0 * * * *``, ``*/10 2 * * *`` or ``30 */2 * * *`` -- follows
  real time. It runs at every real (UTC) minute whose local wall-clock time matches
  the fields. When the clocks go back, the repeated hour's matching times run twice,
  once at each of their two instants; when they go forward, the skipped wall times
  never exist, so nothing runs for them.
* A *fixed-time* expression -- neither field starts with ``*``, as in ``30 2 * * *``
  or ``0 3 * * 1-5`` -- runs once per intended local time. A doubled wall time runs at
  its first occurrence only (``fold=0``); a missing one runs at the same instant
  shifted by the gap, which is what ``wall.replace(tzinfo=zone, fold=0)`` gives
  (02:30 on Berlin's spring night is 01:30 UTC, 03:30 CEST). Two intended times on
  one instant are one run.
* Days follow standard cron: when both day-of-month and day-of-week are restricted
  (neither starts with ``*``) a day matches if either does, otherwise both must;
  day-of-week 0 and 7 are Sunday.

The oracle below is independent of the code under test: it has its own small field
parser and matcher, uses nothing but ``datetime`` and ``zoneinfo``, and computes
runs by scanning rather than by stepping a cron library. For wildcard expressions it
finds the zone's offset changes, then maps every matching wall time of each
constant-offset stretch back to UTC; for fixed-time expressions it maps every
intended wall time with ``fold=0``. ``next_cron_run`` is then chained from a start
instant and the two lists of instants must be equal.

Hourly and sparser expressions are compared over all of 2026. The every-15-minute
one would take too long to chain over a whole year in every zone, so it is compared
over each offset change's local day with a day either side (and, for a zone with no
changes, over the first days of the year).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from custom_components.dland_assistant.engine.cron import next_cron_run

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",  # southern hemisphere: forward in October, back in April
    "Australia/Adelaide",  # +09:30 / +10:30
    "Australia/Lord_Howe",  # +10:30 / +11:00: a 30-minute shift
    "Asia/Kolkata",  # +05:30, no daylight saving
    "America/Santiago",  # southern; changes at local midnight
    "Pacific/Chatham",  # +12:45 / +13:45, changes at 02:45 / 03:45 local
)

FIXED = (
    "30 2 * * *",
    "0 3 * * *",
    "0 1 * * 0",  # weekly, Sunday: New York's and Sydney's change nights are Sundays
    "0 12 1 * 1",  # day OR rule: the 1st of the month and every Monday
    "30 1-3 * * *",  # Berlin's 02:30 shifts onto its 03:30: one run
    "0 0,23 * * *",  # Santiago: 00:00 is skipped, 23:00 doubled
)
WILDCARD = ("0 * * * *", "30 */2 * * *", "*/10 2 * * *")
# Compared around the offset changes only.
HIGH_FREQUENCY = ("*/15 * * * *",)

# Minute, hour, day of month, month, day of week.
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_MARGIN = timedelta(days=3)


# --- The oracle ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cron:
    """A parsed five-field expression."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    day_or: bool
    wildcard: bool

    def matches_day(self, day: date) -> bool:
        """Return whether this expression runs on this local date."""
        if day.month not in self.months:
            return False
        by_date = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        return by_date or by_weekday if self.day_or else by_date and by_weekday

    def wall_times(self, first: date, last: date) -> Iterator[datetime]:
        """Yield every matching naive wall time on the local dates first..last."""
        day = first
        while day <= last:
            if self.matches_day(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        yield datetime(day.year, day.month, day.day, hour, minute)
            day += timedelta(days=1)


def _field(text: str, low: int, high: int) -> set[int]:
    """Parse one field: ``*``, ``a``, ``a-b``, each optionally ``/n``, comma-joined."""
    values: set[int] = set()
    for part in text.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            first, last = low, high
        elif "-" in spec:
            first_text, last_text = spec.split("-")
            first, last = int(first_text), int(last_text)
        else:
            first = int(spec)
            last = high if step_text else first
        assert low <= first <= last <= high, text
        values.update(range(first, last + 1, step))
    return values


def parse(expression: str) -> Cron:
    """Parse a five-field expression with the simple syntax these tests use."""
    fields = expression.split()
    assert len(fields) == 5, expression
    minute, hour, day, month, weekday = (
        _field(text, low, high)
        for text, (low, high) in zip(fields, _BOUNDS, strict=True)
    )
    return Cron(
        minutes=tuple(sorted(minute)),
        hours=tuple(sorted(hour)),
        days=frozenset(day),
        months=frozenset(month),
        weekdays=frozenset(value % 7 for value in weekday),
        day_or=not fields[2].startswith("*") and not fields[4].startswith("*"),
        wildcard=fields[0].startswith("*") or fields[1].startswith("*"),
    )


@dataclass(frozen=True)
class Stretch:
    """A span of UTC [start, end) during which the zone's offset is constant."""

    start: datetime
    end: datetime
    offset: timedelta


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


@cache
def stretches(zone_name: str) -> tuple[Stretch, ...]:
    """Split START-END (with a margin) into constant-offset stretches.

    Scans hourly, then bisects each change to the second; no zone changes its
    offset twice within an hour.
    """
    zone = ZoneInfo(zone_name)
    low, high = START - _MARGIN, END + _MARGIN
    found: list[Stretch] = []
    begin, offset = low, _offset(zone, low)
    probe = low
    while probe < high:
        step_end = min(probe + timedelta(hours=1), high)
        if _offset(zone, step_end) != offset:
            before, after = probe, step_end  # offset(before) == offset != offset(after)
            while after - before > timedelta(seconds=1):
                middle = before + (after - before) / 2
                if _offset(zone, middle) == offset:
                    before = middle
                else:
                    after = middle
            found.append(Stretch(begin, after, offset))
            begin, offset = after, _offset(zone, after)
        probe = step_end
    found.append(Stretch(begin, high, offset))
    return tuple(found)


def transitions(zone_name: str) -> list[datetime]:
    """Return the instants in START-END at which the zone's offset changes."""
    return [s.start for s in stretches(zone_name)[1:] if START <= s.start < END]


def expected_runs(
    expression: str, zone_name: str, low: datetime, high: datetime
) -> list[datetime]:
    """Return, sorted, every run in UTC (low, high) by the rule in the docstring.

    Like chained_runs, the window excludes ``low``: runs are strictly after it.
    """
    cron = parse(expression)
    runs: set[datetime] = set()
    if cron.wildcard:
        # Real time: each matching wall time within a constant-offset stretch is one
        # run; a doubled wall time lies in two stretches, a skipped one in none.
        for stretch in stretches(zone_name):
            begin, end = max(stretch.start, low), min(stretch.end, high)
            if begin >= end:
                continue
            wall_begin = (begin + stretch.offset).replace(tzinfo=None)
            wall_end = (end + stretch.offset).replace(tzinfo=None)
            for wall in cron.wall_times(wall_begin.date(), wall_end.date()):
                if wall_begin <= wall < wall_end:
                    runs.add((wall - stretch.offset).replace(tzinfo=UTC))
    else:
        # Intended local times: fold=0 picks a doubled time's first occurrence and
        # shifts a skipped one by the gap.
        zone = ZoneInfo(zone_name)
        first = (low - _MARGIN).date()
        last = (high + _MARGIN).date()
        for wall in cron.wall_times(first, last):
            instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
            if low < instant < high:
                runs.add(instant)
    return sorted(run for run in runs if low < run < high)


# --- The code under test ------------------------------------------------------------


def chained_runs(
    expression: str, zone_name: str, low: datetime, high: datetime
) -> list[datetime]:
    """Return every run in UTC (low, high) by chaining next_cron_run from low."""
    runs: list[datetime] = []
    after = low
    while (
        run := next_cron_run(expression, zone_name, after)
    ) is not None and run < high:
        assert run.utcoffset() == timedelta(0), f"{run!r} is not an aware UTC time"
        assert run > after, f"next_cron_run({expression!r}, after={after}) gave {run}"
        runs.append(run)
        after = run
    return runs


def _describe(instant: datetime, zone: ZoneInfo) -> str:
    return f"{instant:%Y-%m-%d %H:%MZ} ({instant.astimezone(zone):%Y-%m-%d %H:%M%z})"


def _sample(instants: list[datetime], zone: ZoneInfo) -> str:
    return ", ".join(_describe(instant, zone) for instant in instants[:6])


def assert_same_runs(
    expression: str, zone_name: str, expected: list[datetime], actual: list[datetime]
) -> None:
    """Fail with the first difference and a sample of missing and extra runs."""
    if expected == actual:
        return
    zone = ZoneInfo(zone_name)
    index = next(
        (i for i, (e, a) in enumerate(zip(expected, actual, strict=False)) if e != a),
        min(len(expected), len(actual)),
    )
    want = _describe(expected[index], zone) if index < len(expected) else "no more runs"
    got = _describe(actual[index], zone) if index < len(actual) else "no more runs"
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    pytest.fail(
        f"{expression!r} in {zone_name}: {len(actual)} runs, expected {len(expected)}."
        f"\n  first difference at run {index}: expected {want}, got {got}"
        f"\n  missing ({len(missing)}): {_sample(missing, zone)}"
        f"\n  extra ({len(extra)}): {_sample(extra, zone)}",
        pytrace=False,
    )


def change_windows(zone_name: str) -> list[tuple[datetime, datetime]]:
    """Return UTC windows: each change's local day with a day either side."""
    zone = ZoneInfo(zone_name)
    windows: list[tuple[datetime, datetime]] = []
    for change in transitions(zone_name):
        day = change.astimezone(zone).date()
        windows.append(
            (
                datetime.combine(day - timedelta(days=1), time(), zone).astimezone(UTC),
                datetime.combine(day + timedelta(days=2), time(), zone).astimezone(UTC),
            )
        )
    return windows or [(START, START + timedelta(days=3))]


# --- The table ----------------------------------------------------------------------


def _cases(expressions: tuple[str, ...]) -> list[object]:
    return [
        pytest.param(zone, expression, id=f"{zone}-{expression}")
        for expression in expressions
        for zone in ZONES
    ]


@pytest.mark.parametrize(("zone", "expression"), _cases(FIXED + WILDCARD))
def test_whole_year(zone: str, expression: str) -> None:
    """Every run of 2026 matches the oracle."""
    expected = expected_runs(expression, zone, START, END)
    assert expected, "the oracle found no runs at all"
    assert_same_runs(
        expression, zone, expected, chained_runs(expression, zone, START, END)
    )


@pytest.mark.parametrize(("zone", "expression"), _cases(HIGH_FREQUENCY))
def test_around_each_change(zone: str, expression: str) -> None:
    """Every run around each of 2026's offset changes matches the oracle."""
    for low, high in change_windows(zone):
        expected = expected_runs(expression, zone, low, high)
        assert_same_runs(
            expression, zone, expected, chained_runs(expression, zone, low, high)
        )


# --- The rule in plain terms --------------------------------------------------------

type Runs = Callable[[str, str, datetime, datetime], list[datetime]]
SOURCES = [
    pytest.param(expected_runs, id="oracle"),
    pytest.param(chained_runs, id="next_cron_run"),
]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _local_hour(instant: datetime, zone: str) -> int:
    return instant.astimezone(ZoneInfo(zone)).hour


@pytest.mark.parametrize("runs", SOURCES)
def test_berlin_fall_back_wildcard_runs_both_hours(runs: Runs) -> None:
    """2026-10-25, 03:00 CEST -> 02:00 CET: every 15 minutes runs eight 02:xx times."""
    night = runs(
        "*/15 * * * *",
        "Europe/Berlin",
        _utc("2026-10-24 21:00"),
        _utc("2026-10-25 04:00"),
    )
    two_oclock = [run for run in night if _local_hour(run, "Europe/Berlin") == 2]
    assert two_oclock == [
        _utc("2026-10-25 00:00") + timedelta(minutes=15 * i) for i in range(8)
    ]


@pytest.mark.parametrize("runs", SOURCES)
def test_berlin_fall_back_fixed_runs_once(runs: Runs) -> None:
    """2026-10-25: 02:30 is at 00:30Z and 01:30Z; ``30 2 * * *`` runs at the first."""
    assert runs(
        "30 2 * * *",
        "Europe/Berlin",
        _utc("2026-10-24 12:00"),
        _utc("2026-10-25 12:00"),
    ) == [_utc("2026-10-25 00:30")]


@pytest.mark.parametrize("runs", SOURCES)
def test_berlin_spring_forward(runs: Runs) -> None:
    """2026-03-29, 02:00 CET -> 03:00 CEST: 02:30 is missing."""
    low, high = _utc("2026-03-28 12:00"), _utc("2026-03-29 12:00")
    # Fixed: shifted by the gap, to 01:30Z = 03:30 CEST.
    assert runs("30 2 * * *", "Europe/Berlin", low, high) == [_utc("2026-03-29 01:30")]
    # Wildcard: no 02:xx run; 01:45 CET (00:45Z) is followed by 03:00 CEST (01:00Z).
    night = runs("*/15 * * * *", "Europe/Berlin", low, high)
    assert all(_local_hour(run, "Europe/Berlin") != 2 for run in night)
    assert _utc("2026-03-29 00:45") in night
    assert night[night.index(_utc("2026-03-29 00:45")) + 1] == _utc("2026-03-29 01:00")
    # A wildcard expression for the missing hour alone skips that night entirely.
    assert runs("*/10 2 * * *", "Europe/Berlin", low, high) == []


@pytest.mark.parametrize("runs", SOURCES)
def test_lord_howe_half_hour_shift(runs: Runs) -> None:
    """Lord Howe shifts 30 minutes: 02:00 -> 02:30 (10-04), 02:00 -> 01:30 (04-05)."""
    zone = "Australia/Lord_Howe"
    spring = runs(
        "*/10 2 * * *", zone, _utc("2026-10-03 12:00"), _utc("2026-10-04 12:00")
    )
    # 02:00-02:29 +10:30 never exist; 02:30, 02:40, 02:50 +11:00 do.
    assert spring == [
        _utc("2026-10-03 15:30"),
        _utc("2026-10-03 15:40"),
        _utc("2026-10-03 15:50"),
    ]
    autumn = runs(
        "30 1-3 * * *", zone, _utc("2026-04-04 12:00"), _utc("2026-04-05 12:00")
    )
    # 01:30 happens at 14:30Z (+11:00) and 15:00Z (+10:30); fixed runs the first only.
    assert autumn == [
        _utc("2026-04-04 14:30"),
        _utc("2026-04-04 16:00"),
        _utc("2026-04-04 17:00"),
    ]


def test_day_or_rule() -> None:
    """``0 12 1 * 1`` runs on the 1st and on every Monday; ``0 12 * * 1`` on Mondays."""
    either = {
        run.date() for run in expected_runs("0 12 1 * 1", "Asia/Kolkata", START, END)
    }
    mondays = {
        run.date() for run in expected_runs("0 12 * * 1", "Asia/Kolkata", START, END)
    }
    firsts = {date(2026, month, 1) for month in range(1, 13)}
    assert mondays == {d for d in either if d.isoweekday() == 1}
    assert either == mondays | firsts
    assert parse("0 1 * * 7") == parse("0 1 * * 0")


def test_oracle_finds_the_changes() -> None:
    """The zones' 2026 offset changes are where the tables expect them."""
    assert transitions("Asia/Kolkata") == []
    assert transitions("Europe/Berlin") == [
        _utc("2026-03-29 01:00"),
        _utc("2026-10-25 01:00"),
    ]
    assert transitions("Australia/Lord_Howe") == [
        _utc("2026-04-04 15:00"),
        _utc("2026-10-03 15:30"),
    ]
    for zone in ZONES:
        assert len(transitions(zone)) in (0, 2), zone
