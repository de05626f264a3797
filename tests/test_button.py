"""Run-now buttons: one per recurring task and routine."""

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant

from .conftest import platform_snapshot


async def test_button_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """A run-now button per recurring task and routine."""
    assert platform_snapshot(hass, mission_control, "button") == snapshot
