"""Switches: pause or resume each recurring task and each heartbeat routine."""

from typing import Any, override

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import task_manager
from .const import CONF_ENABLED
from .entity import RoutineEntity, TaskEntity, async_add_item_entities
from .items import routine_attributes, task_attributes
from .runtime import DlandConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Keep a switch per recurring task and per routine."""
    async_add_item_entities(
        hass,
        entry,
        async_add_entities,
        "switch",
        for_task=TaskSwitch,
        for_routine=RoutineSwitch,
    )


class TaskSwitch(TaskEntity, SwitchEntity):
    """On while a recurring task runs on its schedule."""

    _attr_translation_key = "task"
    _key = "enabled"

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether the task is enabled."""
        return task.enabled if (task := self.task) else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the schedule, next and last run, and last status."""
        task = self.task
        return (
            task_attributes(self.hass, self.coordinator.config_entry, task)
            if task
            else {}
        )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Resume the task."""
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Pause the task."""
        await self._async_set(False)

    async def _async_set(self, enabled: bool) -> None:
        await task_manager.async_set_task_enabled(
            self.hass,
            self.coordinator.config_entry,
            self.item_id,
            enabled,
            await self._async_caller(),
        )


class RoutineSwitch(RoutineEntity, SwitchEntity):
    """On while a heartbeat routine runs on its schedule."""

    _attr_translation_key = "routine"
    _key = "enabled"

    @property
    @override
    def is_on(self) -> bool | None:
        """Return whether the routine is enabled."""
        return routine.enabled if (routine := self.routine) else None

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the schedule, next and last run, and last status."""
        return routine_attributes(
            self.hass,
            self.coordinator.config_entry,
            self.coordinator.data,
            self.item_id,
        )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the routine on (routines are an administrator's)."""
        await self._async_require_admin()
        self._set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the routine off (routines are an administrator's)."""
        await self._async_require_admin()
        self._set(False)

    def _set(self, enabled: bool) -> None:
        entry = self.coordinator.config_entry
        subentry = entry.subentries[self.item_id]
        self.hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, CONF_ENABLED: enabled}
        )
