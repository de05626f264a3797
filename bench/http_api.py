"""Scenarios 4 and 5 over Home Assistant's real HTTP server (loopback, a real port).

4. Wakeup API: ``POST /api/wakeup`` with a long-lived token, 202 path, from a client
   in its own thread and event loop; against a bare aiohttp handler doing the same
   body reading and validation, as the ceiling. The per-source rate limit and the
   queue bound are raised for the run so that every request takes the 202 path.
5. Storm: 1,000 signed YouTube notifications for 20 videos in 10 s: agent runs
   started, time to answer the hub, and the worst event-loop lag meanwhile.
"""

import custom_components  # noqa: F401  # isort: skip

import argparse
import asyncio
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
import gc
import hashlib
import hmac
import multiprocessing
from pathlib import Path
import tempfile
import time
from typing import Any

import aiohttp
from aiohttp import web
import voluptuous as vol

from bench.common import LagMonitor, bench_hass, fmt, save, summary
from custom_components.dland_assistant.engine.breaker import RateLimiter
from custom_components.dland_assistant.sources import http, wakeup
from homeassistant.auth.const import GROUP_ID_ADMIN
from homeassistant.auth.models import TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from tests.e2e.harness import free_port

SECRET = "bench-secret"
CHANNEL = "UCbench"


def atom(video: str, title: str) -> bytes:
    """Return a YouTube push notification body."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <entry><id>yt:video:{video}</id><yt:videoId>{video}</yt:videoId>
  <yt:channelId>{CHANNEL}</yt:channelId><title>{title}</title></entry>
</feed>""".encode()


def signature(body: bytes) -> str:
    """Return the hub's HMAC header value."""
    return "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest()


async def token(hass: HomeAssistant) -> str:
    """Return a long-lived access token of an admin."""
    user = await hass.auth.async_create_user("bench", group_ids=[GROUP_ID_ADMIN])
    refresh = await hass.auth.async_create_refresh_token(
        user,
        client_name="bench",
        token_type=TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN,
        access_token_expiration=timedelta(days=1),
    )
    return hass.auth.async_create_access_token(refresh)


async def load(
    url: str, headers: dict[str, str], bodies: list[bytes], concurrency: int
) -> tuple[list[float], dict[int, int], float]:
    """POST every body with a bounded number in flight; return latencies (ms)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            begin = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append((time.perf_counter() - begin) * 1000)

    begin = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - begin


async def bare_server(port: int) -> web.AppRunner:
    """The ceiling: same body reading and validation, no auth, no agent."""

    async def handle(request: web.Request) -> web.Response:
        payload = await http.async_read_json(request)
        if isinstance(payload, web.Response):
            return payload
        try:
            wakeup.WAKEUP_FIELDS(payload)
        except vol.Invalid as err:
            return web.json_response({"message": str(err)}, status=400)
        return web.json_response({"execution_id": "x"}, status=202)

    app = web.Application()
    app.router.add_post("/api/wakeup", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def _load_in_child(
    url: str, headers: dict[str, str], bodies: list[bytes], concurrency: int
) -> tuple[list[float], dict[int, int], float]:
    return asyncio.run(load(url, headers, bodies, concurrency))


def _paced_in_child(
    url: str, bodies: list[bytes], seconds: float
) -> tuple[list[float], dict[int, int], float]:
    return asyncio.run(paced(url, bodies, seconds))


async def in_child_process(function: Any, *args: Any) -> Any:
    """Run a load generator in another process (no GIL shared with the loop)."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(pool, function, *args)
    finally:
        # Waiting for the child to exit blocks: not on the loop being measured.
        await loop.run_in_executor(None, pool.shutdown)


async def client_run(
    url: str, headers: dict[str, str], bodies: list[bytes], concurrency: int
) -> dict[str, Any]:
    """Load a URL from another process while the loop's lag is sampled here.

    Home Assistant's set-up garbage is collected first, so that its one full
    collection (a start-up cost) is not counted as the load's.
    """
    gc.collect()
    lag = LagMonitor()
    lag.start()
    latencies, statuses, elapsed = await in_child_process(
        _load_in_child, url, headers, bodies, concurrency
    )
    lags = await lag.stop()
    return {
        **summary(latencies),
        "per_second": len(latencies) / elapsed,
        "statuses": statuses,
        "loop_lag_max_ms": summary(lags)["max"],
        "loop_lag_p99_ms": summary(lags)["p99"],
    }


async def paced(
    url: str, bodies: list[bytes], seconds: float
) -> tuple[list[float], dict[int, int], float]:
    """POST signed notifications evenly over some seconds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pace = seconds / len(bodies)
    begin = time.perf_counter()
    async with aiohttp.ClientSession() as session:

        async def one(number: int, body: bytes) -> None:
            await asyncio.sleep(max(0.0, begin + number * pace - time.perf_counter()))
            start = time.perf_counter()
            headers = {
                "X-Hub-Signature": signature(body),
                "Content-Type": "application/atom+xml",
            }
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append((time.perf_counter() - start) * 1000)

        await asyncio.gather(*(one(n, b) for n, b in enumerate(bodies)))
    return latencies, statuses, time.perf_counter() - begin


async def wakeup_api(folder: Path, requests: int, concurrency: int) -> dict[str, Any]:
    """Scenario 4."""
    results: dict[str, Any] = {}
    port = free_port()
    async with bench_hass(
        folder / "api", options={"max_concurrent": 4}, http_port=port
    ) as bench:
        hass = bench.hass
        assert bench.entry is not None
        scheduler = bench.entry.runtime_data.scheduler
        scheduler.rate_limiter = RateLimiter(rate=1e9, burst=1e9)
        scheduler.settings = type(scheduler.settings)(
            max_concurrent=scheduler.settings.max_concurrent,
            grace=scheduler.settings.grace,
            retention=scheduler.settings.retention,
            max_queue=requests,
        )
        headers = {
            "Authorization": f"Bearer {await token(hass)}",
            "Content-Type": "application/json",
        }
        body = b'{"agent": "%s", "prompt": "bench", "deliver": false}' % (
            bench.entry.options["default_agent"].encode()
        )
        results["home_assistant"] = await client_run(
            f"http://127.0.0.1:{port}/api/wakeup",
            headers,
            [body] * requests,
            concurrency,
        )
        await hass.async_block_till_done()
        results["home_assistant"]["agent_runs"] = len(bench.agent.calls)
        bare_port = free_port()
        runner = await bare_server(bare_port)
        results["bare_aiohttp"] = await client_run(
            f"http://127.0.0.1:{bare_port}/api/wakeup",
            {"Content-Type": "application/json"},
            [body] * requests,
            concurrency,
        )
        await runner.cleanup()
    return results


async def storm(
    folder: Path, notifications: int, videos: int, seconds: float
) -> dict[str, Any]:
    """Scenario 5."""
    port = free_port()
    async with bench_hass(
        folder / "storm", http_port=port, outside_model=True
    ) as bench:
        hass = bench.hass
        assert bench.entry is not None
        hub_port = free_port()
        hub = web.Application()
        hub.router.add_post("/", lambda _: web.Response(status=202))
        hub_runner = web.AppRunner(hub)
        await hub_runner.setup()
        await web.TCPSite(hub_runner, "127.0.0.1", hub_port).start()
        result = await hass.config_entries.subentries.async_init(
            (bench.entry.entry_id, "youtube"), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {
                "channels": CHANNEL,
                "secret": SECRET,
                "hub_url": f"http://127.0.0.1:{hub_port}/",
                "agent": bench.entry.options["default_agent"],
                "callback_url": f"http://127.0.0.1:{port}/api/events/youtube",
            },
        )
        await hass.async_block_till_done()
        bench_entry = bench.entry
        await asyncio.sleep(1)
        bodies = [atom(f"video{n % videos}", f"Edit {n}") for n in range(notifications)]
        url = f"http://127.0.0.1:{port}/api/events/youtube"
        gc.collect()  # Home Assistant's set-up garbage: a start-up cost
        lag = LagMonitor()
        lag.start()
        latencies, statuses, elapsed = await in_child_process(
            _paced_in_child, url, bodies, seconds
        )
        await hass.async_block_till_done()
        await asyncio.sleep(1)
        lags = await lag.stop()
        # Feed text is outside text: its runs go to the AI task entity.
        assert bench.outside is not None
        runs = len(bench.outside.calls)
        assert bench_entry is not None
        await hub_runner.cleanup()
    return {
        **summary(latencies),
        "statuses": statuses,
        "seconds": elapsed,
        "agent_runs": runs,
        "loop_lag_max_ms": summary(lags)["max"],
        "loop_lag_p99_ms": summary(lags)["p99"],
    }


async def main_async(smoke: bool) -> dict[str, Any]:
    """Run both scenarios."""
    with tempfile.TemporaryDirectory() as folder:
        api = await wakeup_api(Path(folder), 500 if smoke else 5000, 16)
        print("  wakeup API done", flush=True)
        storm_result = await storm(
            Path(folder), 200 if smoke else 1000, 20, 2 if smoke else 10
        )
    return {"wakeup_api": api, "storm": storm_result}


def main() -> None:
    """Run scenarios 4 and 5; print their tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(main_async(args.smoke))
    api = results["wakeup_api"]
    print("\n### Wakeup API: POST /api/wakeup, 16 in flight")
    print("| server | requests/s | p50 ms | p99 ms | statuses | worst loop lag ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("home_assistant", "bare_aiohttp"):
        row = api[name]
        print(
            f"| {name} | {fmt(row['per_second'], 0)} | {fmt(row['p50'], 2)}"
            f" | {fmt(row['p99'], 2)} | {row['statuses']} | {fmt(row['loop_lag_max_ms'])} |"
        )
    row = results["storm"]
    print("\n### Storm: YouTube notifications for 20 videos")
    print(
        "| notifications | agent runs | answer p50 ms | answer p99 ms | worst loop lag ms |"
    )
    print("| --- | --- | --- | --- | --- |")
    print(
        f"| {row['n']} | {row['agent_runs']} | {fmt(row['p50'], 2)} | {fmt(row['p99'], 2)}"
        f" | {fmt(row['loop_lag_max_ms'])} |"
    )
    save("http", {"smoke": args.smoke, **results})


if __name__ == "__main__":
    main()
