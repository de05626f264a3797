"""The executions table: every run, its outcome, and what the log shows of it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
import sqlite3
from typing import Any

from homeassistant.util.ulid import ulid_now

from ..engine.retry import (
    RETRIED_STATUSES,
    AfterFailure,
    RetryPolicy,
    TaskRetryState,
    after_failure,
)
from ..models import (
    DeliveryRecord,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    RunRequest,
    Task,
    TaskAction,
    TaskKind,
    Trust,
)
from .database import Database, fetchall
from .rows import (
    EXECUTION_COLUMNS,
    PREFIXED_EXECUTION_COLUMNS,
    execution_from_row,
    from_timestamp,
    to_timestamp,
)

INTERRUPTED = "Interrupted: Home Assistant stopped during the run"
# Outcomes that end a task's run well: its failure count starts again.
_SUCCESSES = ("succeeded", "quiet")


@dataclass(frozen=True, slots=True)
class FinishedRun:
    """How the end of a run left its task (all None/0 for a run with no task)."""

    task_id: str | None = None
    kind: TaskKind | None = None
    # Set when the failed run will be tried again, at this time.
    retry_at: datetime | None = None
    # Failed runs in a row (0 after a success).
    failures: int = 0
    # The task's next run after a failure (a retry, or its backed-off next time).
    next_run: datetime | None = None

    @property
    def retried(self) -> bool:
        """Return whether another attempt of the run is pending."""
        return self.retry_at is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class AbandonedRun:
    """A run an earlier boot left unfinished (a crash): whom it was for."""

    name: str
    # None for a run with no task (a wakeup or a routine).
    action: TaskAction | None
    recipient: str | None
    platform: str | None
    deliver: bool
    # When it is tried again (None: it is not).
    retry_at: datetime | None = None


def insert_execution(
    conn: sqlite3.Connection,
    task: Task,
    source: ExecutionSource,
    started: datetime,
    boot_id: str,
) -> str:
    """Insert the in_progress execution of a claimed task; return its id."""
    execution_id = ulid_now()
    conn.execute(
        """INSERT INTO executions (id, task_id, source, status, started, boot_id,
            owner, trust, attempt)
        VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, ?)""",
        (
            execution_id,
            task.task_id,
            source.value,
            started.timestamp(),
            boot_id,
            task.owner,
            task.trust.value,
            task.attempt + 1,
        ),
    )
    return execution_id


def _task_after_run(
    conn: sqlite3.Connection,
    execution_id: str,
    status: ExecutionStatus,
    finished: datetime,
    retry: RetryPolicy | None,
    *,
    retryable: bool,
) -> FinishedRun:
    """Move the task of an ended execution on: done, scheduled again, or retried.

    A one-off task takes the execution's status, a running cron task is scheduled
    again (a cancelled task stays cancelled); under a retry policy a failure is
    retried or backed off instead (see ``engine.retry``).
    """
    rows = list(
        fetchall(
            conn,
            """SELECT t.id, t.kind, t.action, t.next_run, t.cron, t.time_zone,
                t.attempt, t.failures, t.max_attempts, t.retry_until
            FROM tasks t JOIN executions e ON e.task_id = t.id
            WHERE e.id = ? AND t.status = 'running'""",
            (execution_id,),
        )
    )
    if not rows:
        return FinishedRun()
    row = rows[0]
    task_id, kind = row["id"], TaskKind(row["kind"])
    if retry is None or status not in RETRIED_STATUSES:
        counts = ", attempt = 0, failures = 0, retry_until = NULL"
        # A moment task that happens every time waits again (next_run NULL).
        conn.execute(
            f"""UPDATE tasks SET updated = ?, status = CASE
                WHEN kind = 'once' THEN ?
                WHEN kind = 'moment' AND json_extract(moment, '$.every_time')
                    THEN 'scheduled'
                WHEN kind = 'moment' OR next_run IS NULL THEN ?
                ELSE 'scheduled' END,
                next_run = CASE WHEN kind = 'moment' THEN NULL ELSE next_run END
                {counts if status.value in _SUCCESSES else ""}
            WHERE id = ?""",
            (finished.timestamp(), status.value, status.value, task_id),
        )
        return FinishedRun(task_id, kind)
    plan: AfterFailure = after_failure(
        TaskRetryState(
            kind=kind,
            action=TaskAction(row["action"]),
            next_run=from_timestamp(row["next_run"]),
            cron=row["cron"],
            time_zone=row["time_zone"],
            attempt=row["attempt"],
            failures=row["failures"],
            max_attempts=row["max_attempts"],
            retry_until=from_timestamp(row["retry_until"]),
        ),
        retry,
        finished,
        retryable=retryable,
    )
    ends = plan.next_run is None
    if ends and kind is TaskKind.MOMENT:
        # Given up: a moment task that happens every time waits again.
        conn.execute(
            """UPDATE tasks SET updated = ?, next_run = NULL, attempt = 0,
                retry_until = NULL, failures = ?, status = CASE
                WHEN json_extract(moment, '$.every_time') THEN 'scheduled'
                ELSE ? END
            WHERE id = ?""",
            (finished.timestamp(), plan.failures, status.value, task_id),
        )
        return FinishedRun(task_id, kind, None, plan.failures, None)
    conn.execute(
        """UPDATE tasks SET updated = ?, status = ?, next_run = ?, attempt = ?,
            failures = ?, retry_until = ?
        WHERE id = ?""",
        (
            finished.timestamp(),
            status.value if ends else "scheduled",
            row["next_run"] if ends else to_timestamp(plan.next_run),
            plan.attempt,
            plan.failures,
            to_timestamp(plan.retry_until),
            task_id,
        ),
    )
    retry_at = plan.next_run if plan.retry else None
    if retry_at is not None:
        conn.execute(
            "UPDATE executions SET next_attempt = ? WHERE id = ?",
            (retry_at.timestamp(), execution_id),
        )
    return FinishedRun(task_id, kind, retry_at, plan.failures, plan.next_run)


class ExecutionTable(Database):
    """Runs: started, finished, abandoned, listed and counted."""

    async def async_start_run(
        self, request: RunRequest, now: datetime, boot_id: str
    ) -> str:
        """Record a run with no stored task (a wakeup, a routine): ``in_progress``."""

        def work(conn: sqlite3.Connection) -> str:
            execution_id = ulid_now()
            conn.execute(
                """INSERT INTO executions (id, task_id, source, status, started,
                    boot_id, origin, agent, user, prompt, routine, owner, trust,
                    attempt)
                VALUES (?, NULL, ?, 'in_progress', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
                    request.attempt,
                ),
            )
            return execution_id

        execution_id: str = await self._write(work)
        return execution_id

    async def async_set_next_attempt(self, execution_id: str, when: datetime) -> None:
        """Record when a failed run with no task (a routine's) is tried again."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE executions SET next_attempt = ? WHERE id = ?",
                (when.timestamp(), execution_id),
            )

        await self._write(work)

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

        def work(conn: sqlite3.Connection) -> str:
            execution_id = ulid_now()
            conn.execute(
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
        retry: RetryPolicy | None = None,
        retryable: bool = False,
        acting_user: str | None = None,
        tool_calls: str | None = None,
    ) -> FinishedRun | None:
        """Record how an execution ended; None if it had already ended.

        Its task follows in the same transaction (see ``_task_after_run``):
        a failure under ``retry`` that is ``retryable`` is tried again later.
        """

        def work(conn: sqlite3.Connection) -> FinishedRun | None:
            cursor = conn.execute(
                """UPDATE executions SET status = ?, finished = ?, response = ?,
                    error = ?, conversation_id = ?, delivery_channel = ?,
                    delivery_target = ?, delivery_status = ?, delivery_error = ?,
                    acting_user = ?, tool_calls = ?
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
                    acting_user,
                    tool_calls,
                    execution_id,
                ),
            )
            if not cursor.rowcount:
                return None
            return _task_after_run(
                conn, execution_id, status, finished, retry, retryable=retryable
            )

        result: FinishedRun | None = await self._write(work)
        return result

    async def async_abandon_stale(
        self, boot_id: str, now: datetime, retry: RetryPolicy | None = None
    ) -> list[AbandonedRun]:
        """Mark executions left ``in_progress`` by another boot as ``abandoned``.

        Their tasks follow as in :meth:`async_finish_execution`: under ``retry`` an
        interrupted run is tried again. Returns them.
        """

        def work(conn: sqlite3.Connection) -> list[AbandonedRun]:
            cursor = conn.execute(
                """SELECT e.id, t.name, t.action, COALESCE(e.user, t.user),
                    t.platform, t.deliver
                FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
                WHERE e.status = 'in_progress' AND e.boot_id != ?""",
                (boot_id,),
            )
            abandoned = []
            for row in cursor.fetchall():
                conn.execute(
                    """UPDATE executions SET status = 'abandoned', finished = ?,
                        error = ? WHERE id = ?""",
                    (now.timestamp(), INTERRUPTED, row[0]),
                )
                after = _task_after_run(
                    conn,
                    row[0],
                    ExecutionStatus.ABANDONED,
                    now,
                    retry,
                    retryable=True,
                )
                abandoned.append(
                    AbandonedRun(
                        name=row[1] or "",
                        action=TaskAction(row[2]) if row[2] else None,
                        recipient=row[3],
                        platform=row[4],
                        deliver=bool(row[5]),
                        retry_at=after.retry_at,
                    )
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
