"""Helpers of the soak test: samples of what could grow in a running hass."""

from dataclasses import dataclass
from pathlib import Path
import sqlite3
import statistics
from typing import Any

from .harness import HassProcess

DATABASE = "dland_assistant.db"
RECORDER_DATABASE = "home-assistant_v2.db"
TABLES = ("tasks", "executions", "events", "audits")
# Lines for pytest's terminal summary (tests/e2e/conftest.py prints them), so
# measured numbers show without -s.
REPORT: list[str] = []


@dataclass(frozen=True, slots=True)
class Sample:
    """What could grow, read after one step of the simulated day."""

    step: int
    rss_kb: int
    db_bytes: int
    wal_bytes: int
    recorder_bytes: int  # Home Assistant's own database, with its WAL
    rows: int
    listeners: int  # summed from GET /api/events
    bus_listeners: int  # summed on the loop by the probe
    tasks: int  # asyncio tasks on Home Assistant's loop
    timers: int  # live (not cancelled) timers on the loop
    scheduled: int  # the loop's timer heap, cancelled handles included
    objects: int  # objects tracked by the garbage collector


def rss_kb(pid: int) -> int:
    """Return a process's resident set size in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def stored_rows(config_dir: Path) -> int:
    """Count the rows of the tables the retention prune keeps bounded."""
    uri = f"file:{config_dir / DATABASE}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as conn:
        return sum(
            conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in TABLES
        )


def file_size(path: Path) -> int:
    """Return a file's size, 0 when it does not exist."""
    return path.stat().st_size if path.exists() else 0


def take_sample(hass: HassProcess, step: int) -> Sample:
    """Read every gauge of a running hass once."""
    assert hass.process is not None
    status, probe = hass.request("GET", "/api/e2e_probe")
    assert status == 200, probe
    status, events = hass.request("GET", "/api/events")
    assert status == 200, events
    database = hass.config_dir / DATABASE
    return Sample(
        step=step,
        rss_kb=rss_kb(hass.process.pid),
        db_bytes=file_size(database),
        wal_bytes=file_size(database.with_name(f"{DATABASE}-wal")),
        recorder_bytes=sum(
            file_size(hass.config_dir / name)
            for name in (RECORDER_DATABASE, f"{RECORDER_DATABASE}-wal")
        ),
        rows=stored_rows(hass.config_dir),
        listeners=sum(event["listener_count"] for event in events),
        bus_listeners=probe["listeners"],
        tasks=probe["tasks"],
        timers=probe["timers"],
        scheduled=probe["scheduled"],
        objects=probe["objects"],
    )


def report(*lines: str) -> None:
    """Add lines to the end-of-run summary."""
    REPORT.extend(lines)


def lag_reading(hass: HassProcess, *, reset: bool = False) -> dict[str, Any]:
    """Return the loop-lag monitor's window: ``max_ms``, ``worst`` and ``samples``.

    ``reset`` also starts a fresh window. Needs ``e2e_slow_agent:`` in the YAML
    (``agent: false`` loads the probes alone).
    """
    path = "/api/e2e_probe/lag" + ("?reset=1" if reset else "")
    status, reading = hass.request("GET", path)
    assert status == 200, reading
    result: dict[str, Any] = reading
    return result


def loop_lag(hass: HassProcess, *, reset: bool = True) -> float:
    """Return the worst loop stall (ms) since the last reset; reset by default."""
    max_ms: float = lag_reading(hass, reset=reset)["max_ms"]
    return max_ms


def merged_reading(readings: list[dict[str, Any]]) -> dict[str, Any]:
    """Join lag windows read one after another into one reading."""
    worst = sorted(
        (w for r in readings for w in r["worst"]), key=lambda w: -float(w["ms"])
    )
    return {
        "max_ms": max((r["max_ms"] for r in readings), default=0.0),
        "max_late_ms": max((r["max_late_ms"] for r in readings), default=0.0),
        "worst": worst[:5],
        "samples": sum(r["samples"] for r in readings),
        "gc_max_ms": max((r["gc_max_ms"] for r in readings), default=0.0),
        "gc_full": sum(r["gc_full"] for r in readings),
    }


def retained_rss_kb(hass: HassProcess) -> int:
    """Return hass's RSS (kB) right after a full garbage collection.

    Garbage waiting for the collector (a refused request's body held by an
    exception's traceback, say) is not kept memory; this is. The collection holds
    the loop for a few hundred ms: read the lag window before, reset it after.
    """
    assert hass.process is not None
    status, body = hass.request("GET", "/api/e2e_probe?collect=1")
    assert status == 200, body
    return rss_kb(hass.process.pid)


def median(samples: list[Sample], field: str) -> float:
    """Return the median of one gauge over some samples."""
    values: list[float] = [getattr(sample, field) for sample in samples]
    return statistics.median(values)


def summary(samples: list[Sample], field: str) -> dict[str, Any]:
    """Return a gauge's first, middle and last value with its minimum and maximum."""
    values = [getattr(sample, field) for sample in samples]
    return {
        "first": values[0],
        "mid": values[len(values) // 2],
        "last": values[-1],
        "min": min(values),
        "max": max(values),
    }
