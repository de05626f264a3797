"""How the store's hot queries scale with the number of stored tasks.

Fills a SQLite file with N tasks (most of them finished, as a long-running home
accumulates), then times "when is the next run" and one claim of what is due.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
import statistics
import tempfile
import time

from custom_components.dland_assistant.models import MissedRunPolicy, TaskKind
from custom_components.dland_assistant.store import NewTask, TaskStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _fill(path: Path, count: int) -> None:
    """Insert tasks directly (fast); 10% pending over the next week, the rest ended."""
    with sqlite3.connect(path) as conn:
        rows = []
        for number in range(count):
            pending = number % 10 == 0
            rows.append(
                (
                    f"task{number:07d}",
                    f"Task {number}",
                    "conversation.home_assistant",
                    "turn on the kitchen light",
                    "once",
                    (NOW + timedelta(seconds=60 + number)).timestamp(),
                    "scheduled" if pending else "succeeded",
                    600,
                    "run_once",
                    "bench",
                    NOW.timestamp(),
                    NOW.timestamp(),
                )
            )
        conn.executemany(
            "INSERT INTO tasks (id, name, agent, prompt, kind, next_run, status,"
            " timeout, missed_run_policy, source, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def _measure(count: int, rounds: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store = TaskStore(path)
        await store.async_open()
        await store.async_close()
        _fill(path, count)
        started = time.perf_counter()
        store = TaskStore(path)
        await store.async_open()
        opened = time.perf_counter() - started
        next_due: list[float] = []
        claims: list[float] = []
        for round_number in range(rounds):
            begin = time.perf_counter()
            await store.async_next_due()
            next_due.append(time.perf_counter() - begin)
            due = await store.async_add_task(
                NewTask(
                    f"due {round_number}",
                    "x",
                    "p",
                    TaskKind.ONCE,
                    NOW - timedelta(seconds=1),
                    600,
                    MissedRunPolicy.RUN_ONCE,
                    "bench",
                )
            )
            begin = time.perf_counter()
            result = await store.async_claim_due(NOW, 2, "bench", timedelta(minutes=5))
            claims.append(time.perf_counter() - begin)
            assert [c.task.task_id for c in result.claims] == [due.task_id]
        await store.async_close()
    return (
        opened * 1000,
        statistics.median(next_due) * 1000,
        statistics.median(claims) * 1000,
    )


def main() -> None:
    """Print a table for 1,000, 10,000 and 100,000 stored tasks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    print("| stored tasks | open ms | next due ms (median) | claim ms (median) |")
    print("| --- | --- | --- | --- |")
    for count in (1_000, 10_000, 100_000):
        opened, next_due, claim = asyncio.run(_measure(count, args.rounds))
        print(f"| {count:,} | {opened:.2f} | {next_due:.3f} | {claim:.3f} |")


if __name__ == "__main__":
    main()
