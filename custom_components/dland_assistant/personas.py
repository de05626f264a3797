"""Personas: named agents with a character, each a config subentry and a device.

A task's agent is stored as ``persona:<subentry id>`` for a persona, so renaming a
persona keeps its tasks; anything else is a conversation agent id used as it is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .const import (
    CONF_AI_TASK_ENTITY,
    CONF_CONVERSATION_AGENT,
    CONF_DELIVER,
    CONF_INSTRUCTIONS,
    CONF_LANGUAGE,
    CONF_SESSION_WINDOW,
    CONF_TIMEOUT,
    DEFAULT_SESSION_WINDOW,
    DEFAULT_TIMEOUT,
    DOMAIN,
    PERSONA_PREFIX,
    SUBENTRY_AGENT,
)
from .engine.agent import agent_exists
from .errors import invalid
from .models import RunRequest, Trust


@dataclass(frozen=True, slots=True)
class Persona:
    """A named agent."""

    persona_id: str
    name: str
    conversation_agent: str
    instructions: str
    language: str | None
    timeout: float
    deliver: bool
    session_window: timedelta
    ai_task_entity: str | None = None

    @property
    def agent_ref(self) -> str:
        """Return how tasks refer to this persona."""
        return f"{PERSONA_PREFIX}{self.persona_id}"


def personas(entry: ConfigEntry) -> dict[str, Persona]:
    """Return the entry's personas by id."""
    result: dict[str, Persona] = {}
    for subentry in entry.get_subentries_of_type(SUBENTRY_AGENT):
        data = subentry.data
        result[subentry.subentry_id] = Persona(
            persona_id=subentry.subentry_id,
            name=subentry.title,
            conversation_agent=data[CONF_CONVERSATION_AGENT],
            instructions=data.get(CONF_INSTRUCTIONS, ""),
            language=data.get(CONF_LANGUAGE) or None,
            timeout=float(data.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)),
            deliver=bool(data.get(CONF_DELIVER, True)),
            session_window=timedelta(
                minutes=float(data.get(CONF_SESSION_WINDOW, DEFAULT_SESSION_WINDOW))
            ),
            ai_task_entity=data.get(CONF_AI_TASK_ENTITY) or None,
        )
    return result


def find_persona(entry: ConfigEntry, value: str) -> Persona | None:
    """Find a persona by reference, id or name (case-insensitive)."""
    known = personas(entry)
    key = value.removeprefix(PERSONA_PREFIX)
    if key in known:
        return known[key]
    folded = value.strip().casefold()
    return next((p for p in known.values() if p.name.casefold() == folded), None)


def persona_of(entry: ConfigEntry, agent_ref: str) -> Persona | None:
    """Return the persona a stored agent reference names, if it names one."""
    if not agent_ref.startswith(PERSONA_PREFIX):
        return None
    return personas(entry).get(agent_ref.removeprefix(PERSONA_PREFIX))


def agent_display_name(entry: ConfigEntry, agent_ref: str) -> str:
    """Return a persona's name, or the agent id as it is."""
    persona = persona_of(entry, agent_ref)
    return persona.name if persona else agent_ref


async def async_render_instructions(
    hass: HomeAssistant, persona: Persona, variables: dict[str, Any]
) -> str:
    """Render a persona's instructions template for one run.

    Raises TemplateError when the template is broken.
    """
    if not persona.instructions:
        return ""
    template = Template(persona.instructions, hass)
    return str(template.async_render(variables, parse_result=False))


async def async_generate_structured(
    hass: HomeAssistant,
    persona: Persona,
    *,
    task_name: str,
    instructions: str,
    structure: vol.Schema | None = None,
    variables: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> Any:
    """Ask the persona's AI task entity for data of a given structure.

    The persona's instructions come first, then the task's. Raises
    HomeAssistantError (from ai_task) when no entity can do it.
    """
    from homeassistant.components import ai_task  # noqa: PLC0415 - optional platform

    character = await async_render_instructions(
        hass,
        persona,
        {"persona": persona.name, "now": dt_util.now(), **(variables or {})},
    )
    result = await ai_task.async_generate_data(
        hass,
        task_name=task_name,
        entity_id=persona.ai_task_entity,
        instructions=f"{character}\n\n{instructions}".strip(),
        structure=structure,
        attachments=attachments,
    )
    return result.data


@callback
def async_sync_devices(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Keep one service device per persona; remove devices of deleted personas."""
    registry = dr.async_get(hass)
    known = personas(entry)
    for persona in known.values():
        registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=persona.persona_id,
            identifiers={(DOMAIN, persona.persona_id)},
            name=persona.name,
            manufacturer="dland assistant",
            model="Persona",
            entry_type=dr.DeviceEntryType.SERVICE,
        )
    keep = {*known, entry.entry_id}  # the integration's own device stays
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        ids = {
            identifier for domain, identifier in device.identifiers if domain == DOMAIN
        }
        if ids and not ids & keep:
            registry.async_remove_device(device.id)


class SessionTracker:
    """Continues one conversation per persona, people and trust within a window.

    An outside run and a trusted run never share a conversation, whoever they are
    for: each trust level has its own window. Sessions past their window are
    forgotten, and at most ``limit`` are kept (the least recently used go first).
    """

    def __init__(self, limit: int = 1000) -> None:
        """Start with no sessions."""
        self.limit = limit
        # Least recently used first: a continued session moves to the end.
        self._sessions: dict[
            tuple[str, str, str | None, Trust], tuple[str, datetime, timedelta]
        ] = {}

    def __len__(self) -> int:
        """Return how many sessions are kept."""
        return len(self._sessions)

    def conversation_id(
        self, persona: Persona, request: RunRequest
    ) -> tuple[str, bool]:
        """Return the conversation id for a run now, and whether it continues one."""
        now = dt_util.utcnow()
        key = (persona.persona_id, request.owner, request.recipient, request.trust)
        window = persona.session_window
        current = self._sessions.pop(key, None)
        if current and now - current[1] <= window:
            self._sessions[key] = (current[0], now, window)
            return current[0], True
        self._forget_expired(now)
        # Not a ULID on purpose: Home Assistant keeps a caller-chosen id as it is.
        conversation_id = f"{DOMAIN}-{ulid_now()}"
        self._sessions[key] = (conversation_id, now, window)
        return conversation_id, False

    def _forget_expired(self, now: datetime) -> None:
        for key, (_, last, window) in list(self._sessions.items()):
            if now - last > window:
                del self._sessions[key]
        while len(self._sessions) >= self.limit:
            del self._sessions[next(iter(self._sessions))]


def resolve_agent(
    hass: HomeAssistant, entry: ConfigEntry, value: str
) -> tuple[str, Persona | None]:
    """Resolve a persona name or id, or a conversation agent id, to what tasks store.

    Raises a translated error for an unknown agent.
    """
    if (persona := find_persona(entry, value)) is not None:
        return persona.agent_ref, persona
    if value.startswith(PERSONA_PREFIX) or not agent_exists(hass, value):
        raise invalid("unknown_agent", agent=value)
    return value, None
