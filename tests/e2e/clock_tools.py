"""Helpers for tests that move a real hass process through time (test_clock.py).

Tokens: onboarding issues a 30-minute access token stamped with the process's
(shifted) clock, so a jump of hours or months would expire it; the tests swap it for
a ten-year token first (``HassProcess.use_long_lived_token``).
"""

from datetime import UTC, datetime
from typing import Any

from homeassistant.util import dt as dt_util

from .harness import HassProcess


def set_time_zone(hass: HassProcess, zone: str) -> None:
    """Change Home Assistant's own time zone, as Settings > General does."""
    hass.websocket({"type": "config/core/update", "time_zone": zone})


def service(hass: HassProcess, name: str, data: dict[str, Any] | None = None) -> Any:
    """Call a dland_assistant service; fail unless it answers 200."""
    status, body = hass.call_service(name, data)
    assert status == 200, (name, data, body)
    return body


def utc(text: str | None) -> datetime:
    """Parse an ISO instant from a response."""
    parsed = dt_util.parse_datetime(text or "")
    assert parsed is not None, text
    return parsed.astimezone(UTC)


def tasks_by_id(hass: HassProcess) -> dict[str, dict[str, Any]]:
    """Return every task, by id."""
    return {t["task_id"]: t for t in service(hass, "list_tasks")["tasks"]}


def executions_of(hass: HassProcess) -> dict[str, list[dict[str, Any]]]:
    """Return the scheduled tasks' executions, oldest first, by task id."""
    body = service(hass, "get_executions", {"limit": 500})
    per_task: dict[str, list[dict[str, Any]]] = {}
    for execution in sorted(body["executions"], key=lambda e: e["started"]):
        if execution["task_id"]:
            per_task.setdefault(execution["task_id"], []).append(execution)
    return per_task
