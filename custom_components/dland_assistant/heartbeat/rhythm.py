"""A routine's rhythm: its schedule, anchored and kept in the database.

An interval routine runs at its anchor plus whole intervals; a daily or cron one
at the clock's times. The next run is stored, so that edits of other routines,
reloads and restarts keep every routine on its beat; only a change of a routine's
own schedule (its ``key``) anchors it anew. A routine that is off keeps its anchor
and has no next run.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..const import (
    CONF_CRON,
    CONF_INTERVAL,
    CONF_SCHEDULE,
    CONF_TIME,
    SCHEDULE_CRON,
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
)
from ..engine.cron import next_cron_run


def schedule_key(data: dict[str, Any]) -> str:
    """Return what a routine's schedule is, in a form that changes with it."""
    kind = data.get(CONF_SCHEDULE, SCHEDULE_INTERVAL)
    if kind == SCHEDULE_DAILY:
        return f"daily {data.get(CONF_TIME)}"
    if kind == SCHEDULE_CRON:
        return f"cron {data.get(CONF_CRON)}"
    return f"interval {int(data[CONF_INTERVAL])}"


def next_run_after(
    data: dict[str, Any], anchor: datetime, after: datetime, time_zone: str
) -> datetime | None:
    """Return a schedule's first run strictly after ``after``."""
    kind = data.get(CONF_SCHEDULE, SCHEDULE_INTERVAL)
    if kind == SCHEDULE_CRON:
        return next_cron_run(str(data.get(CONF_CRON)), time_zone, after)
    if kind == SCHEDULE_DAILY:
        at = time.fromisoformat(str(data.get(CONF_TIME)))
        zone = ZoneInfo(time_zone)
        day = after.astimezone(zone).date()
        while True:
            # fold=0: a doubled time runs at its first occurrence, a missing one
            # just past the gap (as fixed-time cron does).
            when = datetime.combine(day, at, zone).replace(fold=0).astimezone(UTC)
            if when > after:
                return when
            day += timedelta(days=1)
    interval = timedelta(minutes=int(data[CONF_INTERVAL]))
    if after < anchor:
        return anchor + interval
    return anchor + interval * ((after - anchor) // interval + 1)
