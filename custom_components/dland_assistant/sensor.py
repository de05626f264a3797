"""Overview sensors: the next due task, runs now, failures today, tasks pending."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import DlandCoordinator, Overview, local_time
from .entity import DlandCoordinatorEntity
from .runtime import DlandConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class OverviewSensorDescription(SensorEntityDescription):
    """An overview sensor and how to read it."""

    value_fn: Callable[[Overview], datetime | int | None]
    attributes_fn: Callable[[Overview], dict[str, Any]] = lambda _: {}


def _next_due_attributes(overview: Overview) -> dict[str, Any]:
    task = overview.next_due
    if task is None:
        return {}
    return {"task_id": task.task_id, "task_name": task.name, "agent": task.agent}


SENSORS: tuple[OverviewSensorDescription, ...] = (
    OverviewSensorDescription(
        key="next_due",
        translation_key="next_due",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda o: o.next_due.next_run if o.next_due else None,
        attributes_fn=_next_due_attributes,
    ),
    OverviewSensorDescription(
        key="running",
        translation_key="running",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda o: o.running,
    ),
    OverviewSensorDescription(
        key="failed_24h",
        translation_key="failed_24h",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda o: o.failed_24h,
    ),
    OverviewSensorDescription(
        key="pending",
        translation_key="pending",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda o: o.pending_count,
        attributes_fn=lambda o: {
            "tasks": [
                {"name": t.name, "next_run": local_time(t.next_run)}
                for t in o.pending[:20]
            ]
        },
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the overview sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(OverviewSensor(coordinator, d) for d in SENSORS)


class OverviewSensor(DlandCoordinatorEntity, SensorEntity):
    """One figure of the overview."""

    entity_description: OverviewSensorDescription

    def __init__(
        self, coordinator: DlandCoordinator, description: OverviewSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    @override
    def native_value(self) -> datetime | int | None:
        """Return the figure."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return details of the figure."""
        return self.entity_description.attributes_fn(self.coordinator.data)
