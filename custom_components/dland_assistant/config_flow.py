"""Config flow: one entry, added with a click or imported from YAML, and its options."""

from typing import Any, override

import voluptuous as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers import selector

from .const import (
    CONF_DEFAULT_AGENT,
    CONF_DEFAULT_TIMEOUT,
    CONF_MAX_CONCURRENT,
    CONF_MIN_ABSENCE,
    CONF_MISSED_RUN_GRACE,
    CONF_PERSON,
    CONF_PERSONAS,
    CONF_RECIPIENTS,
    CONF_REMINDER_RETRY_WINDOW,
    CONF_RETENTION_DAYS,
    CONF_RETRY_ATTEMPTS,
    CONF_RETRY_DELAY,
    DEFAULT_AGENT,
    DEFAULT_MIN_ABSENCE,
    DEFAULT_OPTIONS,
    DEFAULT_REMINDER_RETRY_WINDOW,
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_RETRY_DELAY,
    DOMAIN,
    MAX_CONCURRENT_LIMIT,
    MAX_RETRY_ATTEMPTS,
    SUBENTRY_AGENT,
    SUBENTRY_CAMERA,
    SUBENTRY_RECIPIENT,
    SUBENTRY_ROUTINE,
    SUBENTRY_TRIGGER,
    SUBENTRY_VONAGE,
    SUBENTRY_WHMCS,
    SUBENTRY_YOUTUBE,
)
from .engine.agent import agent_exists
from .flows.form import number_field
from .flows.personas import PersonaSubentryFlow
from .flows.recipients import RecipientSubentryFlow
from .flows.routines import RoutineSubentryFlow
from .flows.sources import VonageSubentryFlow, WhmcsSubentryFlow, YouTubeSubentryFlow
from .flows.triggers import CameraSubentryFlow, TriggerSubentryFlow
from .heartbeat.builtin_routines import builtin_subentries
from .runtime import DlandConfigEntry

OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(
            CONF_DEFAULT_AGENT, default=DEFAULT_AGENT
        ): selector.ConversationAgentSelector(),
        vol.Required(CONF_MAX_CONCURRENT): vol.All(
            number_field(1, MAX_CONCURRENT_LIMIT), vol.Coerce(int)
        ),
        vol.Required(CONF_DEFAULT_TIMEOUT): vol.All(
            number_field(1, 86400, "s"), vol.Coerce(int)
        ),
        vol.Required(CONF_RETENTION_DAYS): vol.All(
            number_field(1, 3650, "d"), vol.Coerce(int)
        ),
        vol.Required(CONF_MISSED_RUN_GRACE): vol.All(
            number_field(0, 86400, "s"), vol.Coerce(int)
        ),
        vol.Required(CONF_MIN_ABSENCE, default=DEFAULT_MIN_ABSENCE): vol.All(
            number_field(0, 1440, "min"), vol.Coerce(int)
        ),
        vol.Required(CONF_RETRY_ATTEMPTS, default=DEFAULT_RETRY_ATTEMPTS): vol.All(
            number_field(1, MAX_RETRY_ATTEMPTS), vol.Coerce(int)
        ),
        vol.Required(CONF_RETRY_DELAY, default=DEFAULT_RETRY_DELAY): vol.All(
            number_field(1, 3600, "s"), vol.Coerce(int)
        ),
        vol.Required(
            CONF_REMINDER_RETRY_WINDOW, default=DEFAULT_REMINDER_RETRY_WINDOW
        ): vol.All(number_field(0, 1440, "min"), vol.Coerce(int)),
    }
)


class DlandAssistantConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the single dland_assistant entry."""

    VERSION = 1
    # 2: the built-in heartbeat routines are subentries.
    # 3: personas lose "may control the home when woken by outside events".
    # 4: the built-in check-ins deliver only when there is something to report.
    MINOR_VERSION = 4

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm set-up; the defaults need no answers."""
        if user_input is not None:
            return self.async_create_entry(
                title="dland assistant",
                data={},
                options=DEFAULT_OPTIONS,
                subentries=builtin_subentries(),
            )
        return self.async_show_form(step_id="user")

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry from ``dland_assistant:`` in configuration.yaml.

        Personas and recipients listed there become subentries, as if added in the UI.
        """
        options = dict(import_data)
        subentries: list[ConfigSubentryData] = builtin_subentries()
        subentries += [
            ConfigSubentryData(
                subentry_type=SUBENTRY_AGENT,
                title=persona.pop(CONF_NAME),
                data=persona,
                unique_id=None,
            )
            for persona in (dict(p) for p in options.pop(CONF_PERSONAS, []))
        ]
        for recipient in options.pop(CONF_RECIPIENTS, []):
            state = self.hass.states.get(recipient[CONF_PERSON])
            subentries.append(
                ConfigSubentryData(
                    subentry_type=SUBENTRY_RECIPIENT,
                    title=state.name if state else recipient[CONF_PERSON],
                    data=dict(recipient),
                    unique_id=None,
                )
            )
        return self.async_create_entry(
            title="dland assistant",
            data={},
            options={**DEFAULT_OPTIONS, **options},
            subentries=subentries,
        )

    @staticmethod
    @callback
    @override
    def async_get_options_flow(
        config_entry: DlandConfigEntry,
    ) -> DlandAssistantOptionsFlow:
        """Return the options flow."""
        return DlandAssistantOptionsFlow()

    @classmethod
    @callback
    @override
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Personas and recipients are added as subentries."""
        return {
            SUBENTRY_AGENT: PersonaSubentryFlow,
            SUBENTRY_RECIPIENT: RecipientSubentryFlow,
            SUBENTRY_TRIGGER: TriggerSubentryFlow,
            SUBENTRY_VONAGE: VonageSubentryFlow,
            SUBENTRY_YOUTUBE: YouTubeSubentryFlow,
            SUBENTRY_WHMCS: WhmcsSubentryFlow,
            SUBENTRY_CAMERA: CameraSubentryFlow,
            SUBENTRY_ROUTINE: RoutineSubentryFlow,
        }


class DlandAssistantOptionsFlow(OptionsFlow):
    """Tune the scheduler; saving reloads the entry (its update listener)."""

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
