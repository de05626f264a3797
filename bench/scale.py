"""Scenario 2, scale: one tick, start-up and memory with 1,000 to 100,000 tasks.

A tick is what the scheduler does when its timer fires: claim what is due (here one
task) and read when the next one is due. Start-up is setting up the integration
on a database of N tasks (open, migrate, abandon stale runs, arm the timer, first
overview) in a real Home Assistant. Memory is the process's resident set after
start-up, against the same process before it. Each size runs in its own process.
"""

import custom_components  # noqa: F401  # isort: skip

import argparse
import asyncio
from datetime import datetime, timedelta
import json
import math
from pathlib import Path
import sqlite3
import subprocess
import sys
import tempfile
import time

from bench.common import bench_hass, fmt, rss_mb, save, summary
from custom_components.dland_assistant.models import MissedRunPolicy, TaskKind
from custom_components.dland_assistant.store import NewTask, TaskStore
from homeassistant.util import dt as dt_util

SIZES = (1_000, 10_000, 100_000)


def fill(path: Path, count: int, now: datetime) -> None:
    """Insert tasks directly: 10 % pending over the coming days, the rest ended.

    They belong to a thousand people (one may keep 1,000 unfinished tasks).
    """
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO tasks (id, name, agent, prompt, kind, next_run, status,"
            " timeout, missed_run_policy, source, created, updated, owner)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f"task{number:07d}",
                    f"Task {number}",
                    "conversation.home_assistant",
                    "turn on the kitchen light",
                    "once",
                    (now + timedelta(hours=1, seconds=number)).timestamp(),
                    "scheduled" if number % 10 == 0 else "succeeded",
                    600,
                    "run_once",
                    "bench",
                    now.timestamp(),
                    now.timestamp(),
                    f"user{number % 1000}",
                )
                for number in range(count)
            ),
        )


async def measure(count: int, rounds: int) -> dict[str, float]:
    """Measure one size in this process."""
    now = dt_util.utcnow()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config"
        config.mkdir()
        path = config / "dland_assistant.db"
        store = TaskStore(path)
        await store.async_open()
        await store.async_close()
        fill(path, count, now)
        ticks: list[float] = []
        store = TaskStore(path)
        await store.async_open()
        for number in range(rounds):
            await store.async_add_task(
                NewTask(
                    f"due {number}",
                    "x",
                    "p",
                    TaskKind.ONCE,
                    now - timedelta(seconds=1),
                    600,
                    MissedRunPolicy.RUN_ONCE,
                    "bench",
                )
            )
            begin = time.perf_counter()
            # The claim reads the next due time in the same transaction.
            result = await store.async_claim_due(now, 2, "bench", timedelta(minutes=5))
            ticks.append((time.perf_counter() - begin) * 1000)
            assert len(result.claims) == 1
        await store.async_close()
        before = rss_mb()
        begin = time.perf_counter()
        async with bench_hass(config) as bench:
            startup = (time.perf_counter() - begin) * 1000
            after = rss_mb()
            assert bench.entry is not None
            pending = len(bench.entry.runtime_data.coordinator.data.pending)
    tick = summary(ticks)
    return {
        "tasks": count,
        "pending": pending,
        "tick_p50_ms": tick["p50"],
        "tick_p99_ms": tick["p99"],
        # Start-up of Home Assistant's core pieces plus the integration.
        "startup_ms": startup,
        "rss_growth_mb": after - before,
        "rss_mb": after,
    }


def main() -> None:
    """Run every size in a child process; print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="1,000 tasks only")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(measure(args.one, args.rounds))))
        return
    rows = []
    for count in SIZES[:1] if args.smoke else SIZES:
        output = subprocess.run(
            [
                sys.executable,
                "-W",
                "ignore",
                "-m",
                "bench.scale",
                "--one",
                str(count),
                "--rounds",
                str(args.rounds),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    print("\n### Scale: one tick, start-up and memory by stored tasks")
    print(
        "| stored tasks | pending | tick p50 ms | tick p99 ms | start-up ms | RSS growth MB |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['tasks']:,} | {row['pending']:,} | {fmt(row['tick_p50_ms'], 2)}"
            f" | {fmt(row['tick_p99_ms'], 2)} | {fmt(row['startup_ms'])}"
            f" | {fmt(row['rss_growth_mb'])} |"
        )
    if len(rows) > 1:
        growth = rows[-1]["tick_p50_ms"] / rows[0]["tick_p50_ms"]
        print(
            f"\nTick at 100x the tasks: {growth:.2f}x the time (log10 ratio {math.log10(100):.0f})."
        )
    save("scale", {"rows": rows})


if __name__ == "__main__":
    main()
