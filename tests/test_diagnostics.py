"""Diagnostics: what a support request needs, and no secrets."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant

from .conftest import RecordingAgent, call, without_ids


async def test_diagnostics_download(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    hass_client: ClientSessionGenerator,
) -> None:
    """Counts by status, recent failures, the schema and the timer."""
    await call(hass, "schedule_task", {"prompt": "later", "in": {"hours": 1}})

    async def broken(_: Any) -> str:
        raise RuntimeError("model crashed")

    test_agent.behaviour = broken
    await call(
        hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "x", "wait": True}
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diagnostics["store"]["tasks_by_status"] == {"scheduled": 1}
    assert diagnostics["store"]["schema_version"] == 13
    assert diagnostics["scheduler"]["timer_at"] is not None
    assert diagnostics["scheduler"]["breaker"] == "closed"
    [failure] = diagnostics["recent_failures"]
    assert failure["error"] == "RuntimeError: model crashed"
    assert failure["origin"] == "service"


async def test_diagnostics_snapshot(
    hass: HomeAssistant,
    mission_control: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The whole download at a pinned moment, ids numbered."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mission_control
    )
    assert without_ids(diagnostics) == snapshot
