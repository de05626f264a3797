"""Helpers of the soak test: samples of what could grow in a running hass."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import sqlite3
import statistics
from typing import Any

from .harness import HassProcess

DATABASE = "dland_assistant.db"
RECORDER_DATABASE = "home-assistant_v2.db"
TABLES = ("tasks", "executions", "events", "audits")


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
