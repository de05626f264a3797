"""Config flow: one entry, added with a click or imported from YAML, and its options."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.helpers import selector

from .agent import agent_exists
from .const import (
    CONF_DEFAULT_AGENT,
    CONF_DEFAULT_TIMEOUT,
    CONF_MAX_CONCURRENT,
    CONF_MISSED_RUN_GRACE,
    CONF_RETENTION_DAYS,
    DEFAULT_AGENT,
    DEFAULT_MAX_CONCURRENT,
    DEFAULT_MISSED_RUN_GRACE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_TIMEOUT,
    DOMAIN,
)

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_DEFAULT_AGENT: DEFAULT_AGENT,
    CONF_MAX_CONCURRENT: DEFAULT_MAX_CONCURRENT,
    CONF_DEFAULT_TIMEOUT: DEFAULT_TIMEOUT,
    CONF_RETENTION_DAYS: DEFAULT_RETENTION_DAYS,
    CONF_MISSED_RUN_GRACE: DEFAULT_MISSED_RUN_GRACE,
}


def _number(minimum: int, maximum: int, unit: str = "") -> selector.NumberSelector:
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=1, mode=selector.NumberSelectorMode.BOX
    )
    if unit:
        config["unit_of_measurement"] = unit
    return selector.NumberSelector(config)


OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_DEFAULT_AGENT): selector.ConversationAgentSelector(),
        vol.Required(CONF_MAX_CONCURRENT): vol.All(_number(1, 32), vol.Coerce(int)),
        vol.Required(CONF_DEFAULT_TIMEOUT): vol.All(
            _number(1, 86400, "s"), vol.Coerce(int)
        ),
        vol.Required(CONF_RETENTION_DAYS): vol.All(
            _number(1, 3650, "d"), vol.Coerce(int)
        ),
        vol.Required(CONF_MISSED_RUN_GRACE): vol.All(
            _number(0, 86400, "s"), vol.Coerce(int)
        ),
    }
)


class DlandAssistantConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the single dland_assistant entry."""

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm set-up; the defaults need no answers."""
        if user_input is not None:
            return self.async_create_entry(
                title="dland assistant", data={}, options=DEFAULT_OPTIONS
            )
        return self.async_show_form(step_id="user")

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry from ``dland_assistant:`` in configuration.yaml."""
        return self.async_create_entry(
            title="dland assistant",
            data={},
            options={**DEFAULT_OPTIONS, **import_data},
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> DlandAssistantOptionsFlow:
        """Return the options flow."""
        return DlandAssistantOptionsFlow()


class DlandAssistantOptionsFlow(OptionsFlowWithReload):
    """Tune the scheduler; saving reloads the entry."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if agent_exists(self.hass, user_input[CONF_DEFAULT_AGENT]):
                return self.async_create_entry(data=user_input)
            errors[CONF_DEFAULT_AGENT] = "unknown_agent"
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA,
                user_input or {**DEFAULT_OPTIONS, **self.config_entry.options},
            ),
            errors=errors,
        )
