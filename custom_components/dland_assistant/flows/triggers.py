"""State triggers and cameras: an entity that wakes an agent."""

from typing import Any, override

import voluptuous as vol

from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector

from ..const import (
    CAMERA_KINDS,
    CONF_AGENT,
    CONF_CAMERA,
    CONF_COOLDOWN,
    CONF_ENTITY_ID,
    CONF_EVENT_KIND,
    CONF_PROMPT,
    CONF_SIGNIFICANCE,
    CONF_TO_STATE,
    DEFAULT_CAMERA_COOLDOWN,
    KIND_DOORBELL,
)
from .form import TitledSubentryFlow, is_unknown_agent, number_field


def _trigger_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_ENTITY_ID): selector.EntitySelector(),
            vol.Optional(CONF_TO_STATE): selector.TextSelector(),
            vol.Required(CONF_AGENT): selector.TextSelector(),
            vol.Required(CONF_PROMPT): selector.TemplateSelector(),
            vol.Required(CONF_SIGNIFICANCE, default=1): vol.All(
                number_field(0, 3), vol.Coerce(int)
            ),
        }
    )


class TriggerSubentryFlow(TitledSubentryFlow):
    """A state change of an entity wakes an agent."""

    @override
    def _schema(self) -> vol.Schema:
        return _trigger_schema()

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        if is_unknown_agent(self.hass, self._get_entry(), data[CONF_AGENT]):
            return {CONF_AGENT: "unknown_agent"}
        return {}

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = dict(data)
        return data.pop(CONF_NAME).strip() or data[CONF_ENTITY_ID], data


def _camera_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_ENTITY_ID): selector.EntitySelector(
                selector.EntitySelectorConfig(domain=["binary_sensor", "event"])
            ),
            vol.Required(
                CONF_EVENT_KIND, default=KIND_DOORBELL
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(CAMERA_KINDS), translation_key=CONF_EVENT_KIND
                )
            ),
            vol.Optional(CONF_CAMERA): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="camera")
            ),
            vol.Required(CONF_AGENT): selector.TextSelector(),
            vol.Optional(CONF_PROMPT): selector.TemplateSelector(),
            vol.Required(CONF_COOLDOWN, default=DEFAULT_CAMERA_COOLDOWN): vol.All(
                number_field(0, 3600, "s"), vol.Coerce(int)
            ),
        }
    )


class CameraSubentryFlow(TriggerSubentryFlow):
    """A doorbell ring or a detected person wakes an agent, with a snapshot."""

    @override
    def _schema(self) -> vol.Schema:
        return _camera_schema()
