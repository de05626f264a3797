"""The events table (routed from outside) and small durable values (state)."""

from collections.abc import Collection
from datetime import UTC, datetime
import sqlite3
from typing import Any

from ..models import RoutedEvent
from .database import Database, QuotaExceeded

# Stored events per source: 300 a day over the default 30 days' keep, and more.
MAX_EVENTS_PER_SOURCE = 10_000


class EventTable(Database):
    """Events, kept for arrival snapshots and audits, and named values."""

    async def async_add_event(self, event: RoutedEvent) -> bool:
        """Store an event; False when its dedupe key was seen before.

        Raises QuotaExceeded when its source has MAX_EVENTS_PER_SOURCE stored.
        """

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "SELECT COUNT(*) FROM events WHERE source = ?", (event.source,)
            )
            if (cursor.fetchone() or (0,))[0] >= MAX_EVENTS_PER_SOURCE:
                raise QuotaExceeded(MAX_EVENTS_PER_SOURCE)
            cursor = conn.execute(
                """INSERT OR IGNORE INTO events (id, source, type, user, summary,
                    significance, time, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    event.event_id,
                    event.source,
                    event.type,
                    event.user,
                    event.summary,
                    event.significance,
                    event.time.timestamp(),
                    event.dedupe_key,
                ),
            )
            return bool(cursor.rowcount)

        added: bool = await self._write(work)
        return added

    async def async_list_events(
        self, since: datetime, user: str | None = None, limit: int = 500
    ) -> list[RoutedEvent]:
        """Return events since a time (for one user, or all), oldest first."""
        sql = (
            "SELECT id, source, type, user, summary, significance, time, dedupe_key"
            " FROM events WHERE time >= ?"
        )
        params: list[Any] = [since.timestamp()]
        if user is not None:
            sql += " AND (user = ? OR user IS NULL)"
            params.append(user)
        sql += " ORDER BY time LIMIT ?"
        params.append(limit)
        return [
            RoutedEvent(
                event_id=row[0],
                source=row[1],
                type=row[2],
                user=row[3],
                summary=row[4],
                significance=row[5],
                time=datetime.fromtimestamp(row[6], UTC),
                dedupe_key=row[7],
            )
            for row in await self._fetchall(sql, params)
        ]

    async def async_get_state(self, key: str) -> str | None:
        """Return a stored value."""
        rows = list(
            await self._fetchall("SELECT value FROM state WHERE key = ?", (key,))
        )
        return str(rows[0][0]) if rows else None

    async def async_set_state(self, key: str, value: str) -> None:
        """Store a value."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

        await self._write(work)

    async def async_presence_last_known(self) -> dict[str, bool]:
        """Return, per person, whether their last recorded change was coming home."""
        rows = await self._fetchall(
            """SELECT user, type FROM (
                SELECT user, type, ROW_NUMBER() OVER (
                    PARTITION BY user ORDER BY time DESC, rowid DESC) AS newest
                FROM events
                WHERE source = 'presence' AND type IN ('departure', 'arrival')
                    AND user IS NOT NULL)
            WHERE newest = 1"""
        )
        return {row[0]: row[1] == "arrival" for row in rows}

    async def async_last_departure(self, person: str) -> datetime | None:
        """Return when a person last left home, if ever recorded."""
        [(departed,)] = await self._fetchall(
            """SELECT MAX(time) FROM events
            WHERE source = 'presence' AND type = 'departure' AND user = ?""",
            (person,),
        )
        return None if departed is None else datetime.fromtimestamp(departed, UTC)

    async def async_count_events_since(
        self,
        since: datetime,
        min_significance: int,
        users: Collection[str],
        kinds: Collection[tuple[str, str]],
    ) -> tuple[dict[tuple[str, str], int], int]:
        """Count events since a time (for no user or one of ``users``).

        Returns the counts of the named (source, type) kinds, and the count of all.
        Counted in SQL, so a long history costs no memory.
        """
        who = ", ".join("?" for _ in users)
        window = (
            f"time >= ? AND significance >= ? AND (user IS NULL OR user IN ({who}))"
        )
        params = (since.timestamp(), min_significance, *users)
        named = ", ".join("(?, ?)" for _ in kinds)
        rows = await self._fetchall(
            f"""SELECT source, type, COUNT(*) FROM events
            WHERE {window} AND (source, type) IN (VALUES {named})
            GROUP BY source, type""",
            (*params, *(part for kind in kinds for part in kind)),
        )
        [(total,)] = await self._fetchall(
            f"SELECT COUNT(*) FROM events WHERE {window}", params
        )
        return {(row[0], row[1]): row[2] for row in rows}, total
