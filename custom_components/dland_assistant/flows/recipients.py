"""Recipients: a person and the channels that reach them."""

from typing import Any, override

import voluptuous as vol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector

from ..const import (
    CHANNEL_PERSISTENT,
    CHANNEL_TTS,
    CHANNELS,
    CONF_DEFAULT_CHANNEL,
    CONF_PERSON,
    CONF_PHONE,
    CONF_TTS_ENGINE,
    CONF_WELCOME_AGENT,
    NOTIFY_CHANNELS,
    SUBENTRY_RECIPIENT,
)
from .form import SubentryFormFlow, is_unknown_agent


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
    if is_unknown_agent(hass, entry, data.get(CONF_WELCOME_AGENT)):
        errors[CONF_WELCOME_AGENT] = "unknown_agent"
    return errors


class RecipientSubentryFlow(SubentryFormFlow):
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
