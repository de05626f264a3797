"""An event entity that fires on every finished execution (a trigger in the editor)."""

from typing import override

from homeassistant.components.event import EventEntity
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_EXECUTION_FINISHED
from .entity import DlandEntity
from .models import ExecutionStatus
from .runtime import DlandConfigEntry

PARALLEL_UPDATES = 0
# Every user reads entity attributes: answers and errors (which may quote them)
# stay in the admins' log and in the bus event automations get.
PRIVATE_FIELDS = frozenset({"response", "error"})
EVENT_TYPES = [
    status.value
    for status in ExecutionStatus
    if status is not ExecutionStatus.IN_PROGRESS
]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the execution event entity."""
    async_add_entities([ExecutionFinishedEvent(entry)])


class ExecutionFinishedEvent(DlandEntity, EventEntity):
    """Fires with the outcome of each run."""

    _attr_event_types = EVENT_TYPES

    def __init__(self, entry: DlandConfigEntry) -> None:
        """Belong to the integration's device."""
        super().__init__(entry, "execution_finished")

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to the scheduler's finished events."""
        self.async_on_remove(
            self.hass.bus.async_listen(EVENT_EXECUTION_FINISHED, self._finished)
        )

    @callback
    def _finished(self, event: Event) -> None:
        data = {
            key: value for key, value in event.data.items() if key not in PRIVATE_FIELDS
        }
        status = data.pop("status", None)
        if status not in EVENT_TYPES:
            return
        self._trigger_event(status, data)
        self.async_write_ha_state()
