"""In-process triggers: an entity's state change wakes a chosen agent.

Each trigger is a config subentry (type "trigger"): the entity, optionally the state
it must change to, the agent, and a prompt template rendered with ``entity_id``,
``name``, ``from_state`` and ``to_state``.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, TemplateError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.template import Template

from . import router
from .const import (
    CONF_AGENT,
    CONF_ENTITY_ID,
    CONF_PROMPT,
    CONF_SIGNIFICANCE,
    CONF_TO_STATE,
    LOGGER,
    SUBENTRY_TRIGGER,
)
from .runtime import DlandConfigEntry
from .scheduler import Overloaded


@callback
def async_setup_triggers(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Listen to the entities the entry's triggers name."""
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_TRIGGER:
            continue
        data: dict[str, Any] = dict(subentry.data)

        async def _async_changed(
            event: Event[EventStateChangedData], data: dict[str, Any] = data
        ) -> None:
            old, new = event.data["old_state"], event.data["new_state"]
            if new is None or (old is not None and old.state == new.state):
                return
            if data.get(CONF_TO_STATE) and new.state != data[CONF_TO_STATE]:
                return
            variables = {
                "entity_id": new.entity_id,
                "name": new.name,
                "from_state": old.state if old else None,
                "to_state": new.state,
            }
            try:
                prompt = Template(data[CONF_PROMPT], hass).async_render(
                    variables, parse_result=False
                )
                await router.async_route_event(
                    hass,
                    source="home_assistant",
                    event_type="state_change",
                    summary=f"{new.name} changed to {new.state}",
                    significance=int(data.get(CONF_SIGNIFICANCE, 1)),
                    wake={
                        "agent": data[CONF_AGENT],
                        "prompt": prompt,
                        "context": variables,
                    },
                )
            except (TemplateError, HomeAssistantError, Overloaded) as err:
                LOGGER.warning(
                    "Trigger on %s did not wake its agent: %s", new.entity_id, err
                )

        entry.async_on_unload(
            async_track_state_change_event(hass, data[CONF_ENTITY_ID], _async_changed)
        )
