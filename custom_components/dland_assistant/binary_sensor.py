"""Binary sensors: the agents' circuit breakers (a problem when one sheds load)."""

from typing import Any, override

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .engine.breaker import AgentBreakers, BreakerState
from .entity import DlandEntity
from .runtime import DlandConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the breaker's entity."""
    async_add_entities(
        [BreakerBinarySensor(entry, entry.runtime_data.scheduler.breaker)]
    )


class BreakerBinarySensor(DlandEntity, BinarySensorEntity):
    """On while any agent's breaker is open or half-open: its wakeups are shed."""

    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, entry: DlandConfigEntry, breaker: AgentBreakers) -> None:
        """Watch the agents' breakers."""
        super().__init__(entry, "agent_breaker")
        self._breaker = breaker

    @property
    @override
    def is_on(self) -> bool:
        """Return whether any agent's breaker is not closed."""
        return self._breaker.state is not BreakerState.CLOSED

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the worst state, the trips, and each agent's breaker."""
        return {
            "breaker_state": self._breaker.state.value,
            "trips": self._breaker.trips,
            "agents": self._breaker.by_agent(),
        }

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the breaker's changes."""
        self._breaker.on_change = self._on_change
        self.async_on_remove(self._forget)

    @callback
    def _on_change(self) -> None:
        self.async_write_ha_state()

    @callback
    def _forget(self) -> None:
        self._breaker.on_change = None
