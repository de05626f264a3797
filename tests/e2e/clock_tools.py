"""Helpers for tests that move a real hass process through time (test_clock.py).

Tokens: onboarding issues a 30-minute access token stamped with the process's
(shifted) clock, so a jump of hours or months would expire it. ``long_lived_token``
swaps it for a ten-year token, as a person would in their profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
import time
from typing import Any

import aiohttp

from homeassistant.util import dt as dt_util

from .harness import HassProcess


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def websocket(hass: HassProcess, *commands: dict[str, Any]) -> list[Any]:
    """Send commands over the websocket API; return their results (or raise)."""

    async def talk() -> list[Any]:
        results: list[Any] = []
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"{hass.base}/api/websocket") as ws,
        ):
            assert (await ws.receive_json())["type"] == "auth_required"
            await ws.send_json({"type": "auth", "access_token": hass.token})
            answer = await ws.receive_json()
            assert answer["type"] == "auth_ok", answer
            for number, command in enumerate(commands, start=1):
                await ws.send_json({"id": number, **command})
                while True:
                    message = await ws.receive_json(timeout=60)
                    if message.get("id") == number and message["type"] == "result":
                        break
                assert message["success"], message
                results.append(message["result"])
        return results

    return asyncio.run(talk())


def long_lived_token(hass: HassProcess) -> None:
    """Replace the admin's short access token with a ten-year one."""
    [token] = websocket(
        hass,
        {
            "type": "auth/long_lived_access_token",
            "client_name": "clock e2e",
            "lifespan": 3650,
        },
    )
    hass.token = token


def set_time_zone(hass: HassProcess, zone: str) -> None:
    """Change Home Assistant's own time zone, as Settings > General does."""
    websocket(hass, {"type": "config/core/update", "time_zone": zone})


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


def set_options(hass: HassProcess, **changes: Any) -> None:
    """Change the integration's options through its options flow over REST."""
    status, entries = hass.request(
        "GET", "/api/config/config_entries/entry?domain=dland_assistant"
    )
    assert status == 200, entries
    status, form = hass.request(
        "POST",
        "/api/config/config_entries/options/flow",
        {"handler": entries[0]["entry_id"]},
    )
    assert status == 200, form
    values = {
        field["name"]: field["description"]["suggested_value"]
        for field in form["data_schema"]
        if "suggested_value" in field.get("description") or {}
    }
    status, result = hass.request(
        "POST",
        f"/api/config/config_entries/options/flow/{form['flow_id']}",
        {**values, **changes},
    )
    assert status == 200, result
    assert result["type"] == "create_entry", result
    hass.wait_for_integration()
