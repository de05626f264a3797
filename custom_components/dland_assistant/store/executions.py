"""The executions table: every run, its outcome, and what the log shows of it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
import sqlite3
from typing import Any

import aiosqlite

from homeassistant.util.ulid import ulid_now

from ..models import (
    DeliveryRecord,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    RunRequest,
    Task,
    TaskAction,
    Trust,
)
from .database import Database
from .rows import (
    EXECUTION_COLUMNS,
    PREFIXED_EXECUTION_COLUMNS,
    execution_from_row,
)

INTERRUPTED = "Interrupted: Home Assistant stopped during the run"


@dataclass(frozen=True, slots=True, kw_only=True)
class AbandonedRun:
    """A run an earlier boot left unfinished (a crash): whom it was for."""

    name: str
    # None for a run with no task (a wakeup or a routine).
    action: TaskAction | None
    recipient: str | None
    platform: str | None
    deliver: bool


async def insert_execution(
    conn: aiosqlite.Connection,
    task: Task,
    source: ExecutionSource,
    started: datetime,
    boot_id: str,
) -> str:
    """Insert the in_progress execution of a claimed task; return its id."""
    execution_id = ulid_now()
    await conn.execute(
        """INSERT INTO executions (id, task_id, source, status, started, boot_id,
            owner, trust)
        VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?)""",
        (
            execution_id,
            task.task_id,
            source.value,
            started.timestamp(),
            boot_id,
            task.owner,
            task.trust.value,
        ),
    )
    return execution_id


class ExecutionTable(Database):
    """Runs: started, finished, abandoned, listed and counted."""

    async def async_start_run(
        self, request: RunRequest, now: datetime, boot_id: str
    ) -> str:
        """Record a run with no stored task (a wakeup, a routine): ``in_progress``."""

        async def work(conn: aiosqlite.Connection) -> str:
            execution_id = ulid_now()
            await conn.execute(
                """INSERT INTO executions (id, task_id, source, status, started,
                    boot_id, origin, agent, user, prompt, routine, owner, trust)
                VALUES (?, NULL, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    execution_id,
                    request.source.value,
                    now.timestamp(),
                    boot_id,
                    request.origin,
                    request.agent,
                    request.recipient,
                    request.full_prompt,
                    request.routine,
                    request.owner,
                    request.trust.value,
                ),
            )
            return execution_id

        execution_id: str = await self._write(work)
        return execution_id

    async def async_record_routine_run(
        self,
        routine: str,
        status: ExecutionStatus,
        now: datetime,
        boot_id: str,
        *,
        owner: str,
        response: str | None = None,
        error: str | None = None,
    ) -> str:
        """Record a routine's run that needed no agent, or its skip; return its id."""

        async def work(conn: aiosqlite.Connection) -> str:
            execution_id = ulid_now()
            await conn.execute(
                """INSERT INTO executions (id, task_id, source, status, started,
                    finished, boot_id, origin, routine, response, error, owner)
                VALUES (?, NULL, 'heartbeat', ?, ?, ?, ?, 'heartbeat', ?, ?, ?, ?)""",
                (
                    execution_id,
                    status.value,
                    now.timestamp(),
                    now.timestamp(),
                    boot_id,
                    routine,
                    response,
                    error,
                    owner,
                ),
            )
            return execution_id

        execution_id: str = await self._write(work)
        return execution_id

    async def async_finish_execution(
        self,
        execution_id: str,
        status: ExecutionStatus,
        finished: datetime,
        *,
        response: str | None = None,
        error: str | None = None,
        conversation_id: str | None = None,
        delivery: DeliveryRecord | None = None,
    ) -> bool:
        """Record how an execution ended; False if it had already ended.

        The task follows: a one-off task takes the execution's status, a running cron
        task is scheduled again (a cancelled task stays cancelled).
        """

        async def work(conn: aiosqlite.Connection) -> bool:
            cursor = await conn.execute(
                """UPDATE executions SET status = ?, finished = ?, response = ?,
                    error = ?, conversation_id = ?, delivery_channel = ?,
                    delivery_target = ?, delivery_status = ?, delivery_error = ?
                WHERE id = ? AND status = 'in_progress'""",
                (
                    status.value,
                    finished.timestamp(),
                    response,
                    error,
                    conversation_id,
                    delivery.channel if delivery else None,
                    delivery.target if delivery else None,
                    delivery.status.value if delivery else None,
                    delivery.error if delivery else None,
                    execution_id,
                ),
            )
            if not cursor.rowcount:
                return False
            await conn.execute(
                """UPDATE tasks SET updated = ?, status = CASE
                    WHEN kind = 'once' THEN ?
                    WHEN next_run IS NULL THEN ?
                    ELSE 'scheduled' END
                WHERE status = 'running'
                    AND id = (SELECT task_id FROM executions WHERE id = ?)""",
                (finished.timestamp(), status.value, status.value, execution_id),
            )
            return True

        finished_now: bool = await self._write(work)
        return finished_now

    async def async_abandon_stale(
        self, boot_id: str, now: datetime
    ) -> list[AbandonedRun]:
        """Mark executions left ``in_progress`` by another boot as ``abandoned``.

        Their tasks follow as in :meth:`async_finish_execution`. Returns them.
        """

        async def work(conn: aiosqlite.Connection) -> list[AbandonedRun]:
            now_ts = now.timestamp()
            cursor = await conn.execute(
                """SELECT t.name, t.action, COALESCE(e.user, t.user), t.platform,
                    t.deliver FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
                WHERE e.status = 'in_progress' AND e.boot_id != ?""",
                (boot_id,),
            )
            abandoned = [
                AbandonedRun(
                    name=row[0] or "",
                    action=TaskAction(row[1]) if row[1] else None,
                    recipient=row[2],
                    platform=row[3],
                    deliver=bool(row[4]),
                )
                for row in await cursor.fetchall()
            ]
            await conn.execute(
                """UPDATE tasks SET updated = ?, status = CASE
                    WHEN kind = 'once' OR next_run IS NULL THEN 'abandoned'
                    ELSE 'scheduled' END
                WHERE status = 'running' AND id IN (
                    SELECT task_id FROM executions
                    WHERE status = 'in_progress' AND boot_id != ?)""",
                (now_ts, boot_id),
            )
            await conn.execute(
                """UPDATE executions SET status = 'abandoned', finished = ?,
                    error = ? WHERE status = 'in_progress' AND boot_id != ?""",
                (now_ts, INTERRUPTED, boot_id),
            )
            return abandoned

        result: list[AbandonedRun] = await self._write(work)
        return result

    async def async_session_turns(
        self, conversation_id: str, limit: int
    ) -> list[tuple[str, str]]:
        """Return the last turns (prompt, answer) of a conversation, oldest first."""
        rows = await self._fetchall(
            """SELECT COALESCE(t.prompt, e.prompt), e.response FROM executions e
            LEFT JOIN tasks t ON t.id = e.task_id
            WHERE e.conversation_id = ? AND e.status = 'succeeded'
            ORDER BY e.started DESC LIMIT ?""",
            (conversation_id, limit),
        )
        return [(row[0], row[1] or "") for row in rows][::-1]

    async def async_get_execution(self, execution_id: str) -> Execution | None:
        """Return one execution, or None."""
        rows = list(
            await self._fetchall(
                f"SELECT {EXECUTION_COLUMNS} FROM executions WHERE id = ?",
                (execution_id,),
            )
        )
        return execution_from_row(rows[0]) if rows else None

    async def async_list_executions(
        self,
        task_id: str | None = None,
        status: ExecutionStatus | None = None,
        limit: int = 50,
        *,
        since: datetime | None = None,
        routine: str | None = None,
        owner: str | None = None,
    ) -> list[Execution]:
        """Return executions, newest first (of one owner, or everybody's)."""
        clauses: list[str] = []
        params: list[Any] = []
        if owner is not None:
            clauses.append("owner = ?")
            params.append(owner)
        if routine is not None:
            clauses.append("routine = ?")
            params.append(routine)
        if task_id is not None:
            clauses.append("task_id = ?")
            params.append(task_id)
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if since is not None:
            clauses.append("started >= ?")
            params.append(since.timestamp())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        params.append(limit)
        rows = await self._fetchall(
            f"SELECT {EXECUTION_COLUMNS} FROM executions{where}"
            " ORDER BY started DESC, id DESC LIMIT ?",
            params,
        )
        return [execution_from_row(row) for row in rows]

    async def async_count_executions(
        self, statuses: Sequence[ExecutionStatus], since: datetime
    ) -> int:
        """Return how many executions in these statuses started since a time."""
        rows = list(
            await self._fetchall(
                f"""SELECT COUNT(*) FROM executions WHERE started >= ?
                    AND status IN ({", ".join("?" * len(statuses))})""",
                (since.timestamp(), *(status.value for status in statuses)),
            )
        )
        return int(rows[0][0])

    async def async_count_executions_by_trust(self, since: datetime) -> dict[str, int]:
        """Return how many executions of each trust started since a time."""
        rows = await self._fetchall(
            "SELECT trust, COUNT(*) FROM executions WHERE started >= ? GROUP BY trust",
            (since.timestamp(),),
        )
        return {row[0]: row[1] for row in rows}

    async def async_last_routine_runs(self) -> dict[str, Execution]:
        """Return each routine's newest execution."""
        rows = await self._fetchall(
            f"""SELECT {EXECUTION_COLUMNS} FROM executions e
            WHERE routine IS NOT NULL AND started = (
                SELECT MAX(started) FROM executions WHERE routine = e.routine)"""
        )
        return {row["routine"]: execution_from_row(row) for row in rows}

    async def async_recent_named_executions(
        self, limit: int
    ) -> list[tuple[Execution, str]]:
        """Return the newest executions with their task's name (empty if none)."""
        rows = await self._fetchall(
            f"""SELECT {PREFIXED_EXECUTION_COLUMNS}, t.name AS task_name
            FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
            ORDER BY e.started DESC, e.id DESC LIMIT ?""",
            (limit,),
        )
        return [(execution_from_row(row), row["task_name"] or "") for row in rows]

    async def async_named_executions(
        self, start: datetime, end: datetime, limit: int = 500
    ) -> list[tuple[Execution, str]]:
        """Return executions started in a window with a name for each, oldest first."""
        rows = await self._fetchall(
            f"""SELECT {PREFIXED_EXECUTION_COLUMNS}, t.name AS task_name
            FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
            WHERE e.started >= ? AND e.started <= ?
            ORDER BY e.started LIMIT ?""",
            (start.timestamp(), end.timestamp(), limit),
        )
        return [(execution_from_row(row), row["task_name"] or "") for row in rows]

    async def async_runs_for_distillation(
        self, since: datetime, trust: Trust, limit: int
    ) -> list[sqlite3.Row]:
        """Return the newest runs of one trust since a time, oldest first.

        Heartbeats left out; each row has started, what, prompt, response, status
        and error.
        """
        rows = await self._fetchall(
            """SELECT e.started, COALESCE(t.name, e.origin, e.source) AS what,
                COALESCE(t.prompt, e.prompt) AS prompt, e.response, e.status, e.error
            FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
            WHERE e.started >= ? AND e.source != 'heartbeat' AND e.trust = ?
            ORDER BY e.started DESC LIMIT ?""",
            (since.timestamp(), trust.value, limit),
        )
        return list(rows)[::-1]
