"""Config flow: one entry, added with a click or imported from YAML, and its options."""

from abc import ABC, abstractmethod
from typing import Any, override

import voluptuous as vol

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector

from .const import (
    CAMERA_KINDS,
    CHANNEL_PERSISTENT,
    CHANNEL_TTS,
    CHANNELS,
    CONF_AGENT,
    CONF_AI_TASK_ENTITY,
    CONF_BUILTIN,
    CONF_CALENDARS,
    CONF_CALLBACK_URL,
    CONF_CAMERA,
    CONF_CHANNELS,
    CONF_CONVERSATION_AGENT,
    CONF_COOLDOWN,
    CONF_CRON,
    CONF_DEFAULT_AGENT,
    CONF_DEFAULT_CHANNEL,
    CONF_DEFAULT_TIMEOUT,
    CONF_DELIVER,
    CONF_ENABLED,
    CONF_ENTITY_ID,
    CONF_EVENT_KIND,
    CONF_GATHERERS,
    CONF_HUB_URL,
    CONF_IDENTIFIER,
    CONF_INSTRUCTIONS,
    CONF_INTERVAL,
    CONF_LANGUAGE,
    CONF_MAX_CONCURRENT,
    CONF_MIN_ABSENCE,
    CONF_MISSED_RUN_GRACE,
    CONF_MISSED_RUN_POLICY,
    CONF_NOTIFY_TARGET,
    CONF_PERSON,
    CONF_PERSONAS,
    CONF_PHONE,
    CONF_PLATFORM,
    CONF_PROMPT,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_RECIPIENTS,
    CONF_RETENTION_DAYS,
    CONF_SCHEDULE,
    CONF_SECRET,
    CONF_SESSION_WINDOW,
    CONF_SIGNATURE_METHOD,
    CONF_SIGNATURE_SECRET,
    CONF_SIGNIFICANCE,
    CONF_TIME,
    CONF_TIMEOUT,
    CONF_TO_STATE,
    CONF_TODO_LISTS,
    CONF_TTS_ENGINE,
    CONF_UNKNOWN_SENDERS,
    CONF_URL,
    CONF_USER,
    CONF_WELCOME_AGENT,
    DEFAULT_AGENT,
    DEFAULT_CAMERA_COOLDOWN,
    DEFAULT_MAX_CONCURRENT,
    DEFAULT_MIN_ABSENCE,
    DEFAULT_MISSED_RUN_GRACE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SESSION_WINDOW,
    DEFAULT_TIMEOUT,
    DOMAIN,
    KIND_DOORBELL,
    MAX_CONCURRENT_LIMIT,
    NOTIFY_CHANNELS,
    SCHEDULE_CRON,
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
    SCHEDULES,
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
from .engine.cron import MAX_CRON_LENGTH, is_valid_cron
from .heartbeat.builtin_routines import builtin_subentries
from .heartbeat.gatherers import GATHERERS
from .models import MissedRunPolicy
from .personas import find_persona
from .runtime import DlandConfigEntry
from .sources.vonage import SIGNATURE_METHODS, UNKNOWN_SENDER_OPTIONS
from .sources.whmcs import WhmcsError, async_get_tickets

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_DEFAULT_AGENT: DEFAULT_AGENT,
    CONF_MAX_CONCURRENT: DEFAULT_MAX_CONCURRENT,
    CONF_DEFAULT_TIMEOUT: DEFAULT_TIMEOUT,
    CONF_RETENTION_DAYS: DEFAULT_RETENTION_DAYS,
    CONF_MISSED_RUN_GRACE: DEFAULT_MISSED_RUN_GRACE,
    CONF_MIN_ABSENCE: DEFAULT_MIN_ABSENCE,
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
        vol.Required(
            CONF_DEFAULT_AGENT, default=DEFAULT_AGENT
        ): selector.ConversationAgentSelector(),
        vol.Required(CONF_MAX_CONCURRENT): vol.All(
            _number(1, MAX_CONCURRENT_LIMIT), vol.Coerce(int)
        ),
        vol.Required(CONF_DEFAULT_TIMEOUT): vol.All(
            _number(1, 86400, "s"), vol.Coerce(int)
        ),
        vol.Required(CONF_RETENTION_DAYS): vol.All(
            _number(1, 3650, "d"), vol.Coerce(int)
        ),
        vol.Required(CONF_MISSED_RUN_GRACE): vol.All(
            _number(0, 86400, "s"), vol.Coerce(int)
        ),
        vol.Required(CONF_MIN_ABSENCE, default=DEFAULT_MIN_ABSENCE): vol.All(
            _number(0, 1440, "min"), vol.Coerce(int)
        ),
    }
)


class DlandAssistantConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the single dland_assistant entry."""

    VERSION = 1
    # 2: the built-in heartbeat routines are subentries.
    # 3: personas lose "may control the home when woken by outside events".
    MINOR_VERSION = 3

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


def _is_unknown_agent(
    hass: HomeAssistant, entry: ConfigEntry, agent: str | None
) -> bool:
    """Return whether a given agent names neither a persona nor a conversation agent."""
    return (
        bool(agent)
        and find_persona(entry, str(agent)) is None
        and not agent_exists(hass, str(agent))
    )


def _wake_fields() -> dict[Any, Any]:
    """Return the fields for the agent a source wakes and what it is asked."""
    return {
        vol.Optional(CONF_AGENT): selector.TextSelector(),
        vol.Optional(CONF_PROMPT): selector.TextSelector(
            selector.TextSelectorConfig(multiline=True)
        ),
    }


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
                _number(1, 86400, "s"), vol.Coerce(int)
            ),
            vol.Required(CONF_DELIVER, default=True): selector.BooleanSelector(),
            vol.Required(CONF_SESSION_WINDOW, default=DEFAULT_SESSION_WINDOW): vol.All(
                _number(0, 1440, "min"), vol.Coerce(int)
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


class _SubentryFormFlow(ConfigSubentryFlow, ABC):
    """One form to add a subentry and to edit it."""

    @abstractmethod
    def _schema(self) -> vol.Schema:
        """Return the form."""

    @abstractmethod
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        """Return what is wrong with the answers."""

    @abstractmethod
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Return the subentry's title and data from the answers."""

    def _suggested(self, own_id: str) -> dict[str, Any]:
        return dict(self._get_entry().subentries[own_id].data)

    async def _async_check(self, data: dict[str, Any]) -> dict[str, str]:
        """Return what a service outside says of the answers (nothing to ask here)."""
        return {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add one."""
        return await self._async_step(user_input, None)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Edit one."""
        return await self._async_step(
            user_input, self._get_reconfigure_subentry().subentry_id
        )

    async def _async_step(
        self, user_input: dict[str, Any] | None, own_id: str | None
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._errors(user_input, own_id) or await self._async_check(
                user_input
            )
            if not errors:
                title, data = self._title_and_data(user_input)
                if own_id is None:
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_and_abort(
                    self._get_entry(),
                    self._get_reconfigure_subentry(),
                    title=title,
                    data=data,
                )
        suggested: dict[str, Any] = user_input or {}
        if user_input is None and own_id is not None:
            suggested = self._suggested(own_id)
        return self.async_show_form(
            step_id="reconfigure" if own_id else "user",
            data_schema=self.add_suggested_values_to_schema(self._schema(), suggested),
            errors=errors,
        )


class PersonaSubentryFlow(_SubentryFormFlow):
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

    @override
    def _suggested(self, own_id: str) -> dict[str, Any]:
        subentry = self._get_entry().subentries[own_id]
        return {CONF_NAME: subentry.title, **subentry.data}


def _notify_targets(hass: HomeAssistant) -> list[selector.SelectOptionDict]:
    """Return the notify entities and notify actions a channel can use."""
    entities = [
        selector.SelectOptionDict(value=entity_id, label=state.name)
        for entity_id in hass.states.async_entity_ids("notify")
        if (state := hass.states.get(entity_id)) is not None
    ]
    actions = [
        selector.SelectOptionDict(value=f"notify.{service}", label=f"notify.{service}")
        for service in hass.services.async_services_for_domain("notify")
        # Not a target of its own: send_message needs an entity; this one is ours.
        if service not in ("send_message", "persistent_notification")
    ]
    return [*entities, *actions]


def _recipient_schema(hass: HomeAssistant) -> vol.Schema:
    # Picked from what exists (entities and actions), or typed for one set up later.
    targets = selector.SelectSelector(
        selector.SelectSelectorConfig(
            options=_notify_targets(hass),
            custom_value=True,
            mode=selector.SelectSelectorMode.DROPDOWN,
            sort=True,
        )
    )
    fields: dict[Any, Any] = {
        vol.Required(CONF_PERSON): selector.EntitySelector(
            selector.EntitySelectorConfig(domain="person")
        ),
        vol.Required(
            CONF_DEFAULT_CHANNEL, default=CHANNEL_PERSISTENT
        ): selector.SelectSelector(
            selector.SelectSelectorConfig(
                options=list(CHANNELS), translation_key="channel"
            )
        ),
    }
    for channel in NOTIFY_CHANNELS:
        fields[vol.Optional(channel)] = targets
    fields[vol.Optional(CHANNEL_TTS)] = selector.EntitySelector(
        selector.EntitySelectorConfig(domain="media_player")
    )
    fields[vol.Optional(CONF_TTS_ENGINE)] = selector.EntitySelector(
        selector.EntitySelectorConfig(domain="tts")
    )
    fields[vol.Optional(CONF_WELCOME_AGENT)] = selector.TextSelector()
    fields[vol.Optional(CONF_PHONE)] = selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.TEL)
    )
    return vol.Schema(fields)


def _recipient_errors(
    hass: HomeAssistant, entry: ConfigEntry, data: dict[str, Any], own_id: str | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    taken = {
        sub.data.get(CONF_PERSON)
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_RECIPIENT and sub.subentry_id != own_id
    }
    if data[CONF_PERSON] in taken:
        errors[CONF_PERSON] = "person_taken"
    for channel in NOTIFY_CHANNELS:
        target = (data.get(channel) or "").strip()
        if not target:
            continue
        domain, _, service = target.partition(".")
        is_entity = hass.states.get(target) is not None and domain == "notify"
        if not is_entity and not (
            domain == "notify" and hass.services.has_service(domain, service)
        ):
            errors[channel] = "unknown_notify_target"
    default = data[CONF_DEFAULT_CHANNEL]
    if default != CHANNEL_PERSISTENT and not data.get(default):
        errors[CONF_DEFAULT_CHANNEL] = "default_channel_not_set"
    if data.get(CHANNEL_TTS) and not data.get(CONF_TTS_ENGINE):
        errors[CONF_TTS_ENGINE] = "tts_engine_required"
    if _is_unknown_agent(hass, entry, data.get(CONF_WELCOME_AGENT)):
        errors[CONF_WELCOME_AGENT] = "unknown_agent"
    return errors


class RecipientSubentryFlow(_SubentryFormFlow):
    """Map a person to the channels that reach them."""

    @override
    def _schema(self) -> vol.Schema:
        return _recipient_schema(self.hass)

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        return _recipient_errors(self.hass, self._get_entry(), data, own_id)

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        state = self.hass.states.get(data[CONF_PERSON])
        return (state.name if state else data[CONF_PERSON]), data


def _trigger_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_ENTITY_ID): selector.EntitySelector(),
            vol.Optional(CONF_TO_STATE): selector.TextSelector(),
            vol.Required(CONF_AGENT): selector.TextSelector(),
            vol.Required(CONF_PROMPT): selector.TemplateSelector(),
            vol.Required(CONF_SIGNIFICANCE, default=1): vol.All(
                _number(0, 3), vol.Coerce(int)
            ),
        }
    )


class TriggerSubentryFlow(_SubentryFormFlow):
    """A state change of an entity wakes an agent."""

    @override
    def _schema(self) -> vol.Schema:
        return _trigger_schema()

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        if _is_unknown_agent(self.hass, self._get_entry(), data[CONF_AGENT]):
            return {CONF_AGENT: "unknown_agent"}
        return {}

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = dict(data)
        return data.pop(CONF_NAME).strip() or data[CONF_ENTITY_ID], data

    @override
    def _suggested(self, own_id: str) -> dict[str, Any]:
        subentry = self._get_entry().subentries[own_id]
        return {CONF_NAME: subentry.title, **subentry.data}


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
                _number(0, 3600, "s"), vol.Coerce(int)
            ),
        }
    )


class CameraSubentryFlow(TriggerSubentryFlow):
    """A doorbell ring or a detected person wakes an agent, with a snapshot."""

    @override
    def _schema(self) -> vol.Schema:
        return _camera_schema()


def _routine_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_ENABLED, default=True): selector.BooleanSelector(),
            vol.Required(
                CONF_SCHEDULE, default=SCHEDULE_INTERVAL
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(SCHEDULES), translation_key=CONF_SCHEDULE
                )
            ),
            vol.Optional(CONF_INTERVAL): vol.All(
                _number(1, 10080, "min"), vol.Coerce(int)
            ),
            vol.Optional(CONF_TIME): selector.TimeSelector(),
            vol.Optional(CONF_CRON): selector.TextSelector(),
            vol.Required(
                CONF_MISSED_RUN_POLICY, default=MissedRunPolicy.RUN_ONCE
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(MissedRunPolicy),
                    translation_key=CONF_MISSED_RUN_POLICY,
                )
            ),
            vol.Optional(CONF_AGENT): selector.TextSelector(),
            vol.Optional(CONF_PROMPT): selector.TemplateSelector(),
            vol.Optional(CONF_GATHERERS): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(GATHERERS),
                    multiple=True,
                    translation_key=CONF_GATHERERS,
                )
            ),
            vol.Optional(CONF_CALENDARS): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="calendar", multiple=True)
            ),
            vol.Optional(CONF_TODO_LISTS): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="todo", multiple=True)
            ),
            vol.Optional(CONF_USER): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="person")
            ),
            vol.Optional(CONF_PLATFORM): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(CHANNELS), translation_key="channel"
                )
            ),
            vol.Optional(CONF_NOTIFY_TARGET): selector.TextSelector(),
            vol.Required(CONF_DELIVER, default=True): selector.BooleanSelector(),
            vol.Optional(CONF_QUIET_START): selector.TimeSelector(),
            vol.Optional(CONF_QUIET_END): selector.TimeSelector(),
        }
    )


class RoutineSubentryFlow(_SubentryFormFlow):
    """Add or edit a heartbeat routine."""

    @override
    def _schema(self) -> vol.Schema:
        return _routine_schema()

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        errors: dict[str, str] = {}
        schedule = data.get(CONF_SCHEDULE, SCHEDULE_INTERVAL)
        if schedule == SCHEDULE_INTERVAL and not data.get(CONF_INTERVAL):
            errors[CONF_INTERVAL] = "interval_required"
        elif schedule == SCHEDULE_DAILY and not data.get(CONF_TIME):
            errors[CONF_TIME] = "time_required"
        elif schedule == SCHEDULE_CRON and (
            len(data.get(CONF_CRON, "")) > MAX_CRON_LENGTH
        ):
            errors[CONF_CRON] = "cron_too_long"
        elif schedule == SCHEDULE_CRON and not is_valid_cron(data.get(CONF_CRON, "")):
            errors[CONF_CRON] = "invalid_cron"
        if _is_unknown_agent(self.hass, self._get_entry(), data.get(CONF_AGENT)):
            errors[CONF_AGENT] = "unknown_agent"
        if bool(data.get(CONF_QUIET_START)) != bool(data.get(CONF_QUIET_END)):
            errors[CONF_QUIET_END] = "quiet_hours_incomplete"
        return errors

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = dict(data)
        if self.source == SOURCE_RECONFIGURE:
            # Editing keeps what makes a built-in routine built in.
            builtin = self._get_reconfigure_subentry().data.get(CONF_BUILTIN)
            if builtin:
                data[CONF_BUILTIN] = builtin
        return data.pop(CONF_NAME).strip() or "Routine", data

    @override
    def _suggested(self, own_id: str) -> dict[str, Any]:
        subentry = self._get_entry().subentries[own_id]
        return {CONF_NAME: subentry.title, **subentry.data}


class _SourceSubentryFlow(_SubentryFormFlow):
    """An outside source: set up once, optionally waking an agent."""

    kind: str
    title: str

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        entry = self._get_entry()
        if any(
            sub.subentry_type == self.kind and sub.subentry_id != own_id
            for sub in entry.subentries.values()
        ):
            return {"base": "already_configured"}
        if _is_unknown_agent(self.hass, entry, data.get(CONF_AGENT)):
            return {CONF_AGENT: "unknown_agent"}
        return self._source_errors(data)

    def _source_errors(self, data: dict[str, Any]) -> dict[str, str]:
        return {}

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.title, data


def _password() -> selector.TextSelector:
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
    )


def _url() -> selector.TextSelector:
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
    )


class VonageSubentryFlow(_SourceSubentryFlow):
    """Inbound SMS from Vonage: the signature secret and who to wake."""

    kind = SUBENTRY_VONAGE
    title = "Vonage SMS"

    @override
    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_SIGNATURE_SECRET): _password(),
                vol.Required(
                    CONF_SIGNATURE_METHOD, default="md5hash"
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=list(SIGNATURE_METHODS),
                        translation_key="signature_method",
                    )
                ),
                **_wake_fields(),
                vol.Required(
                    CONF_UNKNOWN_SENDERS, default="store"
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=list(UNKNOWN_SENDER_OPTIONS),
                        translation_key="unknown_senders",
                    )
                ),
            }
        )


class YouTubeSubentryFlow(_SourceSubentryFlow):
    """YouTube channels to follow through WebSub push."""

    kind = SUBENTRY_YOUTUBE
    title = "YouTube"

    @override
    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_CHANNELS): selector.TextSelector(),
                vol.Required(CONF_SECRET): _password(),
                vol.Required(CONF_CALLBACK_URL): _url(),
                vol.Optional(CONF_HUB_URL): _url(),
                **_wake_fields(),
            }
        )

    @override
    def _source_errors(self, data: dict[str, Any]) -> dict[str, str]:
        if not str(data[CONF_CALLBACK_URL]).endswith("/api/events/youtube"):
            return {CONF_CALLBACK_URL: "bad_callback_url"}
        return {}


class WhmcsSubentryFlow(_SourceSubentryFlow):
    """WHMCS support tickets, polled."""

    kind = SUBENTRY_WHMCS
    title = "WHMCS tickets"

    @override
    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_URL): _url(),
                vol.Required(CONF_IDENTIFIER): selector.TextSelector(),
                vol.Required(CONF_SECRET): _password(),
                vol.Required(CONF_INTERVAL, default=5): vol.All(
                    _number(1, 1440, "min"), vol.Coerce(int)
                ),
                **_wake_fields(),
            }
        )

    @override
    async def _async_check(self, data: dict[str, Any]) -> dict[str, str]:
        """Ask WHMCS for its tickets with these credentials before saving them."""
        try:
            await async_get_tickets(self.hass, data)
        except WhmcsError as err:
            return {"base": err.reason}
        return {}
