"""A routine's rhythm: its schedule, anchored and kept in the database.

An interval routine runs at its anchor plus whole intervals; a daily or cron one
at the clock's times. The next run is stored, so that edits of other routines,
reloads and restarts keep every routine on its beat; only a change of a routine's
own schedule (its ``key``) anchors it anew. A routine that is off keeps its anchor
and has no next run.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite

from .const import (
    CONF_CRON,
    CONF_INTERVAL,
    CONF_SCHEDULE,
    CONF_TIME,
    SCHEDULE_CRON,
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
)
from .cron import next_cron_run
from .store import TaskStore


@dataclass(frozen=True, slots=True)
class Rhythm:
    """Where a routine's schedule stands."""

    routine_id: str
    # The schedule this was computed for ("interval 60", "daily 07:30:00", ...).
    key: str
    anchor: datetime
    next_run: datetime | None


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


async def async_load(store: TaskStore) -> dict[str, Rhythm]:
    """Return every stored rhythm by routine id."""
    rows = await store.async_query(
        "SELECT routine, key, anchor, next_run FROM routine_schedules"
    )
    return {
        row[0]: Rhythm(
            routine_id=row[0],
            key=row[1],
            anchor=datetime.fromtimestamp(row[2], UTC),
            next_run=None if row[3] is None else datetime.fromtimestamp(row[3], UTC),
        )
        for row in rows
    }


async def async_save(store: TaskStore, rhythm: Rhythm) -> None:
    """Store a routine's rhythm."""

    async def work(conn: aiosqlite.Connection) -> None:
        await conn.execute(
            """INSERT INTO routine_schedules (routine, key, anchor, next_run)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (routine) DO UPDATE SET key = excluded.key,
                anchor = excluded.anchor, next_run = excluded.next_run""",
            (
                rhythm.routine_id,
                rhythm.key,
                rhythm.anchor.timestamp(),
                None if rhythm.next_run is None else rhythm.next_run.timestamp(),
            ),
        )

    await store.async_transaction(work)


async def async_forget_others(store: TaskStore, keep: set[str]) -> None:
    """Delete the rhythms of routines that no longer exist."""

    async def work(conn: aiosqlite.Connection) -> None:
        cursor = await conn.execute("SELECT routine FROM routine_schedules")
        gone = [row[0] for row in await cursor.fetchall() if row[0] not in keep]
        await conn.executemany(
            "DELETE FROM routine_schedules WHERE routine = ?", [(r,) for r in gone]
        )

    await store.async_transaction(work)
