"""The SQLite store of tasks and executions (aiosqlite, WAL, forward migrations).

Times are stored as UTC epoch seconds. One connection serves the integration; a lock
keeps each write transaction whole, so coroutines never interleave inside one.
"""

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
import threading
from typing import Any

import aiosqlite

from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .cron import next_cron_run
from .models import (
    Claim,
    DeliveryRecord,
    DeliveryStatus,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    MissedRunPolicy,
    RoutedEvent,
    RunRequest,
    Task,
    TaskAction,
    TaskKind,
    TaskStatus,
    Trust,
)

# A cron time exactly ``grace`` late is still within the grace.
_JUST_BEFORE = timedelta(microseconds=1)

# Each entry upgrades the schema by one version; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        agent TEXT NOT NULL,
        prompt TEXT NOT NULL,
        user TEXT,
        platform TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('once', 'cron')),
        next_run REAL,
        cron TEXT,
        time_zone TEXT,
        enabled INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,
        timeout REAL NOT NULL,
        missed_run_policy TEXT NOT NULL,
        source TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    -- Only runnable tasks are indexed, so "what is due" reads a handful of rows
    -- however many finished tasks are kept.
    CREATE INDEX tasks_due ON tasks (next_run)
        WHERE status = 'scheduled' AND enabled = 1;
    CREATE INDEX tasks_updated ON tasks (updated);
    CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        task_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        started REAL NOT NULL,
        finished REAL,
        error TEXT,
        response TEXT,
        boot_id TEXT NOT NULL
    );
    CREATE INDEX executions_task ON executions (task_id, started);
    CREATE INDEX executions_started ON executions (started);
    CREATE INDEX executions_in_progress ON executions (boot_id)
        WHERE status = 'in_progress';
    """,
    # 2: delivery of results, reminders, and conversation sessions of personas.
    """
    ALTER TABLE tasks ADD COLUMN deliver INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE tasks ADD COLUMN action TEXT NOT NULL DEFAULT 'agent';
    ALTER TABLE executions ADD COLUMN conversation_id TEXT;
    ALTER TABLE executions ADD COLUMN delivery_channel TEXT;
    ALTER TABLE executions ADD COLUMN delivery_target TEXT;
    ALTER TABLE executions ADD COLUMN delivery_status TEXT;
    ALTER TABLE executions ADD COLUMN delivery_error TEXT;
    CREATE INDEX executions_conversation ON executions (conversation_id, started)
        WHERE conversation_id IS NOT NULL;
    """,
    # 3: wakeups are executions without a task; they carry their own request.
    """
    ALTER TABLE executions ADD COLUMN origin TEXT;
    ALTER TABLE executions ADD COLUMN agent TEXT;
    ALTER TABLE executions ADD COLUMN user TEXT;
    ALTER TABLE executions ADD COLUMN prompt TEXT;
    """,
    # 4: events routed from outside, for arrival snapshots and audits.
    """
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        type TEXT NOT NULL,
        user TEXT,
        summary TEXT NOT NULL,
        significance INTEGER NOT NULL DEFAULT 1,
        time REAL NOT NULL,
        dedupe_key TEXT UNIQUE
    );
    CREATE INDEX events_time ON events (time);
    CREATE INDEX events_user_time ON events (user, time);
    """,
    # 5: small durable values, such as a source's high-water mark.
    """
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 6: heartbeat routines' runs, their audit records, and long-term memory.
    """
    ALTER TABLE executions ADD COLUMN routine TEXT;
    CREATE INDEX executions_routine ON executions (routine, started)
        WHERE routine IS NOT NULL;
    CREATE TABLE audits (
        id TEXT PRIMARY KEY,
        time REAL NOT NULL,
        report TEXT NOT NULL
    );
    CREATE INDEX audits_time ON audits (time);
    CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        fact TEXT NOT NULL,
        confidence REAL NOT NULL,
        source TEXT,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        -- Normalised subject and fact: the same fact said twice is stored once.
        norm TEXT NOT NULL UNIQUE
    );
    """,
    # 7: who a task or run belongs to (and acts as, when trusted), and whether
    # anything it was given came from outside. Runs woken by outside sources were
    # outside before too; facts distilled before this could say nothing of where
    # they came from, so they count as outside (never recalled into trusted runs).
    """
    ALTER TABLE tasks ADD COLUMN owner TEXT;
    ALTER TABLE tasks ADD COLUMN trust TEXT NOT NULL DEFAULT 'trusted';
    ALTER TABLE executions ADD COLUMN owner TEXT;
    ALTER TABLE executions ADD COLUMN trust TEXT NOT NULL DEFAULT 'trusted';
    UPDATE executions SET trust = 'outside'
        WHERE origin IN ('vonage', 'youtube', 'whmcs', 'camera');
    ALTER TABLE facts ADD COLUMN trust TEXT NOT NULL DEFAULT 'outside';
    CREATE INDEX tasks_owner ON tasks (owner, status);
    CREATE INDEX executions_owner ON executions (owner, started);
    """,
    # 8: events are counted per source against its quota.
    """
    CREATE INDEX events_source ON events (source, time);
    """,
    # 9: each routine's rhythm: its anchor and next run survive restarts.
    """
    CREATE TABLE routine_schedules (
        routine TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        anchor REAL NOT NULL,
        next_run REAL
    );
    -- Cron times due while their task still runs (single flight) are found
    -- among the few running tasks.
    CREATE INDEX tasks_running ON tasks (next_run) WHERE status = 'running';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_TASK_COLUMNS = """
    t.id, t.name, t.agent, t.prompt, t.user, t.platform, t.kind, t.next_run, t.cron,
    t.time_zone, t.enabled, t.status, t.timeout, t.missed_run_policy, t.source,
    t.created, t.updated, t.deliver, t.action, t.owner, t.trust,
    (SELECT e.started FROM executions e WHERE e.task_id = t.id
        ORDER BY e.started DESC LIMIT 1) AS last_run,
    (SELECT e.status FROM executions e WHERE e.task_id = t.id
        ORDER BY e.started DESC LIMIT 1) AS last_status
"""
_EXECUTION_COLUMNS = (
    "id, task_id, source, status, started, finished, error, response, boot_id,"
    " conversation_id, delivery_channel, delivery_target, delivery_status,"
    " delivery_error, origin, routine, owner, trust"
)
_PREFIXED_EXECUTION_COLUMNS = ", ".join(
    f"e.{column.strip()}" for column in _EXECUTION_COLUMNS.split(",")
)
# A task in one of these will never run again by itself: it may be pruned.
_ENDED_TASK_STATUSES = tuple(
    status.value
    for status in TaskStatus
    if status not in (TaskStatus.SCHEDULED, TaskStatus.RUNNING)
)


class StoreError(Exception):
    """The database could not be read or written."""


# Stored work per user and stored events per source; far above what a home makes
# (a task a day for three years; 300 events a day over the default 30 days' keep).
MAX_TASKS_PER_OWNER = 1000
MAX_EVENTS_PER_SOURCE = 10_000


# Why a run that came while the previous one was still going did not start.
PREVIOUS_RUN_GOING = "The previous run is still going"


class QuotaExceeded(Exception):
    """A user or a source already has as many stored rows as it may."""

    def __init__(self, limit: int) -> None:
        """Say which limit was reached."""
        super().__init__(f"quota of {limit} reached")
        self.limit = limit


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the integration."""


class CorruptDatabaseError(StoreError):
    """The file is not an SQLite database, or its pages are damaged."""


# What SQLite says of a damaged file (as opposed to a locked, missing or full one).
_CORRUPT_MESSAGES = ("file is not a database", "database disk image is malformed")


@dataclass(frozen=True, slots=True)
class NewTask:
    """What is needed to create a task."""

    name: str
    agent: str
    prompt: str
    kind: TaskKind
    next_run: datetime
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


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The outcome of one claim: runs to start and tasks skipped by policy."""

    claims: list[Claim]
    skipped: list[str]
    # Cron times that came while the task's previous run was still going, under
    # the skip policy: (task, skipped execution id).
    overlapped: list[tuple[Task, str]]


def _ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _task(row: sqlite3.Row) -> Task:
    created = _dt(row["created"])
    updated = _dt(row["updated"])
    assert created is not None
    assert updated is not None
    return Task(
        task_id=row["id"],
        name=row["name"],
        agent=row["agent"],
        prompt=row["prompt"],
        user=row["user"],
        platform=row["platform"],
        kind=TaskKind(row["kind"]),
        next_run=_dt(row["next_run"]),
        cron=row["cron"],
        time_zone=row["time_zone"],
        enabled=bool(row["enabled"]),
        status=TaskStatus(row["status"]),
        timeout=row["timeout"],
        missed_run_policy=MissedRunPolicy(row["missed_run_policy"]),
        source=row["source"],
        created=created,
        updated=updated,
        deliver=bool(row["deliver"]),
        action=TaskAction(row["action"]),
        last_run=_dt(row["last_run"]),
        last_status=(
            None if row["last_status"] is None else ExecutionStatus(row["last_status"])
        ),
        owner=row["owner"],
        trust=Trust(row["trust"]),
    )


def _execution(row: sqlite3.Row) -> Execution:
    started = _dt(row["started"])
    assert started is not None
    return Execution(
        execution_id=row["id"],
        task_id=row["task_id"],
        source=ExecutionSource(row["source"]),
        status=ExecutionStatus(row["status"]),
        started=started,
        finished=_dt(row["finished"]),
        error=row["error"],
        response=row["response"],
        boot_id=row["boot_id"],
        conversation_id=row["conversation_id"],
        delivery_channel=row["delivery_channel"],
        delivery_target=row["delivery_target"],
        delivery_status=(
            None
            if row["delivery_status"] is None
            else DeliveryStatus(row["delivery_status"])
        ),
        delivery_error=row["delivery_error"],
        origin=row["origin"],
        routine=row["routine"],
        owner=row["owner"],
        trust=Trust(row["trust"]),
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


class TaskStore:
    """Tasks and executions in one SQLite file."""

    def __init__(self, path: Path) -> None:
        """Remember where the database lives; nothing is opened yet."""
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError("The store is closed")
        return self._db

    async def async_open(self) -> None:
        """Open the database, switch it to WAL and bring its schema up to date."""
        try:
            self._db = await aiosqlite.connect(self.path)
            self._db.row_factory = sqlite3.Row
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA synchronous=NORMAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._migrate()
        except sqlite3.DatabaseError as err:
            await self.async_close()
            if any(message in str(err) for message in _CORRUPT_MESSAGES):
                raise CorruptDatabaseError(str(err)) from err
            raise StoreError(str(err)) from err
        except sqlite3.Error as err:
            await self.async_close()
            raise StoreError(str(err)) from err
        except SchemaTooNewError:
            await self.async_close()
            raise

    async def async_close(self) -> None:
        """Close the database."""
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()
            # close() returns just before aiosqlite's worker thread exits; wait for it
            # so that nothing of the store outlives the entry.
            thread: threading.Thread | None = getattr(db, "_thread", None)
            if thread is not None:
                await asyncio.get_running_loop().run_in_executor(None, thread.join, 5)

    async def _migrate(self) -> None:
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"Database schema {version} is newer than supported {SCHEMA_VERSION}"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; the version bump is part of the script so a
            # crash leaves either the old schema or the new one.
            await self._conn.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def async_schema_version(self) -> int:
        """Return the schema version of the open database."""
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def async_query(
        self, sql: str, params: Sequence[Any] = ()
    ) -> Iterable[sqlite3.Row]:
        """Read rows (for the modules that own other tables of this file)."""
        return await self._fetchall(sql, params)

    async def async_transaction(
        self, work: Callable[[aiosqlite.Connection], Any]
    ) -> Any:
        """Run ``work`` in one write transaction (see ``async_query``)."""
        return await self._write(work)

    async def _fetchall(
        self, sql: str, params: Sequence[Any] = ()
    ) -> Iterable[sqlite3.Row]:
        try:
            return await self._conn.execute_fetchall(sql, params)
        except (sqlite3.Error, ValueError) as err:
            # aiosqlite says ValueError when the connection closed under the call.
            raise StoreError(str(err)) from err

    async def _write(self, work: Callable[[aiosqlite.Connection], Any]) -> Any:
        """Run ``work`` in one transaction: all of it is committed or none."""
        async with self._write_lock:
            conn = self._conn
            try:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    result = await work(conn)
                except BaseException:
                    await conn.rollback()
                    raise
                await conn.commit()
            except (sqlite3.Error, ValueError) as err:
                # aiosqlite says ValueError when the connection closed under the call.
                raise StoreError(str(err)) from err
            return result

    # Tasks

    async def async_add_task(self, new: NewTask) -> Task:
        """Store a new task and return it.

        Raises QuotaExceeded when its owner has MAX_TASKS_PER_OWNER tasks that have
        not ended.
        """
        task_id = ulid_now()
        now = dt_util.utcnow().timestamp()

        async def work(conn: aiosqlite.Connection) -> None:
            cursor = await conn.execute(
                """SELECT COUNT(*) FROM tasks
                WHERE owner IS ? AND status IN ('scheduled', 'running')""",
                (new.owner,),
            )
            if (await cursor.fetchone() or (0,))[0] >= MAX_TASKS_PER_OWNER:
                raise QuotaExceeded(MAX_TASKS_PER_OWNER)
            await conn.execute(
                """INSERT INTO tasks (id, name, agent, prompt, user, platform, kind,
                    next_run, cron, time_zone, enabled, status, timeout,
                    missed_run_policy, source, created, updated, deliver, action,
                    owner, trust)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?, ?)""",
                (
                    task_id,
                    new.name,
                    new.agent,
                    new.prompt,
                    new.user,
                    new.platform,
                    new.kind.value,
                    _ts(new.next_run),
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
                ),
            )

        await self._write(work)
        task = await self.async_get_task(task_id)
        assert task is not None
        return task

    async def async_get_task(self, task_id: str) -> Task | None:
        """Return one task, or None."""
        rows = list(
            await self._fetchall(
                f"SELECT {_TASK_COLUMNS} FROM tasks t WHERE t.id = ?", (task_id,)
            )
        )
        return _task(rows[0]) if rows else None

    async def async_list_tasks(
        self,
        statuses: Iterable[TaskStatus] | None = None,
        owner: str | None = None,
    ) -> list[Task]:
        """Return tasks, soonest next run first (of some statuses, or one owner)."""
        sql = f"SELECT {_TASK_COLUMNS} FROM tasks t"
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
        return [_task(row) for row in await self._fetchall(sql, params)]

    async def async_list_active_tasks(self, once_limit: int) -> list[Task]:
        """Return every recurring task that will run again, and the soonest one-offs.

        The one-off part is bounded, so that a view of it costs the same with ten
        or ten thousand pending one-off tasks.
        """
        rows = list(
            await self._fetchall(
                f"""SELECT {_TASK_COLUMNS} FROM tasks t
                WHERE t.kind = 'cron' AND t.status IN ('scheduled', 'running')""",
            )
        )
        rows += await self._fetchall(
            f"""SELECT {_TASK_COLUMNS} FROM tasks t
            WHERE t.kind = 'once' AND t.status IN ('scheduled', 'running')
            ORDER BY t.next_run IS NULL, t.next_run LIMIT ?""",
            (once_limit,),
        )
        tasks = [_task(row) for row in rows]
        tasks.sort(
            key=lambda task: (task.next_run is None, task.next_run or task.created)
        )
        return tasks

    async def async_tasks_due_between(
        self, start: datetime, end: datetime, limit: int = 1000
    ) -> list[Task]:
        """Return enabled scheduled one-off tasks due in a window, soonest first."""
        rows = await self._fetchall(
            f"""SELECT {_TASK_COLUMNS} FROM tasks t
            WHERE t.status = 'scheduled' AND t.enabled = 1 AND t.kind = 'once'
                AND t.next_run >= ? AND t.next_run < ?
            ORDER BY t.next_run LIMIT ?""",
            (start.timestamp(), end.timestamp(), limit),
        )
        return [_task(row) for row in rows]

    async def async_count_tasks_by_status(self) -> dict[str, int]:
        """Return how many tasks there are in each status."""
        rows = await self._fetchall(
            "SELECT status, COUNT(*) FROM tasks GROUP BY status"
        )
        return {row[0]: row[1] for row in rows}

    async def async_next_due(self) -> datetime | None:
        """Return the earliest next run of a runnable task."""
        rows = list(
            await self._fetchall(
                "SELECT MIN(next_run) FROM tasks WHERE enabled = 1"
                " AND (status = 'scheduled' OR (status = 'running'"
                " AND kind = 'cron' AND missed_run_policy = 'skip'))"
            )
        )
        return _dt(rows[0][0]) if rows else None

    async def async_cancel_task(self, task_id: str) -> bool:
        """Mark a task cancelled; False when it had already ended."""

        async def work(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
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

        async def work(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                """UPDATE tasks SET enabled = ?, next_run = COALESCE(?, next_run),
                    updated = ? WHERE id = ?""",
                (int(enabled), _ts(next_run), dt_util.utcnow().timestamp(), task_id),
            )

        await self._write(work)

    # Claims and executions

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

        async def work(conn: aiosqlite.Connection) -> ClaimResult:
            result = ClaimResult([], [], await self._skip_overlaps(conn, now, boot_id))
            while len(result.claims) < limit:
                rows = list(
                    await conn.execute_fetchall(
                        f"""SELECT {_TASK_COLUMNS} FROM tasks t
                        WHERE t.status = 'scheduled' AND t.enabled = 1
                            AND t.next_run <= ?
                        ORDER BY t.next_run LIMIT ?""",
                        (now.timestamp(), limit - len(result.claims)),
                    )
                )
                if not rows:
                    break
                for row in rows:
                    task = _task(row)
                    claim = await self._claim_one(conn, task, now, boot_id, grace)
                    if claim is None:
                        result.skipped.append(task.task_id)
                    else:
                        result.claims.append(claim)
            return result

        result: ClaimResult = await self._write(work)
        return result

    async def _skip_overlaps(
        self, conn: aiosqlite.Connection, now: datetime, boot_id: str
    ) -> list[tuple[Task, str]]:
        """Record as skipped the cron times due while their task is still running.

        Only under the skip policy; under run_once the time waits, and the run it
        stands for starts once the previous one ends (later times coalesce in it).
        """
        rows = await conn.execute_fetchall(
            f"""SELECT {_TASK_COLUMNS} FROM tasks t
            WHERE t.status = 'running' AND t.kind = 'cron' AND t.enabled = 1
                AND t.missed_run_policy = 'skip' AND t.next_run <= ?""",
            (now.timestamp(),),
        )
        overlapped = []
        for row in rows:
            task = _task(row)
            assert task.cron is not None
            assert task.time_zone is not None
            await conn.execute(
                "UPDATE tasks SET next_run = ?, updated = ? WHERE id = ?",
                (
                    _ts(next_cron_run(task.cron, task.time_zone, now)),
                    now.timestamp(),
                    task.task_id,
                ),
            )
            execution_id = ulid_now()
            await conn.execute(
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

    async def _claim_one(
        self,
        conn: aiosqlite.Connection,
        task: Task,
        now: datetime,
        boot_id: str,
        grace: timedelta,
    ) -> Claim | None:
        assert task.next_run is not None
        skip = (
            now - task.next_run > grace
            and task.missed_run_policy is MissedRunPolicy.SKIP
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
        await conn.execute(
            "UPDATE tasks SET status = ?, next_run = ?, updated = ? WHERE id = ?",
            (status.value, _ts(next_run), now.timestamp(), task.task_id),
        )
        if skip:
            return None
        execution_id = await self._insert_execution(
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

        async def work(conn: aiosqlite.Connection) -> Claim | None:
            rows = list(
                await conn.execute_fetchall(
                    f"SELECT {_TASK_COLUMNS} FROM tasks t WHERE t.id = ?", (task_id,)
                )
            )
            if not rows:
                return None
            task = _task(rows[0])
            if task.status in (TaskStatus.RUNNING, TaskStatus.CANCELLED):
                return None
            await conn.execute(
                "UPDATE tasks SET status = 'running', updated = ? WHERE id = ?",
                (now.timestamp(), task_id),
            )
            execution_id = await self._insert_execution(
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

    async def _insert_execution(
        self,
        conn: aiosqlite.Connection,
        task: Task,
        source: ExecutionSource,
        started: datetime,
        boot_id: str,
    ) -> str:
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

    async def async_reassign_agent(self, old: str, new: str) -> int:
        """Move the tasks that have not ended from one agent to another."""

        async def work(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(
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

        async def work(conn: aiosqlite.Connection) -> None:
            for task_id, owner in owners.items():
                await conn.execute(
                    "UPDATE tasks SET owner = ? WHERE id = ? AND owner IS NULL",
                    (owner, task_id),
                )
                await conn.execute(
                    "UPDATE executions SET owner = ? WHERE task_id = ?"
                    " AND owner IS NULL",
                    (owner, task_id),
                )

        await self._write(work)

    async def async_active_agents(self) -> set[str]:
        """Return the agents of tasks that have not ended."""
        rows = await self._fetchall(
            "SELECT DISTINCT agent FROM tasks WHERE status IN ('scheduled', 'running')"
        )
        return {row[0] for row in rows}

    async def async_add_event(self, event: RoutedEvent) -> bool:
        """Store an event; False when its dedupe key was seen before.

        Raises QuotaExceeded when its source has MAX_EVENTS_PER_SOURCE stored.
        """

        async def work(conn: aiosqlite.Connection) -> bool:
            cursor = await conn.execute(
                "SELECT COUNT(*) FROM events WHERE source = ?", (event.source,)
            )
            if (await cursor.fetchone() or (0,))[0] >= MAX_EVENTS_PER_SOURCE:
                raise QuotaExceeded(MAX_EVENTS_PER_SOURCE)
            cursor = await conn.execute(
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

        async def work(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

        await self._write(work)

    async def async_get_execution(self, execution_id: str) -> Execution | None:
        """Return one execution, or None."""
        rows = list(
            await self._fetchall(
                f"SELECT {_EXECUTION_COLUMNS} FROM executions WHERE id = ?",
                (execution_id,),
            )
        )
        return _execution(rows[0]) if rows else None

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
            f"SELECT {_EXECUTION_COLUMNS} FROM executions{where}"
            " ORDER BY started DESC, id DESC LIMIT ?",
            params,
        )
        return [_execution(row) for row in rows]

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
            f"""SELECT {_EXECUTION_COLUMNS} FROM executions e
            WHERE routine IS NOT NULL AND started = (
                SELECT MAX(started) FROM executions WHERE routine = e.routine)"""
        )
        return {row["routine"]: _execution(row) for row in rows}

    async def async_recent_named_executions(
        self, limit: int
    ) -> list[tuple[Execution, str]]:
        """Return the newest executions with their task's name (empty if none)."""
        rows = await self._fetchall(
            f"""SELECT {_PREFIXED_EXECUTION_COLUMNS}, t.name AS task_name
            FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
            ORDER BY e.started DESC, e.id DESC LIMIT ?""",
            (limit,),
        )
        return [(_execution(row), row["task_name"] or "") for row in rows]

    async def async_named_executions(
        self, start: datetime, end: datetime, limit: int = 500
    ) -> list[tuple[Execution, str]]:
        """Return executions started in a window with a name for each, oldest first."""
        rows = await self._fetchall(
            f"""SELECT {_PREFIXED_EXECUTION_COLUMNS}, t.name AS task_name
            FROM executions e LEFT JOIN tasks t ON t.id = e.task_id
            WHERE e.started >= ? AND e.started <= ?
            ORDER BY e.started LIMIT ?""",
            (start.timestamp(), end.timestamp(), limit),
        )
        return [(_execution(row), row["task_name"] or "") for row in rows]

    async def async_prune(self, older_than: datetime) -> tuple[int, int]:
        """Delete ended executions and ended one-off tasks older than a cut-off.

        Returns how many executions and tasks went.
        """
        cut = older_than.timestamp()

        async def work(conn: aiosqlite.Connection) -> tuple[int, int]:
            executions = await conn.execute(
                "DELETE FROM executions WHERE started < ? AND status != 'in_progress'",
                (cut,),
            )
            await conn.execute("DELETE FROM events WHERE time < ?", (cut,))
            await conn.execute("DELETE FROM audits WHERE time < ?", (cut,))
            tasks = await conn.execute(
                f"""DELETE FROM tasks WHERE updated < ? AND status IN
                    ({", ".join("?" * len(_ENDED_TASK_STATUSES))})""",
                (cut, *_ENDED_TASK_STATUSES),
            )
            return executions.rowcount, tasks.rowcount

        pruned: tuple[int, int] = await self._write(work)
        return pruned
