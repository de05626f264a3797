"""The tasks table: stored work, its claims when due, and its owners."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
import sqlite3
from typing import Any

from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..engine.cron import next_cron_run
from ..models import (
    Claim,
    ExecutionSource,
    MissedRunPolicy,
    Moment,
    Task,
    TaskAction,
    TaskKind,
    TaskStatus,
    Trust,
)
from .database import Database, QuotaExceeded, fetchall, fetchone_value
from .executions import insert_execution
from .rows import (
    CLAIM_COLUMNS,
    TASK_COLUMNS,
    from_timestamp,
    task_from_row,
    to_timestamp,
)

# Stored work per user: far above what a home makes (a task a day for three years).
MAX_TASKS_PER_OWNER = 1000
# Moment tasks waiting per owner: each watches an entity while it waits.
MAX_MOMENTS_PER_OWNER = 50
# Why a run that came while the previous one was still going did not start.
PREVIOUS_RUN_GOING = "The previous run is still going"
# The earliest next run of a runnable task (a cron time may come while its task
# runs, under the skip policy).
# Two indexed reads (tasks_due, tasks_running): one with OR would scan the table.
_NEXT_DUE = """SELECT MIN(due) FROM (
    SELECT MIN(next_run) AS due FROM tasks WHERE status = 'scheduled' AND enabled = 1
    UNION ALL
    SELECT MIN(next_run) FROM tasks WHERE status = 'running' AND kind = 'cron'
        AND missed_run_policy = 'skip' AND enabled = 1)"""
# A cron time exactly ``grace`` late is still within the grace.
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class NewTask:
    """What is needed to create a task."""

    name: str
    agent: str
    prompt: str
    kind: TaskKind
    # None only for a recurring task whose schedule has no time left (an edit).
    next_run: datetime | None
    timeout: float
    missed_run_policy: MissedRunPolicy
    source: str
    user: str | None = None
    platform: str | None = None
    cron: str | None = None
    time_zone: str | None = None
    enabled: bool = True
    deliver: bool = True
    action: TaskAction = TaskAction.AGENT
    owner: str | None = None
    trust: Trust = Trust.TRUSTED
    # None: the options' retry policy.
    max_attempts: int | None = None
    only_when_needed: bool = False
    moment: Moment | None = None


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The outcome of one claim: runs to start and tasks skipped by policy."""

    claims: list[Claim]
    skipped: list[str]
    # Cron times that came while the task's previous run was still going, under
    # the skip policy: (task, skipped execution id).
    overlapped: list[tuple[Task, str]]
    # The earliest next run of a runnable task once these are claimed.
    next_due: datetime | None = None


class TaskTable(Database):
    """Tasks: added, listed, claimed when due, paused, cancelled, reassigned."""

    async def async_add_task(self, new: NewTask) -> Task:
        """Store a new task and return it.

        Raises QuotaExceeded when its owner has MAX_TASKS_PER_OWNER tasks that have
        not ended.
        """
        task_id = ulid_now()
        now = dt_util.utcnow().timestamp()

        def work(conn: sqlite3.Connection) -> None:
            cursor = conn.execute(
                """SELECT COUNT(*) FROM tasks
                WHERE owner IS ? AND status IN ('scheduled', 'running')""",
                (new.owner,),
            )
            if (cursor.fetchone() or (0,))[0] >= MAX_TASKS_PER_OWNER:
                raise QuotaExceeded(MAX_TASKS_PER_OWNER)
            if new.kind is TaskKind.MOMENT:
                cursor = conn.execute(
                    """SELECT COUNT(*) FROM tasks WHERE owner IS ?
                    AND kind = 'moment' AND status IN ('scheduled', 'running')""",
                    (new.owner,),
                )
                if (cursor.fetchone() or (0,))[0] >= MAX_MOMENTS_PER_OWNER:
                    raise QuotaExceeded(MAX_MOMENTS_PER_OWNER, "moment_quota")
            conn.execute(
                """INSERT INTO tasks (id, name, agent, prompt, user, platform, kind,
                    next_run, cron, time_zone, enabled, status, timeout,
                    missed_run_policy, source, created, updated, deliver, action,
                    owner, trust, max_attempts, only_when_needed, moment)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?, ?, ?, ?, ?)""",
                (
                    task_id,
                    new.name,
                    new.agent,
                    new.prompt,
                    new.user,
                    new.platform,
                    new.kind.value,
                    to_timestamp(new.next_run),
                    new.cron,
                    new.time_zone,
                    int(new.enabled),
                    TaskStatus.SCHEDULED.value,
                    new.timeout,
                    new.missed_run_policy.value,
                    new.source,
                    now,
                    now,
                    int(new.deliver),
                    new.action.value,
                    new.owner,
                    new.trust.value,
                    new.max_attempts,
                    int(new.only_when_needed),
                    new.moment.to_json() if new.moment else None,
                ),
            )

        await self._write(work)
        task = await self.async_get_task(task_id)
        assert task is not None
        return task

    async def async_update_task(self, task_id: str, new: NewTask) -> Task | None:
        """Change a task that has not ended; None if it has ended meanwhile.

        Its id, owner, source and history stay; its failures start again. Raises
        QuotaExceeded when it becomes one moment task too many for its owner.
        """

        def work(conn: sqlite3.Connection) -> int:
            if new.kind is TaskKind.MOMENT:
                cursor = conn.execute(
                    """SELECT COUNT(*) FROM tasks WHERE owner IS ? AND id != ?
                    AND kind = 'moment' AND status IN ('scheduled', 'running')""",
                    (new.owner, task_id),
                )
                if (cursor.fetchone() or (0,))[0] >= MAX_MOMENTS_PER_OWNER:
                    raise QuotaExceeded(MAX_MOMENTS_PER_OWNER, "moment_quota")
            cursor = conn.execute(
                """UPDATE tasks SET name = ?, agent = ?, prompt = ?, user = ?,
                    platform = ?, kind = ?, next_run = ?, cron = ?, time_zone = ?,
                    timeout = ?, missed_run_policy = ?, deliver = ?, action = ?,
                    max_attempts = ?, only_when_needed = ?, moment = ?, attempt = 0,
                    failures = 0, retry_until = NULL, updated = ?
                WHERE id = ? AND status IN ('scheduled', 'running')""",
                (
                    new.name,
                    new.agent,
                    new.prompt,
                    new.user,
                    new.platform,
                    new.kind.value,
                    to_timestamp(new.next_run),
                    new.cron,
                    new.time_zone,
                    new.timeout,
                    new.missed_run_policy.value,
                    int(new.deliver),
                    new.action.value,
                    new.max_attempts,
                    int(new.only_when_needed),
                    new.moment.to_json() if new.moment else None,
                    dt_util.utcnow().timestamp(),
                    task_id,
                ),
            )
            return cursor.rowcount

        if not await self._write(work):
            return None
        return await self.async_get_task(task_id)

    async def async_get_task(self, task_id: str) -> Task | None:
        """Return one task, or None."""
        rows = list(
            await self._fetchall(
                f"SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = ?", (task_id,)
            )
        )
        return task_from_row(rows[0]) if rows else None

    async def async_list_tasks(
        self,
        statuses: Iterable[TaskStatus] | None = None,
        owner: str | None = None,
    ) -> list[Task]:
        """Return tasks, soonest next run first (of some statuses, or one owner)."""
        sql = f"SELECT {TASK_COLUMNS} FROM tasks t"
        clauses: list[str] = []
        params: list[str] = []
        if statuses is not None:
            wanted = [status.value for status in statuses]
            clauses.append(f"t.status IN ({', '.join('?' * len(wanted))})")
            params += wanted
        if owner is not None:
            clauses.append("t.owner = ?")
            params.append(owner)
        if clauses:
            sql += f" WHERE {' AND '.join(clauses)}"
        sql += " ORDER BY t.next_run IS NULL, t.next_run, t.created"
        return await self._fetch_tasks(sql, params)

    async def _fetch_tasks(self, sql: str, params: Sequence[Any] = ()) -> list[Task]:
        """Return a query's tasks, made from their rows on the database thread."""
        return await self._call(
            lambda conn: [task_from_row(row) for row in fetchall(conn, sql, params)]
        )

    async def async_list_active_tasks(self, once_limit: int) -> list[Task]:
        """Return every recurring and moment task, and the soonest one-offs.

        The one-off part is bounded, so that a view of it costs the same with ten
        or ten thousand pending one-off tasks; moment tasks are bounded per owner.
        """

        def read(conn: sqlite3.Connection) -> list[Task]:
            rows = fetchall(
                conn,
                f"""SELECT {TASK_COLUMNS} FROM tasks t
                WHERE t.kind IN ('cron', 'moment')
                    AND t.status IN ('scheduled', 'running')""",
            )
            rows += fetchall(
                conn,
                f"""SELECT {TASK_COLUMNS} FROM tasks t
                WHERE t.kind = 'once' AND t.status IN ('scheduled', 'running')
                ORDER BY t.next_run IS NULL, t.next_run LIMIT ?""",
                (once_limit,),
            )
            tasks = [task_from_row(row) for row in rows]
            tasks.sort(
                key=lambda task: (task.next_run is None, task.next_run or task.created)
            )
            return tasks

        # One hop, the rows made into tasks off the event loop.
        return await self._call(read)

    async def async_tasks_due_between(
        self, start: datetime, end: datetime, limit: int = 1000
    ) -> list[Task]:
        """Return enabled scheduled one-off tasks due in a window, soonest first."""
        return await self._fetch_tasks(
            f"""SELECT {TASK_COLUMNS} FROM tasks t
            WHERE t.status = 'scheduled' AND t.enabled = 1 AND t.kind = 'once'
                AND t.next_run >= ? AND t.next_run < ?
            ORDER BY t.next_run LIMIT ?""",
            (start.timestamp(), end.timestamp(), limit),
        )

    async def async_count_tasks_by_status(self) -> dict[str, int]:
        """Return how many tasks there are in each status."""
        rows = await self._fetchall(
            "SELECT status, COUNT(*) FROM tasks GROUP BY status"
        )
        return {row[0]: row[1] for row in rows}

    async def async_open_moments(self) -> list[Task]:
        """Return the moment tasks that have not ended (waiting, due or running).

        Bounded by MAX_MOMENTS_PER_OWNER for each owner.
        """
        return await self._fetch_tasks(
            f"""SELECT {TASK_COLUMNS} FROM tasks t
            WHERE t.kind = 'moment' AND t.status IN ('scheduled', 'running')
            ORDER BY t.created"""
        )

    async def async_fire_moment(
        self, task_id: str, now: datetime, occurrence: str
    ) -> bool:
        """Make a waiting moment task due now; False if it was not waiting.

        One transaction: an occurrence seen twice (or by two listeners) makes the
        task due once, and the scheduler's claim runs it once.
        """

        def work(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                """UPDATE tasks SET next_run = ?, fired = ?, occurrence = ?,
                    updated = ?
                WHERE id = ? AND kind = 'moment' AND status = 'scheduled'
                    AND enabled = 1 AND next_run IS NULL""",
                (
                    now.timestamp(),
                    now.timestamp(),
                    occurrence,
                    now.timestamp(),
                    task_id,
                ),
            )
            return cursor.rowcount

        return bool(await self._write(work))

    async def async_expire_moment(self, task_id: str, now: datetime) -> bool:
        """End a waiting moment task whose moment did not come in time (missed)."""

        def work(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                """UPDATE tasks SET status = 'missed', updated = ?
                WHERE id = ? AND kind = 'moment' AND status = 'scheduled'
                    AND next_run IS NULL""",
                (now.timestamp(), task_id),
            )
            return cursor.rowcount

        return bool(await self._write(work))

    async def async_cancel_task(self, task_id: str) -> bool:
        """Mark a task cancelled; False when it had already ended."""

        def work(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                """UPDATE tasks SET status = 'cancelled', updated = ?
                WHERE id = ? AND status IN ('scheduled', 'running')""",
                (dt_util.utcnow().timestamp(), task_id),
            )
            return cursor.rowcount

        return bool(await self._write(work))

    async def async_set_enabled(
        self, task_id: str, enabled: bool, next_run: datetime | None
    ) -> None:
        """Pause or resume a task; a resumed cron task gets a fresh next run."""

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                """UPDATE tasks SET enabled = ?, next_run = COALESCE(?, next_run),
                    updated = ? WHERE id = ?""",
                (
                    int(enabled),
                    to_timestamp(next_run),
                    dt_util.utcnow().timestamp(),
                    task_id,
                ),
            )

        await self._write(work)

    async def async_claim_due(
        self, now: datetime, limit: int, boot_id: str, grace: timedelta
    ) -> ClaimResult:
        """Atomically claim up to ``limit`` due tasks.

        In one transaction each claimed task gets an ``in_progress`` execution and
        becomes ``running``; a cron task also moves to its first run after ``now``, so
        missed runs coalesce into this one. A task late by more than ``grace`` under
        the ``skip`` policy (for a cron task: even its latest missed time) is not
        run: a one-off one becomes ``missed``, a cron one only moves on.
        """

        def work(conn: sqlite3.Connection) -> ClaimResult:
            claims: list[Claim] = []
            skipped: list[str] = []
            overlapped = self._skip_overlaps(conn, now, boot_id)
            while len(claims) < limit:
                wanted = limit - len(claims)
                rows = fetchall(
                    conn,
                    f"""SELECT {CLAIM_COLUMNS} FROM tasks t
                    WHERE t.status = 'scheduled' AND t.enabled = 1
                        AND t.next_run <= ?
                    ORDER BY t.next_run LIMIT ?""",
                    (now.timestamp(), wanted),
                )
                for row in rows:
                    task = task_from_row(row)
                    claim = self._claim_one(conn, task, now, boot_id, grace)
                    if claim is None:
                        skipped.append(task.task_id)
                    else:
                        claims.append(claim)
                if len(rows) < wanted:
                    break  # nothing more is due
            next_due = from_timestamp(fetchone_value(conn, _NEXT_DUE))
            return ClaimResult(claims, skipped, overlapped, next_due)

        result: ClaimResult = await self._write(work)
        return result

    def _skip_overlaps(
        self, conn: sqlite3.Connection, now: datetime, boot_id: str
    ) -> list[tuple[Task, str]]:
        """Record as skipped the cron times due while their task is still running.

        Only under the skip policy; under run_once the time waits, and the run it
        stands for starts once the previous one ends (later times coalesce in it).
        """
        rows = fetchall(
            conn,
            f"""SELECT {TASK_COLUMNS} FROM tasks t
            WHERE t.status = 'running' AND t.kind = 'cron' AND t.enabled = 1
                AND t.missed_run_policy = 'skip' AND t.next_run <= ?""",
            (now.timestamp(),),
        )
        overlapped = []
        for row in rows:
            task = task_from_row(row)
            assert task.cron is not None
            assert task.time_zone is not None
            conn.execute(
                "UPDATE tasks SET next_run = ?, updated = ? WHERE id = ?",
                (
                    to_timestamp(next_cron_run(task.cron, task.time_zone, now)),
                    now.timestamp(),
                    task.task_id,
                ),
            )
            execution_id = ulid_now()
            conn.execute(
                """INSERT INTO executions (id, task_id, source, status, started,
                    finished, boot_id, error, owner, trust)
                VALUES (?, ?, ?, 'skipped', ?, ?, ?, ?, ?, ?)""",
                (
                    execution_id,
                    task.task_id,
                    ExecutionSource.SCHEDULE.value,
                    now.timestamp(),
                    now.timestamp(),
                    boot_id,
                    PREVIOUS_RUN_GOING,
                    task.owner,
                    task.trust.value,
                ),
            )
            overlapped.append((task, execution_id))
        return overlapped

    def _claim_one(
        self,
        conn: sqlite3.Connection,
        task: Task,
        now: datetime,
        boot_id: str,
        grace: timedelta,
    ) -> Claim | None:
        assert task.next_run is not None
        # A retry is owed, not missed: it runs however late (after a restart).
        skip = (
            now - task.next_run > grace
            and task.missed_run_policy is MissedRunPolicy.SKIP
            and task.attempt == 0
        )
        next_run: datetime | None = task.next_run
        if task.kind is TaskKind.CRON:
            assert task.cron is not None
            assert task.time_zone is not None
            next_run = next_cron_run(task.cron, task.time_zone, now)
            if skip:
                # The latest missed time may be within the grace even though the
                # oldest one is not: that run is on time and runs (the older ones
                # coalesce into it).
                recent = next_cron_run(
                    task.cron, task.time_zone, now - grace - _JUST_BEFORE
                )
                skip = recent is None or recent > now
        if skip:
            status = TaskStatus.MISSED
            if task.kind is TaskKind.CRON and next_run is not None:
                status = TaskStatus.SCHEDULED
        else:
            status = TaskStatus.RUNNING
        conn.execute(
            "UPDATE tasks SET status = ?, next_run = ?, updated = ? WHERE id = ?",
            (status.value, to_timestamp(next_run), now.timestamp(), task.task_id),
        )
        if skip:
            return None
        execution_id = insert_execution(
            conn, task, ExecutionSource.SCHEDULE, now, boot_id
        )
        return Claim(task=task, execution_id=execution_id, started=now)

    async def async_claim_manual(
        self, task_id: str, now: datetime, boot_id: str
    ) -> Claim | None:
        """Claim a task for a run outside its schedule; None if it cannot run now.

        A one-off task run early is consumed (it will not run again at its time); a
        cron task keeps its schedule.
        """

        def work(conn: sqlite3.Connection) -> Claim | None:
            rows = list(
                fetchall(
                    conn,
                    f"SELECT {TASK_COLUMNS} FROM tasks t WHERE t.id = ?",
                    (task_id,),
                )
            )
            if not rows:
                return None
            task = task_from_row(rows[0])
            if task.status in (TaskStatus.RUNNING, TaskStatus.CANCELLED):
                return None
            conn.execute(
                "UPDATE tasks SET status = 'running', updated = ? WHERE id = ?",
                (now.timestamp(), task_id),
            )
            execution_id = insert_execution(
                conn, task, ExecutionSource.MANUAL, now, boot_id
            )
            return Claim(
                task=task,
                execution_id=execution_id,
                started=now,
                source=ExecutionSource.MANUAL,
            )

        claim: Claim | None = await self._write(work)
        return claim

    async def async_reassign_agent(self, old: str, new: str) -> int:
        """Move the tasks that have not ended from one agent to another."""

        def work(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                """UPDATE tasks SET agent = ?, updated = ?
                WHERE agent = ? AND status IN ('scheduled', 'running')""",
                (new, dt_util.utcnow().timestamp(), old),
            )
            return cursor.rowcount

        count: int = await self._write(work)
        return count

    async def async_ownerless_tasks(self) -> list[tuple[str, str | None]]:
        """Return (task id, recipient) of tasks stored before tasks had owners."""
        rows = await self._fetchall("SELECT id, user FROM tasks WHERE owner IS NULL")
        return [(row[0], row[1]) for row in rows]

    async def async_set_owners(self, owners: dict[str, str]) -> None:
        """Give tasks (and their executions) their owners."""

        def work(conn: sqlite3.Connection) -> None:
            for task_id, owner in owners.items():
                conn.execute(
                    "UPDATE tasks SET owner = ? WHERE id = ? AND owner IS NULL",
                    (owner, task_id),
                )
                conn.execute(
                    "UPDATE executions SET owner = ? WHERE task_id = ?"
                    " AND owner IS NULL",
                    (owner, task_id),
                )

        await self._write(work)

    async def async_failing_tasks(self, threshold: int) -> list[tuple[str, int]]:
        """Return (name, failures in a row) of tasks failing again and again.

        Those with ``threshold`` failures or more that will run again, most first.
        """
        rows = await self._fetchall(
            """SELECT name, failures FROM tasks
            WHERE failures >= ? AND status IN ('scheduled', 'running')
            ORDER BY failures DESC, name LIMIT 20""",
            (threshold,),
        )
        return [(row[0], row[1]) for row in rows]

    async def async_active_agents(self) -> set[str]:
        """Return the agents of tasks that have not ended."""
        rows = await self._fetchall(
            "SELECT DISTINCT agent FROM tasks WHERE status IN ('scheduled', 'running')"
        )
        return {row[0] for row in rows}
