"""The routine_schedules table: each routine's anchor and next run."""

from datetime import UTC, datetime
import sqlite3

from ..models import Rhythm
from .database import Database
from .rows import to_timestamp


class RoutineScheduleTable(Database):
    """One row per routine, deleted with the routine."""

    async def async_load_rhythms(self) -> dict[str, Rhythm]:
        """Return every stored rhythm by routine id."""
        rows = await self._fetchall(
            "SELECT routine, key, anchor, next_run FROM routine_schedules"
        )
        return {
            row[0]: Rhythm(
                routine_id=row[0],
                key=row[1],
                anchor=datetime.fromtimestamp(row[2], UTC),
                next_run=(
                    None if row[3] is None else datetime.fromtimestamp(row[3], UTC)
                ),
            )
            for row in rows
        }

    async def async_save_rhythm(self, rhythm: Rhythm) -> None:
        """Store a routine's rhythm."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                """INSERT INTO routine_schedules (routine, key, anchor, next_run)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (routine) DO UPDATE SET key = excluded.key,
                    anchor = excluded.anchor, next_run = excluded.next_run""",
                (
                    rhythm.routine_id,
                    rhythm.key,
                    rhythm.anchor.timestamp(),
                    to_timestamp(rhythm.next_run),
                ),
            )

        await self._write(work)

    async def async_forget_rhythms_except(self, keep: set[str]) -> None:
        """Delete the rhythms of routines that no longer exist."""

        def work(conn: sqlite3.Connection) -> None:
            cursor = conn.execute("SELECT routine FROM routine_schedules")
            gone = [row[0] for row in cursor.fetchall() if row[0] not in keep]
            conn.executemany(
                "DELETE FROM routine_schedules WHERE routine = ?",
                [(routine,) for routine in gone],
            )

        await self._write(work)
