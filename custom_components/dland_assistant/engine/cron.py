"""Cron arithmetic in a local time zone, with Debian cron's daylight-saving rule.

cronsim walks the local wall clock; this module turns wall times into instants.
Expressions with a wildcard minute or hour field (``*/15 * * * *``, ``0 * * * *``)
follow real time: a repeated autumn hour runs again, a skipped spring hour does not
run. Fixed-time expressions (``30 2 * * *``) run once per intended local time: a
repeated time at its first occurrence, a skipped one at the same instant shifted by
the gap (02:30 → 03:30).

An expression is parsed once (cached); expanding it costs time proportional to the
runs it yields.
"""

from collections.abc import Iterator
import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
import heapq
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

CRON_FIELDS = 5
# Long enough for any sensible schedule (`0,15,30,45 6-9,17-20 * 1-6,9-12 1-5` is
# 39); the bound keeps parsing a request's expression to microseconds.
MAX_CRON_LENGTH = 100
# Parsed expressions kept; each is a few small sets.
CACHE_SIZE = 512
# Wall times up to this long before an instant can map to an instant after it (the
# repeated hour of a fold); no zone has repeated more than two hours since 1900.
_FOLD_MARGIN = timedelta(hours=3)
# cronsim parses against this position; a copy is moved to where a walk starts.
_ORIGIN = datetime(2000, 1, 1)
# How far ahead a steady offset is learnt at once.
_STEADY_SPAN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed expression, ready to be walked from any time."""

    expression: str
    # Debian cron's "wildcard job": a minute or hour field starting with `*`.
    follows_real_time: bool
    _parsed: CronSim

    def wall_times(self, after: datetime) -> Iterator[datetime]:
        """Yield matching naive wall times strictly after a naive ``after``."""
        walker = copy.copy(self._parsed)
        # cronsim keeps its position in `dt` and ticks once before matching.
        walker.dt = after.replace(microsecond=0)
        try:
            yield from walker
        except CronSimError:
            return  # no match within cronsim's horizon (50 years)

    def instants(self, wall: datetime, zone: ZoneInfo) -> list[datetime]:
        """Return the instants (UTC) at which a local wall time runs."""
        if not self.follows_real_time:
            # fold=0: a doubled time maps to its first occurrence, a missing one
            # past the gap.
            return [wall.replace(tzinfo=zone, fold=0).astimezone(UTC)]
        found: list[datetime] = []
        for fold in (0, 1):
            instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
            # A time in a gap does not round-trip; one in a fold gives two instants.
            if (
                instant.astimezone(zone).replace(tzinfo=None) == wall
                and instant not in found
            ):
                found.append(instant)
        return found

    def runs(self, time_zone: str, after: datetime) -> Iterator[datetime]:
        """Yield the runs (UTC) strictly after ``after``, in order, without end."""
        zone = ZoneInfo(time_zone)
        offsets = _SteadyOffset(zone)
        pending: list[datetime] = []
        last: datetime | None = None
        start = _wall(after, zone)
        if not offsets.covers(after - _FOLD_MARGIN, after + _FOLD_MARGIN):
            # Near a change, earlier wall times can map to later instants.
            start -= _FOLD_MARGIN
        for wall in self.wall_times(start):
            steady = offsets.instant_of(wall)
            for instant in (steady,) if steady else self.instants(wall, zone):
                if instant > after:
                    heapq.heappush(pending, instant)
            # Away from a change wall order is instant order; near one, a later
            # wall time can map up to a fold's width earlier.
            while pending and (
                offsets.covers(max(after, pending[0] - _FOLD_MARGIN), pending[0])
                or wall - _FOLD_MARGIN >= _wall(pending[0], zone)
            ):
                instant = heapq.heappop(pending)
                if instant != last:  # a shifted time may meet a real one
                    last = instant
                    yield instant
        for instant in sorted(pending):  # the walk ended (cronsim's horizon)
            if instant != last:
                last = instant
                yield instant


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


class _SteadyOffset:
    """A span of time in which a zone's UTC offset is known not to change.

    Learnt a day at a time, so that most runs map without zone arithmetic. Equal
    offsets a day apart mean no change between: no zone changes twice in a day.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._start = self._end = datetime.min.replace(tzinfo=UTC)
        self._offset = timedelta(0)

    def _learn(self, instant: datetime) -> bool:
        start, end = instant - _FOLD_MARGIN, instant + _STEADY_SPAN
        offset = instant.astimezone(self._zone).utcoffset()
        if offset is None or any(
            moment.astimezone(self._zone).utcoffset() != offset
            for moment in (start, end)
        ):
            return False
        self._start, self._end, self._offset = start, end, offset
        return True

    def covers(self, start: datetime, end: datetime) -> bool:
        """Return whether the offset is the same from ``start`` to ``end``."""
        if self._start <= start and end <= self._end:
            return True
        return self._learn(start) and end <= self._end

    def instant_of(self, wall: datetime) -> datetime | None:
        """Return the one instant of a wall time well inside a steady span.

        None near a change, where a wall time can have two instants or none.
        """
        for attempt in range(2):
            instant = (wall - self._offset).replace(tzinfo=UTC)
            if self._start <= instant - _FOLD_MARGIN and (
                instant + _FOLD_MARGIN <= self._end
            ):
                return instant
            guess = wall.replace(tzinfo=self._zone).astimezone(UTC)
            if attempt or not self._learn(guess - _FOLD_MARGIN):
                break
        return None


@lru_cache(maxsize=CACHE_SIZE)
def compile_cron(expression: str) -> CronSchedule | None:
    """Return a five-field expression parsed, or None when it is not valid."""
    fields = expression.split()
    if len(expression) > MAX_CRON_LENGTH or len(fields) != CRON_FIELDS:
        return None
    try:
        parsed = CronSim(expression, _ORIGIN)
    except CronSimError:
        return None
    return CronSchedule(
        expression=expression,
        follows_real_time=fields[0].startswith("*") or fields[1].startswith("*"),
        _parsed=parsed,
    )


def is_valid_cron(expression: str) -> bool:
    """Return whether this is a valid five-field cron expression within the bound."""
    return compile_cron(expression) is not None


def cron_runs(expression: str, time_zone: str, after: datetime) -> Iterator[datetime]:
    """Yield the runs (UTC) strictly after ``after``; nothing for a bad expression."""
    if (schedule := compile_cron(expression)) is None:
        return iter(())
    return schedule.runs(time_zone, after)


def next_cron_run(expression: str, time_zone: str, after: datetime) -> datetime | None:
    """Return the first run strictly after ``after`` (UTC), or None if there is none."""
    return next(cron_runs(expression, time_zone, after), None)
