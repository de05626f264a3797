"""The SQLite store: schema, migrations, WAL, indexes and atomic claims."""

import asyncio
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
from typing import Any

import pytest

from custom_components.dland_assistant.models import (
    ExecutionStatus,
    MissedRunPolicy,
    TaskKind,
    TaskStatus,
)
from custom_components.dland_assistant.store import (
    SCHEMA_VERSION,
    NewTask,
    QuotaExceeded,
    SchemaTooNewError,
    StoreError,
    TaskStore,
    database as store_database,
    tasks as store_tasks,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _once(at: datetime, name: str = "t") -> NewTask:
    return NewTask(
        name, "agent", "prompt", TaskKind.ONCE, at, 60, MissedRunPolicy.RUN_ONCE, "test"
    )


@pytest.fixture
async def store(tmp_path: Path) -> TaskStore:
    task_store = TaskStore(tmp_path / "tasks.db")
    await task_store.async_open()
    yield task_store  # type: ignore[misc]
    await task_store.async_close()


async def test_new_database_has_current_schema_in_wal_mode(
    store: TaskStore, tmp_path: Path
) -> None:
    """A new file gets the latest schema version and WAL journaling."""
    assert await store.async_schema_version() == SCHEMA_VERSION
    with closing(sqlite3.connect(tmp_path / "tasks.db")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert {"tasks", "executions"} <= tables


async def test_reopening_keeps_data_and_runs_no_migration_twice(tmp_path: Path) -> None:
    """Opening an up-to-date file changes nothing."""
    path = tmp_path / "tasks.db"
    first = TaskStore(path)
    await first.async_open()
    task = await first.async_add_task(_once(NOW))
    await first.async_close()
    second = TaskStore(path)
    await second.async_open()
    assert await second.async_get_task(task.task_id) == task
    assert await second.async_schema_version() == SCHEMA_VERSION
    await second.async_close()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A file from a newer version is not touched."""
    path = tmp_path / "tasks.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    task_store = TaskStore(path)
    with pytest.raises(SchemaTooNewError):
        await task_store.async_open()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0


async def test_unreadable_file_is_a_store_error(tmp_path: Path) -> None:
    """A file that is not a database raises StoreError."""
    path = tmp_path / "tasks.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError):
        await TaskStore(path).async_open()


async def test_due_query_uses_the_partial_index(
    store: TaskStore, tmp_path: Path
) -> None:
    """'What is due' is answered from the tasks_due index, not a table scan."""
    with closing(sqlite3.connect(tmp_path / "tasks.db")) as conn:
        plan = " ".join(
            str(row[3])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE status = 'scheduled'"
                " AND enabled = 1 AND next_run <= ? ORDER BY next_run LIMIT 5",
                (NOW.timestamp(),),
            )
        )
        min_plan = " ".join(
            str(row[3])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT MIN(next_run) FROM tasks"
                " WHERE status = 'scheduled' AND enabled = 1"
            )
        )
    assert "tasks_due" in plan
    assert "tasks_due" in min_plan


async def test_concurrent_claims_never_share_a_task(store: TaskStore) -> None:
    """Claims racing each other hand out each due task exactly once."""
    for i in range(50):
        await store.async_add_task(_once(NOW - timedelta(seconds=i), f"t{i}"))
    results = await asyncio.gather(
        *(
            store.async_claim_due(NOW, 7, "boot", timedelta(minutes=5))
            for _ in range(10)
        )
    )
    claimed = [c.task.task_id for r in results for c in r.claims]
    assert len(claimed) == 50
    assert len(set(claimed)) == 50
    executions = await store.async_list_executions(limit=1000)
    assert len(executions) == 50
    assert {e.status for e in executions} == {ExecutionStatus.IN_PROGRESS}


async def test_claim_is_all_or_nothing(
    store: TaskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a claim fails midway, no task is marked running and no execution exists."""
    for i in range(3):
        await store.async_add_task(_once(NOW - timedelta(seconds=i), f"t{i}"))
    calls = 0
    original = store_tasks.insert_execution

    def flaky(*args: object) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store_tasks, "insert_execution", flaky)
    with pytest.raises(StoreError):
        await store.async_claim_due(NOW, 10, "boot", timedelta(minutes=5))
    tasks = await store.async_list_tasks()
    assert {t.status for t in tasks} == {TaskStatus.SCHEDULED}
    assert await store.async_list_executions() == []


async def test_finish_is_recorded_once(store: TaskStore) -> None:
    """An execution that already ended is not overwritten."""
    await store.async_add_task(_once(NOW))
    [claim] = (await store.async_claim_due(NOW, 1, "boot", timedelta(0))).claims
    assert await store.async_finish_execution(
        claim.execution_id, ExecutionStatus.TIMED_OUT, NOW
    )
    assert not await store.async_finish_execution(
        claim.execution_id, ExecutionStatus.SUCCEEDED, NOW, response="late"
    )
    execution = await store.async_get_execution(claim.execution_id)
    assert execution is not None
    assert execution.status is ExecutionStatus.TIMED_OUT
    assert execution.response is None
    assert await store.async_get_execution("missing") is None


async def test_counts_by_status(store: TaskStore) -> None:
    """Tasks are counted per status."""
    await store.async_add_task(_once(NOW))
    other = await store.async_add_task(_once(NOW))
    await store.async_cancel_task(other.task_id)
    assert await store.async_count_tasks_by_status() == {"scheduled": 1, "cancelled": 1}


async def test_closed_store_raises(tmp_path: Path) -> None:
    """Using a closed store is a StoreError, not a crash."""
    task_store = TaskStore(tmp_path / "x.db")
    with pytest.raises(StoreError):
        await task_store.async_list_tasks()


async def test_version_1_database_migrates_forward(tmp_path: Path) -> None:
    """A database written by schema 1 opens with its tasks intact and new defaults."""
    from custom_components.dland_assistant.store import MIGRATIONS

    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(f"BEGIN;{MIGRATIONS[0]}PRAGMA user_version = 1;COMMIT;")
        conn.execute(
            "INSERT INTO tasks (id, name, agent, prompt, kind, next_run, status,"
            " timeout, missed_run_policy, source, created, updated) VALUES"
            " ('t1', 'old', 'conversation.home_assistant', 'hi', 'once', ?,"
            " 'scheduled', 60, 'run_once', 'service', ?, ?)",
            (NOW.timestamp(), NOW.timestamp(), NOW.timestamp()),
        )
        conn.commit()
    task_store = TaskStore(path)
    await task_store.async_open()
    try:
        assert await task_store.async_schema_version() == SCHEMA_VERSION == 13
        task = await task_store.async_get_task("t1")
        assert task is not None
        assert task.name == "old"
        assert task.deliver is True
        assert task.action == "agent"
        # Retries (10): no failures yet, the options' attempts, delivers always.
        assert (task.attempt, task.failures, task.max_attempts) == (0, 0, None)
        # Moments (12): an old task waits for none.
        assert (task.moment, task.fired, task.occurrence) == (None, None, None)
        assert task.only_when_needed is False
        # Given an owner at set-up (test_trust), trusted: it came from a service.
        assert task.owner is None
        assert task.trust == "trusted"
        [claim] = (await task_store.async_claim_due(NOW, 5, "b", timedelta(0))).claims
        assert claim.task.task_id == "t1"
    finally:
        await task_store.async_close()


@pytest.mark.parametrize(
    ("back_at", "runs"),
    [
        # Back at 15:00:00 or within the 5-minute grace of it: 15:00 is on time and
        # runs (12:15 ... 14:45 coalesce into it), under skip too.
        ("15:00:00", 1),
        ("15:00:20", 1),
        ("15:05:00", 1),
        # Later than the grace after every missed time: skipped.
        ("15:05:01", 0),
        ("15:14:59", 0),
    ],
)
async def test_skip_cron_runs_a_missed_time_still_within_the_grace(
    store: TaskStore, back_at: str, runs: int
) -> None:
    """Down from 12:00 to just after 15:00: only 15:00 may run, and only if on time."""
    first = datetime(2026, 11, 28, 12, 15, tzinfo=UTC)
    await store.async_add_task(
        NewTask(
            "quarter",
            "agent",
            "prompt",
            TaskKind.CRON,
            first,
            60,
            MissedRunPolicy.SKIP,
            "test",
            cron="*/15 * * * *",
            time_zone="UTC",
        )
    )
    now = datetime.fromisoformat(f"2026-11-28 {back_at}+00:00")
    result = await store.async_claim_due(now, 5, "boot", timedelta(minutes=5))
    assert len(result.claims) == runs
    assert len(result.skipped) == 1 - runs
    [task] = await store.async_list_tasks()
    assert task.next_run == datetime(2026, 11, 28, 15, 15, tzinfo=UTC)
    assert task.status is (TaskStatus.RUNNING if runs else TaskStatus.SCHEDULED)


async def test_writes_that_land_together_share_one_commit(
    store: TaskStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three writes at once: one transaction; the one that fails is undone alone,
    its caller hears why, the others are committed (and readable by another
    connection once their callers return)."""
    commits: list[int] = []
    original = store_database._commit

    def counting(conn: sqlite3.Connection, *, works: list[Any]) -> Any:
        commits.append(len(works))
        return original(conn, works=works)

    monkeypatch.setattr(store_database, "_commit", counting)

    def insert(key: str, fail: bool = False) -> Any:
        def work(conn: sqlite3.Connection) -> str:
            conn.execute("INSERT INTO state (key, value) VALUES (?, 'x')", (key,))
            if fail:
                raise QuotaExceeded(1)
            return key

        return work

    results = await asyncio.gather(
        store._write(insert("a")),
        store._write(insert("b", fail=True)),
        store._write(insert("c")),
        return_exceptions=True,
    )
    assert results[0] == "a"
    assert isinstance(results[1], QuotaExceeded)
    assert results[2] == "c"
    assert commits == [3]
    with closing(sqlite3.connect(tmp_path / "tasks.db")) as other:
        keys = {row[0] for row in other.execute("SELECT key FROM state")}
    assert {"a", "c"} <= keys
    assert "b" not in keys


async def test_a_disk_that_takes_no_writes_fails_each_write_of_a_group(
    store: TaskStore, tmp_path: Path
) -> None:
    """Every caller hears the StoreError; nothing is written."""
    await store._call(lambda conn: conn.execute("PRAGMA query_only = ON"))

    def insert(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO state (key, value) VALUES ('k', 'v')")

    results = await asyncio.gather(
        store._write(insert), store._write(insert), return_exceptions=True
    )
    assert [type(result) for result in results] == [StoreError, StoreError]
    await store._call(lambda conn: conn.execute("PRAGMA query_only = OFF"))
    assert await store._fetchall("SELECT key FROM state WHERE key = 'k'") == []


async def test_a_closed_store_refuses_reads_and_writes(store: TaskStore) -> None:
    """After close: a clear StoreError, not a crash; closing twice is harmless."""
    await store.async_close()
    await store.async_close()
    with pytest.raises(StoreError, match="closed"):
        await store.async_list_tasks()
    with pytest.raises(StoreError, match="closed"):
        await store.async_add_task(_once(NOW))
