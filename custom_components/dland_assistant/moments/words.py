"""Moments and what happened, in one language (the integration's ``common`` strings).

"When Dan gets home, after 17:00" for a waiting task's schedule, "Dan came home"
for what happened, said in the reminder. Entity and zone names are Home
Assistant's.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from ..const import DOMAIN
from ..models import Moment
from .rules import BUSY_STATES, ZONE_HOME

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

    def occurrence(
        self,
        trigger: Mapping[str, Any],
        new: State | None = None,
        *,
        waiting: bool = False,
    ) -> str:
        """Say what happened at the moment ("Dan came home").

        ``waiting``: say it as still to come, for a subordinate clause ("Dan gets
        home", as in "when Dan gets home").
        """
        tense = "wait_" if waiting else ""
        entity = self._name(trigger["entity_id"])
        kind = trigger["trigger"]
        if kind == "zone":
            enter = trigger["event"] == "enter"
            if trigger["zone"] == ZONE_HOME:
                key = "came_home" if enter else "left_home"
                return self._say(tense + key, who=entity)
            zone = self._name(trigger["zone"])
            key = "arrived" if enter else "left"
            return self._say(tense + key, who=entity, zone=zone)
        if kind == "numeric_state":
            if "above" in trigger:
                value = f"{trigger['above']:g}"
                return self._say(tense + "rose", entity=entity, value=value)
            return self._say(
                tense + "fell", entity=entity, value=f"{trigger['below']:g}"
            )
        if "to" in trigger or "from" not in trigger:
            state = new.state if new is not None else " / ".join(trigger.get("to", []))
            return self._say(tense + "became", entity=entity, state=state)
        if set(trigger["from"]) == set(BUSY_STATES):
            return self._say(tense + "done", entity=entity)
        state = " / ".join(trigger["from"])
        return self._say(tense + "no_longer", entity=entity, state=state)

    def schedule(self, moment: Moment) -> str:
        """Say a moment task's schedule ("When Dan gets home, after 17:00")."""
        key = "every_time" if moment.every_time else "when"
        parts = [
            self._say(key, occurrence=self.occurrence(moment.trigger, waiting=True))
        ]
        after, before = moment.after, moment.before
        if after is not None and before is not None:
            parts.append(
                self._say("between", after=f"{after:%H:%M}", before=f"{before:%H:%M}")
            )
        elif after is not None:
            parts.append(self._say("after", time=f"{after:%H:%M}"))
        elif before is not None:
            parts.append(self._say("before", time=f"{before:%H:%M}"))
        if moment.until is not None:
            until = dt_util.as_local(moment.until)
            parts.append(self._say("until", until=f"{until:%Y-%m-%d %H:%M}"))
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]
