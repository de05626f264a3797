"""In-process triggers: an entity's state change wakes a chosen agent.

Each trigger is a config subentry (type "trigger"): the entity, optionally the state
it must change to, the agent, and a prompt template rendered with ``entity_id``,
``name``, ``from_state`` and ``to_state``. Runs act as the integration's own admin
user; a state that may be outside text makes the run outside.
"""

from typing import Any

from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, TemplateError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_AGENT,
    CONF_ENTITY_ID,
    CONF_PROMPT,
    CONF_SIGNIFICANCE,
    CONF_TO_STATE,
    LOGGER,
    SUBENTRY_TRIGGER,
)
from ..models import Trust
from ..runtime import DlandConfigEntry
from . import router
from .wakeup import Wakeup

# Domains whose states come from a fixed set (on/off, home, locked…): the home's
# own data. Any other state that is not a number may be text from outside (the
# last SMS, a feed's title), which makes the run outside.
FIXED_STATE_DOMAINS = frozenset(
    {
        "alarm_control_panel",
        "automation",
        "binary_sensor",
        "button",
        "climate",
        "cover",
        "device_tracker",
        "fan",
        "humidifier",
        "input_boolean",
        "input_button",
        "light",
        "lock",
        "media_player",
        "person",
        "remote",
        "script",
        "siren",
        "sun",
        "switch",
        "timer",
        "update",
        "vacuum",
        "valve",
        "water_heater",
        "zone",
    }
)


def state_is_home_data(state: State) -> bool:
    """Return whether a state is the home's own data rather than outside text."""
    if state.domain in FIXED_STATE_DOMAINS:
        return True
    try:
        float(state.state)
    except ValueError:
        # Timestamps (sensors, event entities) are the home's own data too.
        return dt_util.parse_datetime(state.state) is not None
    return True


@callback
def async_setup_triggers(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Listen to the entities the entry's triggers name."""
    for subentry in entry.get_subentries_of_type(SUBENTRY_TRIGGER):
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
                home_data = state_is_home_data(new) and (
                    old is None or state_is_home_data(old)
                )
                await router.async_route_event(
                    hass,
                    source="home_assistant",
                    event_type="state_change",
                    summary=f"{new.name} changed to {new.state}",
                    significance=int(data.get(CONF_SIGNIFICANCE, 1)),
                    wake=Wakeup(
                        agent=data[CONF_AGENT],
                        prompt=prompt,
                        trust=Trust.TRUSTED if home_data else Trust.OUTSIDE,
                        quoted=variables,
                    ),
                )
            except (TemplateError, HomeAssistantError) as err:
                LOGGER.warning(
                    "Trigger on %s did not wake its agent: %s", new.entity_id, err
                )

        entry.async_on_unload(
            async_track_state_change_event(hass, data[CONF_ENTITY_ID], _async_changed)
        )
