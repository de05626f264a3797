"""Presence: departures and arrivals of people, and the Arrival Snapshot.

Native state listeners on person entities (fed by UniFi or any tracker) record
each departure and arrival as an event. On arrival, the events recorded while that
person was away (doorbell rings, detections, messages, tickets, failed tasks) are
grouped and counted, and the person's welcome agent, if set, is woken with it.

The snapshot carries only the kind and number of events, named by this
integration, never their text (an SMS body, a video title): so the welcome run
stays trusted and may act for the person ("turn on the hall light when I come
home"), and outside text cannot reach it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.const import STATE_HOME
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from . import router
from .const import CONF_PERSON, CONF_WELCOME_AGENT, LOGGER, SUBENTRY_RECIPIENT
from .models import ExecutionStatus, RoutedEvent, Trust
from .runtime import DlandConfigEntry
from .scheduler import Overloaded
from .wakeup import Wakeup

# Events worth telling someone who comes home about (0 is routine, such as presence).
SIGNIFICANT = 1
WELCOME_PROMPT = (
    "{name} just arrived home. Welcome them and tell them briefly what happened "
    "while they were away."
)


# What the snapshot calls each kind of event; anything else is "other event".
KINDS = {
    ("vonage", "sms"): "SMS",
    ("youtube", "video"): "new video",
    ("whmcs", "ticket"): "new support ticket",
    ("whmcs", "reply"): "support ticket reply",
    ("camera", "doorbell"): "doorbell ring",
    ("camera", "person"): "person detected",
    ("home_assistant", "state_change"): "device change",
}


@dataclass(frozen=True, slots=True)
class ArrivalSnapshot:
    """What happened while someone was away: kinds and counts, no outside text."""

    away_since: datetime | None
    counts: dict[str, int]
    failed_tasks: int

    def as_text(self) -> str:
        """Return the snapshot as a short summary."""
        if self.away_since is None:
            return "No departure was recorded, so there is nothing to report."
        away = dt_util.utcnow() - self.away_since
        hours, minutes = divmod(int(away.total_seconds()) // 60, 60)
        lines = [f"Away for {hours} h {minutes} min."]
        for kind, count in sorted(self.counts.items(), key=lambda item: -item[1]):
            lines.append(f"{count}x {kind}")
        if self.failed_tasks:
            lines.append(f"{self.failed_tasks}x failed task run")
        if len(lines) == 1:
            lines.append("Nothing significant happened.")
        return "\n".join(lines)


def _kind(event: RoutedEvent) -> str:
    return KINDS.get((event.source, event.type), "other event")


async def async_arrival_snapshot(
    entry: DlandConfigEntry, person: str, user_id: str | None
) -> ArrivalSnapshot:
    """Build the snapshot of a person's last absence."""
    store = entry.runtime_data.store
    recent = await store.async_list_events(
        dt_util.utcnow() - timedelta(days=30), limit=5000
    )
    departures = [
        e for e in recent if e.source == "presence" and e.type == "departure"
        and e.user == person
    ]  # fmt: skip
    if not departures:
        return ArrivalSnapshot(None, {}, 0)
    since = departures[-1].time
    counts: Counter[str] = Counter(
        _kind(event)
        for event in recent
        if event.time >= since
        and event.significance >= SIGNIFICANT
        and event.user in (None, person, user_id)
    )
    failed = await store.async_list_executions(
        status=ExecutionStatus.FAILED, since=since, limit=1000
    )
    return ArrivalSnapshot(since, dict(counts), len(failed))


@callback
def async_setup_presence(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Listen to every person entity for departures and arrivals."""
    people = hass.states.async_entity_ids("person")
    if not people:
        return
    welcome = {
        sub.data[CONF_PERSON]: sub.data.get(CONF_WELCOME_AGENT)
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_RECIPIENT
    }

    async def _async_changed(event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if old is None or new is None:
            return
        was_home, is_home = old.state == STATE_HOME, new.state == STATE_HOME
        if was_home == is_home:
            return
        person = new.entity_id
        name = new.name
        user_id = new.attributes.get("user_id")
        if not is_home:
            try:
                await router.async_route_event(
                    hass,
                    source="presence",
                    event_type="departure",
                    summary=f"{name} left home",
                    user=person,
                    significance=0,
                )
            except HomeAssistantError as err:
                LOGGER.warning("Could not record that %s left: %s", name, err)
            return
        snapshot = await async_arrival_snapshot(entry, person, user_id)
        wake: Wakeup | None = None
        if agent := welcome.get(person):
            wake = Wakeup(
                agent=agent,
                prompt=WELCOME_PROMPT.format(name=name),
                # Kinds and counts only: nothing in it came from outside.
                trust=Trust.TRUSTED,
                quoted={"arrival_snapshot": snapshot.as_text()},
            )
        try:
            await router.async_route_event(
                hass,
                source="presence",
                event_type="arrival",
                summary=f"{name} arrived home",
                user=person,
                significance=0,
                wake=wake,
            )
        except (HomeAssistantError, Overloaded) as err:
            LOGGER.warning("Could not welcome %s home: %s", name, err)

    entry.async_on_unload(async_track_state_change_event(hass, people, _async_changed))
