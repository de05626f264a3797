"""Buttons: run each recurring task and each heartbeat routine now."""

from typing import override

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from . import task_manager
from .entity import RoutineEntity, TaskEntity, async_add_item_entities
from .runtime import DlandConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Keep a run-now button per recurring task and per routine."""
    async_add_item_entities(
        hass,
        entry,
        async_add_entities,
        "button",
        for_task=RunTaskButton,
        for_routine=RunRoutineButton,
    )


class RunTaskButton(TaskEntity, ButtonEntity):
    """Runs a recurring task now."""

    _attr_translation_key = "run_task"
    _key = "run"

    @override
    async def async_press(self) -> None:
        """Start a run."""
        await task_manager.async_run_task(
            self.hass,
            self.coordinator.config_entry,
            self.item_id,
            await self._async_caller(),
        )


class RunRoutineButton(RoutineEntity, ButtonEntity):
    """Runs a heartbeat routine now."""

    _attr_translation_key = "run_routine"
    _key = "run"

    @override
    async def async_press(self) -> None:
        """Start a run (routines are an administrator's)."""
        await self._async_require_admin()
        heartbeats = self.coordinator.config_entry.runtime_data.heartbeats
        await heartbeats.async_trigger(self.item_id, manual=True)
