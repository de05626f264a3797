"""The circuit-breaker problem sensor."""

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant

from .conftest import platform_snapshot


async def test_binary_sensor_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The agents' circuit breaker after one failed run."""
    assert platform_snapshot(hass, mission_control, "binary_sensor") == snapshot
