"""Cameras: a doorbell ring or a detected person wakes a chosen agent.

Each camera is a config subentry (type "camera"): the binary sensor or event entity
that signals it (a Reolink doorbell or person sensor, or any other), the kind of
event, an optional camera whose snapshot goes with the wakeup, the agent and its
prompt. Every signal is stored as an event; signals within the cooldown after a
wakeup are coalesced into it, so a chattering sensor wakes the agent once.
"""

from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
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
    CONF_CAMERA,
    CONF_COOLDOWN,
    CONF_ENTITY_ID,
    CONF_EVENT_KIND,
    CONF_PROMPT,
    DEFAULT_CAMERA_COOLDOWN,
    KIND_DOORBELL,
    KIND_PERSON,
    LOGGER,
    SUBENTRY_CAMERA,
)
from ..models import Trust
from ..runtime import DlandConfigEntry
from . import router
from .wakeup import Wakeup

# A ring asks for attention; a passer-by detected in the drive is worth less.
SIGNIFICANCE = {KIND_DOORBELL: 2, KIND_PERSON: 1}
SUMMARY = {KIND_DOORBELL: "Doorbell rang at {}", KIND_PERSON: "Person detected by {}"}
DEFAULT_PROMPT = {
    KIND_DOORBELL: "Someone rang the doorbell ({{ name }}). Tell me who is there.",
    KIND_PERSON: "{{ name }} detected a person. Tell me if it needs my attention.",
}


def camera_media_id(camera_entity_id: str) -> str:
    """Return the media source id of a camera's current image."""
    return f"media-source://camera/{camera_entity_id}"


def is_signal(old: State | None, new: State | None) -> bool:
    """Return whether a state change is a ring or a detection.

    A binary sensor signals when it turns on from off; an event entity (whose state
    is the time of its last event) when it gets a new time, but not when it comes
    back from being unavailable, which restores the old time.
    """
    if new is None or old is None or old.state == new.state:
        return False
    if new.domain == "binary_sensor":
        return old.state == STATE_OFF and new.state == STATE_ON
    return old.state != STATE_UNAVAILABLE and new.state not in (
        STATE_UNAVAILABLE,
        STATE_UNKNOWN,
    )


class CameraWatcher:
    """Listens to one camera subentry's entity and wakes its agent."""

    def __init__(self, hass: HomeAssistant, data: dict[str, Any]) -> None:
        """Remember the set-up; nothing is woken yet."""
        self.hass = hass
        self.data = data
        self.kind: str = data.get(CONF_EVENT_KIND, KIND_DOORBELL)
        seconds = int(data.get(CONF_COOLDOWN, DEFAULT_CAMERA_COOLDOWN))
        self.cooldown = timedelta(seconds=seconds)
        self.last_wake: datetime | None = None

    async def async_changed(self, event: Event[EventStateChangedData]) -> None:
        """Store a ring or detection and wake the agent unless cooling down."""
        new = event.data["new_state"]
        if new is None or not is_signal(event.data["old_state"], new):
            return
        now = dt_util.utcnow()
        cooling = self.last_wake is not None and now - self.last_wake < self.cooldown
        variables = {
            "entity_id": new.entity_id,
            "name": new.name,
            "kind": self.kind,
            "camera": self.data.get(CONF_CAMERA),
        }
        try:
            wake = None if cooling else self._wake(variables)
            result = await router.async_route_event(
                self.hass,
                source="camera",
                event_type=self.kind,
                summary=SUMMARY[self.kind].format(new.name),
                significance=SIGNIFICANCE[self.kind],
                wake=wake,
            )
        except (TemplateError, HomeAssistantError) as err:
            LOGGER.warning("%s did not wake its agent: %s", new.entity_id, err)
            return
        if result.execution_id is not None:
            self.last_wake = now

    def _wake(self, variables: dict[str, Any]) -> Wakeup:
        template = self.data.get(CONF_PROMPT) or DEFAULT_PROMPT[self.kind]
        prompt = Template(template, self.hass).async_render(
            variables, parse_result=False
        )
        camera = self.data.get(CONF_CAMERA)
        # A stranger can hold anything up to the lens: camera runs are outside.
        return Wakeup(
            agent=self.data[CONF_AGENT],
            prompt=prompt,
            trust=Trust.OUTSIDE,
            quoted=variables,
            attachments=(camera_media_id(camera),) if camera else (),
        )


@callback
def async_setup_cameras(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Watch the entities the entry's camera subentries name."""
    for subentry in entry.get_subentries_of_type(SUBENTRY_CAMERA):
        watcher = CameraWatcher(hass, dict(subentry.data))
        entry.async_on_unload(
            async_track_state_change_event(
                hass, subentry.data[CONF_ENTITY_ID], watcher.async_changed
            )
        )
