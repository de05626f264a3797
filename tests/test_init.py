"""Setting up and tearing down the entry, including broken databases."""

import asyncio
from contextlib import closing
import logging
from pathlib import Path
import sqlite3
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import (
    CONF_DEFAULT_AGENT,
    DATABASE_FILE,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from custom_components.dland_assistant.store import SCHEMA_VERSION
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant

from .conftest import RecordingAgent, call, runtime, wait_until


def _entry(hass: HomeAssistant, agent: RecordingAgent) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN, options={**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: agent.agent_id}
    )
    entry.add_to_hass(hass)
    return entry


async def test_newer_database_stops_setup_for_good(
    hass: HomeAssistant, test_agent: RecordingAgent, config_dir: Path
) -> None:
    """A database from a newer version is a setup error, not a retry loop."""
    with closing(sqlite3.connect(config_dir / DATABASE_FILE)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    entry = _entry(hass, test_agent)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None
    assert "newer version" in entry.reason


async def test_unopenable_database_retries(
    hass: HomeAssistant, test_agent: RecordingAgent, config_dir: Path
) -> None:
    """A database path that cannot be opened makes setup retry later."""
    (config_dir / DATABASE_FILE).mkdir()
    entry = _entry(hass, test_agent)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_stop_closes_the_database(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Home Assistant stopping ends the scheduler and closes the store."""
    await call(hass, "schedule_task", {"prompt": "x", "in": {"hours": 1}})
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert runtime(entry).store._db is None


async def test_stop_during_a_run_logs_no_error(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A run ended by the stop is recorded; the view does not read the closed store."""
    release = asyncio.Event()

    async def wait(_: Any) -> str:
        await release.wait()
        return "late"

    test_agent.behaviour = wait
    task = await call(hass, "schedule_task", {"prompt": "x", "in": {"hours": 1}})
    await call(hass, "run_task", {"task_id": task["task_id"]})
    await wait_until(hass, lambda: test_agent.running == 1)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert runtime(entry).store._db is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
