"""Scenario 1, firing latency: how late does the agent get the prompt?

1,000 one-off tasks on whole seconds over a minute and 100 cron tasks due at the
minute boundary inside it. The same due times are given, one system after the
other in the same process and event loop, to this integration, to APScheduler 3.x
(AsyncIOScheduler with its SQLite SQLAlchemyJobStore) and to Home Assistant
automations with time triggers. The seed design's 10 s polling tick is a modelled
reference line: each run waits for the next tick.
"""

import custom_components  # noqa: F401  # isort: skip

import argparse
import asyncio
from datetime import UTC, datetime
import gc
from pathlib import Path
import tempfile
import time
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bench.common import Bench, LagMonitor, bench_hass, fmt, save, summary
from custom_components.dland_assistant import task_manager
from custom_components.dland_assistant.identity import Caller
from custom_components.dland_assistant.runtime import loaded_entry
from homeassistant.setup import async_setup_component

TICK = 10.0
# APScheduler's SQLAlchemy job store pickles a module-level function.
APS_FIRED: dict[str, float] = {}


def aps_job(key: str) -> None:
    """Record when APScheduler ran a job."""
    APS_FIRED[key] = time.time()


def plan(one_offs: int, crons: int, span: int) -> tuple[float, list[tuple[str, float]]]:
    """Return the minute boundary and (key, due) pairs around it, on whole seconds."""
    now = time.time()
    boundary = (int(now) // 60 + 1) * 60
    if boundary - now < span / 2 + 25:  # room to set up before the first due time
        boundary += 60
    start = boundary - span // 2
    due = [
        (f"once-{n}", float(start + (n * span) // one_offs)) for n in range(one_offs)
    ]
    due += [(f"cron-{n}", float(boundary)) for n in range(crons)]
    return boundary, due


async def _wait_until(when: float) -> None:
    await asyncio.sleep(max(0.0, when - time.time()))


async def run_ours(bench: Bench, due: list[tuple[str, float]]) -> list[float]:
    """Schedule through the integration; delays from due time to the agent call."""
    hass = bench.hass
    # Two people share the work: one may keep at most 1,000 unfinished tasks.
    callers = [
        Caller(user_id=(await hass.auth.async_create_user(name)).id, is_admin=False)
        for name in ("Bench A", "Bench B")
    ]
    for number, (key, when) in enumerate(due):
        at = datetime.fromtimestamp(when, UTC)
        request = task_manager.ScheduleRequest(
            prompt=key,
            caller=callers[number % 2],
            name=key,
            deliver=False,
            **(
                {"cron": f"{at.minute} {at.hour} * * *"}
                if key.startswith("cron")
                else {"at": at}
            ),
        )
        await task_manager.async_schedule_task(hass, loaded_entry(hass), request)
    await _wait_until(max(w for _, w in due) + 3)
    await hass.async_block_till_done()
    arrived = {text: at for at, text in bench.agent.calls}
    return [(arrived[key] - when) * 1000 for key, when in due if key in arrived]


async def run_apscheduler(folder: Path, due: list[tuple[str, float]]) -> list[float]:
    """The same due times as APScheduler jobs in its SQLite job store."""
    APS_FIRED.clear()
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{folder}/aps.db")},
        timezone="UTC",
        job_defaults={"misfire_grace_time": 600, "coalesce": True},
    )
    scheduler.start()
    for key, when in due:
        at = datetime.fromtimestamp(when, UTC)
        trigger: Any = (
            CronTrigger(minute=at.minute, hour=at.hour, timezone="UTC")
            if key.startswith("cron")
            else "date"
        )
        scheduler.add_job(
            aps_job,
            trigger,
            args=[key],
            id=key,
            **({} if key.startswith("cron") else {"run_date": at}),
        )
    await _wait_until(max(w for _, w in due) + 3)
    scheduler.shutdown(wait=False)
    return [(APS_FIRED[key] - when) * 1000 for key, when in due if key in APS_FIRED]


async def run_automations(bench: Bench, due: list[tuple[str, float]]) -> list[float]:
    """One automation per due second (time trigger); each fire serves that second."""
    hass = bench.hass
    seconds = sorted({when for _, when in due})
    fired: dict[float, float] = {}
    hass.bus.async_listen(
        "bench_fired", lambda event: fired.setdefault(event.data["at"], time.time())
    )
    automations = [
        {
            "id": f"bench{n}",
            "triggers": [
                {
                    "trigger": "time",
                    "at": datetime.fromtimestamp(when, UTC).strftime("%H:%M:%S"),
                }
            ],
            "actions": [{"event": "bench_fired", "event_data": {"at": when}}],
        }
        for n, when in enumerate(seconds)
    ]
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await _wait_until(max(seconds) + 3)
    return [(fired[when] - when) * 1000 for _, when in due if when in fired]


def modelled_tick(due: list[tuple[str, float]], phase: float) -> list[float]:
    """Delays a 10 s polling loop would give (it wakes at phase + k * TICK)."""
    return [((phase - when) % TICK) * 1000 for _, when in due]


SYSTEMS = ("dland_assistant", "apscheduler", "ha_automation")


async def main_async(
    one_offs: int, crons: int, span: int, slots: int, systems: tuple[str, ...]
) -> dict[str, Any]:
    """Run the systems one after the other; return the delay summaries."""
    results: dict[str, Any] = {}
    raw: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for system in systems:
            _, due = plan(one_offs, crons, span)
            async with bench_hass(
                Path(folder) / system,
                integration=system == "dland_assistant",
                options={"max_concurrent": slots},
            ) as bench:
                gc.collect()  # Home Assistant's set-up garbage: a start-up cost
                lag = LagMonitor()
                lag.start()
                if system == "dland_assistant":
                    delays = await run_ours(bench, due)
                elif system == "apscheduler":
                    delays = await run_apscheduler(Path(folder), due)
                else:
                    delays = await run_automations(bench, due)
                lags = await lag.stop()
            raw[system] = delays
            results[system] = {**summary(delays), "missed": len(due) - len(delays)}
            results[system]["loop_lag_max_ms"] = summary(lags)["max"]
            print(f"  {system}: {len(delays)}/{len(due)} fired", flush=True)
        raw["tick_10s_model"] = modelled_tick(due, phase=due[0][1] - 3.7)
        results["tick_10s_model"] = {**summary(raw["tick_10s_model"]), "missed": 0}
    results["raw"] = raw
    return results


def main() -> None:
    """Run scenario 1 and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="100 + 10 tasks, 10 s")
    parser.add_argument("--slots", type=int, default=2, help="agent runs at once")
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS))
    args = parser.parse_args()
    one_offs, crons, span = (100, 10, 10) if args.smoke else (1000, 100, 60)
    results = asyncio.run(
        main_async(one_offs, crons, span, args.slots, tuple(args.systems))
    )
    ours = results["dland_assistant"]
    print(
        f"\n### Firing latency: {one_offs:,} one-off + {crons} cron tasks over {span} s"
    )
    print("| system | p50 ms | p99 ms | max ms | fired | p99 vs ours |")
    print("| --- | --- | --- | --- | --- | --- |")
    for system in (*args.systems, "tick_10s_model"):
        row = results[system]
        ratio = row["p99"] / ours["p99"] if ours["p99"] else float("nan")
        print(
            f"| {system} | {fmt(row['p50'])} | {fmt(row['p99'])} | {fmt(row['max'])}"
            f" | {row['n']} | {fmt(ratio, 1)}x |"
        )
    save(
        "latency" if args.slots == 2 else f"latency_{args.slots}_slots",
        {
            "smoke": args.smoke,
            "one_offs": one_offs,
            "crons": crons,
            "slots": args.slots,
            **results,
        },
    )


if __name__ == "__main__":
    main()
