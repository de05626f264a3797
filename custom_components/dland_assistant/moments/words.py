"""Moments and what happened, in one language (the integration's ``common`` strings).

"When: Dan came home" for a waiting task's schedule, "Dan came home" for what
happened, said in the reminder. Entity and zone names are Home Assistant's.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.translation import async_get_translations

from ..const import DOMAIN
from ..models import Moment
from .rules import ZONE_HOME

_PREFIX = f"component.{DOMAIN}.common.moment_"


async def async_load_strings(hass: HomeAssistant, language: str) -> dict[str, str]:
    """Return the moment strings of a language, English where it has none."""
    english = await async_get_translations(hass, "en", "common", [DOMAIN])
    strings = await async_get_translations(hass, language, "common", [DOMAIN])
    return {
        key.removeprefix(_PREFIX): strings.get(key, text)
        for key, text in english.items()
        if key.startswith(_PREFIX)
    }


class MomentWords:
    """Says moments in one language."""

    def __init__(self, hass: HomeAssistant, strings: Mapping[str, str]) -> None:
        """Use the strings ``async_load_strings`` returned."""
        self.hass = hass
        self._strings = strings

    def _say(self, key: str, **values: Any) -> str:
        return self._strings[key].format(**values)

    def _name(self, entity_id: str) -> str:
        state = self.hass.states.get(entity_id)
        return state.name if state is not None else entity_id

    def occurrence(self, trigger: Mapping[str, Any], new: State | None = None) -> str:
        """Say what happens at the moment ("Dan came home")."""
        entity = self._name(trigger["entity_id"])
        kind = trigger["trigger"]
        if kind == "zone":
            enter = trigger["event"] == "enter"
            if trigger["zone"] == ZONE_HOME:
                return self._say("came_home" if enter else "left_home", who=entity)
            zone = self._name(trigger["zone"])
            return self._say("arrived" if enter else "left", who=entity, zone=zone)
        if kind == "numeric_state":
            if "above" in trigger:
                return self._say("rose", entity=entity, value=f"{trigger['above']:g}")
            return self._say("fell", entity=entity, value=f"{trigger['below']:g}")
        if "to" in trigger or "from" not in trigger:
            state = new.state if new is not None else " / ".join(trigger.get("to", []))
            return self._say("became", entity=entity, state=state)
        return self._say("no_longer", entity=entity, state=" / ".join(trigger["from"]))

    def schedule(self, moment: Moment) -> str:
        """Say a moment task's schedule ("When: Dan came home")."""
        key = "every_time" if moment.every_time else "when"
        return self._say(key, occurrence=self.occurrence(moment.trigger))
