"""Cron arithmetic in a local time zone, correct across daylight-saving changes.

croniter walks wall-clock times; this module turns them into instants. A wall-clock
time that does not exist (spring forward) runs at the same instant shifted by the
gap; one that happens twice (fall back) runs at its first occurrence only. Every
intended local time therefore fires exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

CRON_FIELDS = 5
# A valid expression matches at least once in a few years; the bound only guards
# against looping forever on a pathological one (such as 30 February).
_MAX_CANDIDATES = 10_000


def is_valid_cron(expression: str) -> bool:
    """Return whether this is a valid five-field cron expression."""
    return len(expression.split()) == CRON_FIELDS and croniter.is_valid(expression)


def next_cron_run(expression: str, time_zone: str, after: datetime) -> datetime | None:
    """Return the first run strictly after ``after`` (UTC), or None if there is none."""
    zone = ZoneInfo(time_zone)
    wall_clock = after.astimezone(zone).replace(tzinfo=None)
    candidates = croniter(expression, wall_clock, max_years_between_matches=10)
    for _ in range(_MAX_CANDIDATES):
        try:
            candidate: datetime = candidates.get_next(datetime)
        except StopIteration, ValueError:
            return None
        # fold=0: a doubled time maps to its first occurrence, a missing one past
        # the gap.
        instant = candidate.replace(tzinfo=zone, fold=0).astimezone(UTC)
        if instant > after:
            return instant
    return None
