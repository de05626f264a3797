"""The integration's own device, which its status entities belong to."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN


class DlandEntity(Entity):
    """An entity of the scheduler itself."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry[Any], key: str) -> None:
        """Name the entity by its key, under the integration's service device."""
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name="dland assistant",
            manufacturer="dland assistant",
            model="Scheduler",
            entry_type=DeviceEntryType.SERVICE,
        )
