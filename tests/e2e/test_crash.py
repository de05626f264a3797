"""A power cut under load: SIGKILL with 50 runs in progress and 1,000 tasks pending."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
import re
import sqlite3
import statistics
import time
from typing import Any

import pytest

from .accounts import create_user, json_request, login
from .harness import HassProcess, wait_for

pytestmark = pytest.mark.e2e

RUNNING = 50
PENDING = 1000
# The pending tasks fall due over this window, starting once hass is back.
PENDING_SPREAD = 20.0
SETUP_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) INFO \(MainThread\) "
    r"\[homeassistant\.setup\] Setting up dland_assistant$",
    re.MULTILINE,
)


def _query(hass: HassProcess, sql: str) -> list[tuple[Any, ...]]:
    """Read the integration's SQLite file directly (read-only)."""
    path = hass.config_dir / "dland_assistant.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def _schedule_all(
    hass: HassProcess, requests: list[dict[str, Any]], token: str | None = None
) -> list[str]:
    def schedule(data: dict[str, Any]) -> str:
        status, body = json_request(
            hass,
            "POST",
            "/api/services/dland_assistant/schedule_task?return_response",
            data,
            token or hass.token,
        )
        assert status == 200, body
        task_id: str = body["service_response"]["task_id"]
        return task_id

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(schedule, requests))


def _setup_started(log: str) -> datetime:
    """When the last boot began setting up the integration (log times are UTC)."""
    stamps = SETUP_LINE.findall(log)
    assert stamps, "no set-up line in the log"
    return datetime.strptime(stamps[-1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)


def test_sigkill_with_50_running_and_1000_pending(
    hass_process: Callable[..., HassProcess],
) -> None:
    """Nothing lost, nothing run twice, interrupted runs abandoned at once, on time."""
    hass = hass_process("e2e_slow_agent:\n  delay: 900\n")
    hass.env["TZ"] = "UTC"  # log times in UTC, to compare with stored times
    hass.start_onboarded()
    hass.set_options(max_concurrent=64)
    slow = hass.config_entry_id("e2e_slow_agent")

    scheduling = time.time()
    running_ids = _schedule_all(
        hass,
        [
            # Tried once: a retry of a 900 s run would outlast the test
            # (test_dev_server and test_retries follow interrupted runs' retries).
            {
                "agent": slow,
                "prompt": f"slow {n}",
                "in": {"seconds": 1},
                "retry_attempts": 1,
            }
            for n in range(RUNNING)
        ],
    )
    # Due after the restart; they must neither run early nor be lost.
    first_due = scheduling + 30
    pending_requests = [
        {
            "agent": "conversation.home_assistant",
            "prompt": "turn on the living room light",
            "at": datetime.fromtimestamp(
                first_due + PENDING_SPREAD * n / PENDING, UTC
            ).isoformat(),
            "name": f"pending {n}",
            "deliver": False,
        }
        for n in range(PENDING)
    ]
    # Two people share the pending work: one person may hold at most 1,000
    # unfinished tasks (the store's quota), and the owner already holds 50.
    create_user(hass, "Partner", "partner", "partner-pass", admin=True)
    partner = login(hass, "partner", "partner-pass")
    half = PENDING // 2
    pending_ids = _schedule_all(hass, pending_requests[:half]) + _schedule_all(
        hass, pending_requests[half:], partner
    )
    scheduled_by = time.time()

    def all_running() -> bool:
        rows = _query(
            hass, "SELECT count(*) FROM executions WHERE status = 'in_progress'"
        )
        return bool(rows[0][0] == RUNNING)

    wait_for(all_running, 60, f"{RUNNING} executions in progress")
    hass.kill()
    killed = time.time()
    assert _query(hass, "SELECT count(*) FROM tasks")[0][0] == RUNNING + PENDING

    hass.start()
    hass.wait_for_integration()
    back = time.time()
    assert back < first_due, "hass took too long to come back for this scenario"

    setup_started = _setup_started(hass.log).timestamp()
    abandoned = _query(
        hass,
        "SELECT task_id, finished FROM executions WHERE status = 'abandoned'",
    )
    assert {task_id for task_id, _ in abandoned} == set(running_ids)
    lag = max(finished for _, finished in abandoned) - setup_started
    assert 0 <= lag < 1, lag  # within a second of the integration starting

    def all_done() -> bool:
        rows = _query(
            hass,
            "SELECT count(*) FROM tasks WHERE status IN ('scheduled', 'running')",
        )
        return bool(rows[0][0] == 0)

    wait_for(all_done, first_due + PENDING_SPREAD + 120 - time.time(), "every task")

    tasks = dict(_query(hass, "SELECT id, status FROM tasks"))
    assert set(tasks) == set(running_ids) | set(pending_ids)  # no task lost
    assert {tasks[t] for t in running_ids} == {"abandoned"}
    assert {tasks[t] for t in pending_ids} == {"succeeded"}
    per_task = _query(
        hass,
        "SELECT task_id, count(*), min(status), max(status) FROM executions "
        "GROUP BY task_id",
    )
    assert len(per_task) == RUNNING + PENDING
    assert {count for _, count, _, _ in per_task} == {1}  # no task ran twice
    assert not _query(hass, "SELECT id FROM executions WHERE status = 'in_progress'")

    # On time: each pending task started within a second of its due time.
    delays = [
        started - due
        for started, due in _query(
            hass,
            "SELECT e.started, t.next_run FROM executions e "
            "JOIN tasks t ON t.id = e.task_id WHERE t.kind = 'once' "
            "AND e.status = 'succeeded'",
        )
    ]
    assert len(delays) == PENDING
    assert min(delays) >= 0, min(delays)  # never early
    assert max(delays) < 1, max(delays)
    print(  # the figures for the closing note (pytest -s)
        f"scheduled {RUNNING + PENDING} tasks in {scheduled_by - scheduling:.1f} s;"
        f" down {back - killed:.1f} s; abandoned {lag * 1000:.0f} ms after set-up;"
        f" start delay p50 {statistics.median(delays) * 1000:.1f} ms,"
        f" p99 {statistics.quantiles(delays, n=100)[98] * 1000:.1f} ms,"
        f" max {max(delays) * 1000:.1f} ms"
    )
    assert "ERROR (MainThread) [custom_components.dland_assistant" not in hass.log
