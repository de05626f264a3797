"""The integration's SQLite file: one module per table, the schema apart.

``TaskStore`` is the one object the rest of the integration talks to; every SQL
statement lives in this package. ``schema`` holds the forward migrations,
``database`` the connection and its write transactions, ``rows`` the mapping of
rows to models, ``recovery`` what happens to a corrupt file and ``health`` the
repair issue of a database that takes no writes.
"""

from datetime import datetime
import sqlite3

from .audits import AuditTable
from .database import (
    CorruptDatabaseError,
    QuotaExceeded,
    SchemaTooNewError,
    StoreError,
)
from .events import MAX_EVENTS_PER_SOURCE, EventTable
from .executions import INTERRUPTED, AbandonedRun, ExecutionTable, FinishedRun
from .facts import MAX_FACTS, FactTable
from .routine_schedules import RoutineScheduleTable
from .schema import MIGRATIONS, SCHEMA_VERSION
from .tasks import (
    MAX_TASKS_PER_OWNER,
    PREVIOUS_RUN_GOING,
    ClaimResult,
    NewTask,
    TaskTable,
)

__all__ = [
    "INTERRUPTED",
    "MAX_EVENTS_PER_SOURCE",
    "MAX_FACTS",
    "MAX_TASKS_PER_OWNER",
    "MIGRATIONS",
    "PREVIOUS_RUN_GOING",
    "SCHEMA_VERSION",
    "AbandonedRun",
    "ClaimResult",
    "CorruptDatabaseError",
    "FinishedRun",
    "NewTask",
    "QuotaExceeded",
    "SchemaTooNewError",
    "StoreError",
    "TaskStore",
]


class TaskStore(
    TaskTable,
    ExecutionTable,
    EventTable,
    FactTable,
    AuditTable,
    RoutineScheduleTable,
):
    """Every table of the integration's SQLite file, through one connection."""

    async def async_prune(self, older_than: datetime) -> tuple[int, int]:
        """Delete ended executions and ended one-off tasks older than a cut-off.

        Returns how many executions and tasks went.
        """
        cut = older_than.timestamp()

        def work(conn: sqlite3.Connection) -> tuple[int, int]:
            executions = conn.execute(
                "DELETE FROM executions WHERE started < ? AND status != 'in_progress'",
                (cut,),
            )
            conn.execute("DELETE FROM events WHERE time < ?", (cut,))
            conn.execute("DELETE FROM audits WHERE time < ?", (cut,))
            # Said as the tasks_ended index says it, so the index is used.
            tasks = conn.execute(
                """DELETE FROM tasks WHERE updated < ?
                    AND status NOT IN ('scheduled', 'running')""",
                (cut,),
            )
            return executions.rowcount, tasks.rowcount

        pruned: tuple[int, int] = await self._write(work)
        return pruned
