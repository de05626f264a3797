"""Scenario 3, throughput: 10,000 tasks due at once, claimed, run and logged.

This integration runs them under its concurrency limit (the default 2 agent runs
at once, and 16), each claim and each result a committed SQLite transaction.
APScheduler 3.x gets the same 10,000 jobs due at once in its SQLite job store.
"""

import custom_components  # noqa: F401  # isort: skip

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
import gc
import math
from pathlib import Path
import sqlite3
import tempfile
import time
from typing import Any

from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bench.common import AGENT_ID, LagMonitor, bench_hass, fmt, rss_mb, save, summary
from custom_components.dland_assistant.models import ExecutionStatus
from homeassistant.util import dt as dt_util

APS_DONE: list[float] = []


def aps_job(key: str) -> None:
    """A no-op job (the agent's stand-in)."""


def fill_due(path: Path, count: int, due: datetime) -> None:
    """Insert tasks that are all due now."""
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO tasks (id, name, agent, prompt, kind, next_run, status,"
            " timeout, missed_run_policy, source, created, updated, deliver)"
            " VALUES (?, ?, ?, ?, 'once', ?, 'scheduled', 600, 'run_once', 'bench',"
            " ?, ?, 0)",
            (
                (
                    f"t{n:06d}",
                    f"Task {n}",
                    AGENT_ID,
                    f"p{n}",
                    due.timestamp(),
                    due.timestamp(),
                    due.timestamp(),
                )
                for n in range(count)
            ),
        )


async def run_ours(folder: Path, count: int, slots: int) -> dict[str, Any]:
    """Time until every task has run and its execution is logged.

    Home Assistant starts on an empty store and its set-up garbage is collected
    first; the tasks are then stored (by another connection, as a restore would)
    and the clock starts when the scheduler is woken, with the loop watched
    throughout. Memory is read after the first tenth of the runs and at the end
    (after a full collection): what stays per run.
    """
    config = folder / f"ours{slots}"
    config.mkdir(parents=True)
    path = config / "dland_assistant.db"
    async with bench_hass(config, options={"max_concurrent": slots}) as bench:
        assert bench.entry is not None
        store = bench.entry.runtime_data.store
        gc.collect()
        lag = LagMonitor()
        lag.start()
        due = dt_util.utcnow() - timedelta(seconds=1)
        await asyncio.get_running_loop().run_in_executor(
            None, fill_due, path, count, due
        )
        begin = time.perf_counter()
        await bench.entry.runtime_data.scheduler.async_wake()
        rss_early: float | None = None
        while True:
            done = await store.async_count_executions(
                [ExecutionStatus.SUCCEEDED], datetime(2000, 1, 1, tzinfo=UTC)
            )
            if rss_early is None and done >= count // 10:
                # Not collected here: a full collection would stall the loop measured.
                rss_early, done_early = rss_mb(), done
            if done >= count:
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - begin
        lags = await lag.stop()
        gc.collect()
        growth_kb = (rss_mb() - (rss_early or math.nan)) * 1024
    return {
        "seconds": elapsed,
        "per_second": count / elapsed,
        "loop_lag_max_ms": summary(lags)["max"],
        "loop_lag_samples": len(lags),
        "agent_calls": len(bench.agent.calls),
        "rss_kb_per_1000_runs": growth_kb / (count - done_early) * 1000,
    }


async def run_apscheduler(folder: Path, count: int) -> dict[str, Any]:
    """The same jobs, due at once, in APScheduler's SQLite job store."""
    APS_DONE.clear()
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{folder}/aps.db")},
        timezone="UTC",
        job_defaults={"misfire_grace_time": 3600},
    )
    scheduler.add_listener(lambda _: APS_DONE.append(time.time()), EVENT_JOB_EXECUTED)
    due = datetime.now(UTC) + timedelta(seconds=20)
    # Adding jobs to a running scheduler writes each one; add first, then start.
    for number in range(count):
        scheduler.add_job(
            aps_job, "date", run_date=due, args=[str(number)], id=str(number)
        )
    lag = LagMonitor()
    lag.start()
    scheduler.start()
    begin = time.perf_counter()
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()))
    begin = time.perf_counter()
    while len(APS_DONE) < count and time.perf_counter() - begin < 600:
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - begin
    scheduler.shutdown(wait=False)
    lags = await lag.stop()
    return {
        "seconds": elapsed,
        "per_second": len(APS_DONE) / elapsed,
        "loop_lag_max_ms": summary(lags)["max"],
        "agent_calls": len(APS_DONE),
    }


async def main_async(count: int) -> dict[str, Any]:
    """Run each system; return their rates."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for slots in (2, 16):
            results[f"dland_assistant_{slots}_slots"] = await run_ours(
                Path(folder), count, slots
            )
            print(f"  ours with {slots} slots done", flush=True)
        results["apscheduler"] = await run_apscheduler(Path(folder), count)
    return results


def main() -> None:
    """Run scenario 3 and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="1,000 tasks")
    args = parser.parse_args()
    count = 1_000 if args.smoke else 10_000
    results = asyncio.run(main_async(count))
    print(f"\n### Throughput: {count:,} tasks due at once")
    print(
        "| system | seconds | tasks per second | worst loop lag ms | RSS KB/1,000 runs |"
    )
    print("| --- | --- | --- | --- | --- |")
    for system, row in results.items():
        print(
            f"| {system} | {fmt(row['seconds'], 2)} | {fmt(row['per_second'], 0)}"
            f" | {fmt(row['loop_lag_max_ms'])}"
            f" | {fmt(row.get('rss_kb_per_1000_runs', math.nan))} |"
        )
    save("throughput", {"count": count, **results})


if __name__ == "__main__":
    main()
