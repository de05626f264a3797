"""Personas: a named conversation agent with its own instructions."""

from typing import Any, override

import voluptuous as vol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector

from ..const import (
    CONF_AI_TASK_ENTITY,
    CONF_CONVERSATION_AGENT,
    CONF_DELIVER,
    CONF_INSTRUCTIONS,
    CONF_LANGUAGE,
    CONF_SESSION_WINDOW,
    CONF_TIMEOUT,
    DEFAULT_AGENT,
    DEFAULT_SESSION_WINDOW,
    DEFAULT_TIMEOUT,
    SUBENTRY_AGENT,
)
from ..engine.agent import agent_exists
from .form import TitledSubentryFlow, number_field


def _persona_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            # A default: the frontend cannot make up a value for this selector.
            vol.Required(
                CONF_CONVERSATION_AGENT, default=DEFAULT_AGENT
            ): selector.ConversationAgentSelector(),
            vol.Optional(CONF_INSTRUCTIONS, default=""): selector.TemplateSelector(),
            vol.Optional(CONF_LANGUAGE): selector.LanguageSelector(),
            vol.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): vol.All(
                number_field(1, 86400, "s"), vol.Coerce(int)
            ),
            vol.Required(CONF_DELIVER, default=True): selector.BooleanSelector(),
            vol.Required(CONF_SESSION_WINDOW, default=DEFAULT_SESSION_WINDOW): vol.All(
                number_field(0, 1440, "min"), vol.Coerce(int)
            ),
            vol.Optional(CONF_AI_TASK_ENTITY): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="ai_task")
            ),
        }
    )


def _persona_errors(
    hass: HomeAssistant, entry: ConfigEntry, data: dict[str, Any], own_id: str | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = data[CONF_NAME].strip()
    taken = {
        sub.title.casefold()
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_AGENT and sub.subentry_id != own_id
    }
    if not name:
        errors[CONF_NAME] = "name_empty"
    elif name.casefold() in taken:
        errors[CONF_NAME] = "name_taken"
    if not agent_exists(hass, data[CONF_CONVERSATION_AGENT]):
        errors[CONF_CONVERSATION_AGENT] = "unknown_agent"
    return errors


class PersonaSubentryFlow(TitledSubentryFlow):
    """Add or edit a persona: a named agent with its own instructions."""

    @override
    def _schema(self) -> vol.Schema:
        return _persona_schema()

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        return _persona_errors(self.hass, self._get_entry(), data, own_id)

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = dict(data)
        return data.pop(CONF_NAME).strip(), data
