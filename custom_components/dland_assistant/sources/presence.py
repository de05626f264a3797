"""Presence: departures and arrivals of people, and the Arrival Snapshot.

Native state listeners on person entities (fed by UniFi or any tracker) record
each departure and arrival as an event. Only known states count: ``home`` against
``not_home`` or a zone; ``unknown`` and ``unavailable`` (a tracker loading late,
a restart) are neither, and the last known state, kept as the last recorded
presence event, carries over restarts. On an arrival after an absence of at least
the configured minimum, the events recorded while that person was away (doorbell
rings, detections, messages, tickets, failed tasks) are counted by kind, and the
person's welcome agent, if set, is woken with it.

The snapshot carries only the kind and number of events, named by this
integration, never their text (an SMS body, a video title): so the welcome run
stays trusted and may act for the person ("turn on the hall light when I come
home"), and outside text cannot reach it.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeassistant.const import STATE_HOME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_MIN_ABSENCE,
    DEFAULT_MIN_ABSENCE,
    LOGGER,
)
from ..models import ExecutionStatus, Trust
from ..runtime import DlandConfigEntry
from ..subentries import recipients
from . import router
from .wakeup import Wakeup

# Events worth telling someone who comes home about (0 is routine, such as presence).
SIGNIFICANT = 1
# Neither home nor away: a tracker that has not reported, or cannot.
NOT_KNOWN = frozenset({STATE_UNKNOWN, STATE_UNAVAILABLE})
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


async def async_last_known(entry: DlandConfigEntry) -> dict[str, bool]:
    """Return, per person, whether their last recorded change was coming home."""
    return await entry.runtime_data.store.async_presence_last_known()


async def async_arrival_snapshot(
    entry: DlandConfigEntry, person: str, user_id: str | None
) -> ArrivalSnapshot:
    """Build the snapshot of a person's last absence.

    Every event since their last departure is counted in the database (grouped by
    kind), whatever the size of the history.
    """
    store = entry.runtime_data.store
    departed = await store.async_last_departure(person)
    if departed is None:
        return ArrivalSnapshot(None, {}, 0)
    named, total = await store.async_count_events_since(
        departed, SIGNIFICANT, {person, user_id or person}, KINDS
    )
    counts: Counter[str] = Counter()
    for kind, count in named.items():
        counts[KINDS[kind]] += count
    if other := total - sum(counts.values()):
        counts["other event"] = other
    failed = await store.async_count_executions([ExecutionStatus.FAILED], departed)
    return ArrivalSnapshot(departed, dict(counts), failed)


@callback
def async_setup_presence(
    hass: HomeAssistant, entry: DlandConfigEntry, last_known: dict[str, bool]
) -> None:
    """Listen to every person entity for departures and arrivals.

    ``last_known`` (from ``async_last_known``): who was home at their last
    recorded change; people with none start from their current known state.
    """
    people = hass.states.async_entity_ids("person")
    if not people:
        return
    welcome = {r.person: r.welcome_agent for r in recipients(entry)}
    home: dict[str, bool] = {}
    for person in people:
        if person in last_known:
            home[person] = last_known[person]
        elif (state := hass.states.get(person)) and state.state not in NOT_KNOWN:
            home[person] = state.state == STATE_HOME

    async def _async_changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or new.state in NOT_KNOWN:
            return  # neither home nor away: the last known state stands
        person = new.entity_id
        is_home = new.state == STATE_HOME
        was_home = home.get(person)
        home[person] = is_home
        if was_home is None or was_home == is_home:
            return  # first known state, or a move between away zones
        name = new.name
        if not is_home:
            try:
                await router.async_route_event(
                    hass,
                    entry=entry,
                    source="presence",
                    event_type="departure",
                    summary=f"{name} left home",
                    user=person,
                    significance=0,
                )
            except HomeAssistantError as err:
                LOGGER.warning("Could not record that %s left: %s", name, err)
            return
        await _async_arrived(hass, entry, welcome.get(person), new)

    entry.async_on_unload(async_track_state_change_event(hass, people, _async_changed))


async def _async_arrived(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    agent: str | None,
    state: State,
) -> None:
    """Record an arrival; wake the welcome agent after a long enough absence."""
    name, person = state.name, state.entity_id
    snapshot = await async_arrival_snapshot(
        entry, person, state.attributes.get("user_id")
    )
    minimum = timedelta(
        minutes=entry.options.get(CONF_MIN_ABSENCE, DEFAULT_MIN_ABSENCE)
    )
    away = (
        None if snapshot.away_since is None else dt_util.utcnow() - snapshot.away_since
    )
    wake: Wakeup | None = None
    if agent and (away is None or away >= minimum):
        wake = Wakeup(
            agent=agent,
            prompt=WELCOME_PROMPT.format(name=name),
            # Kinds and counts only: nothing in it came from outside.
            trust=Trust.TRUSTED,
            quoted={"arrival_snapshot": snapshot.as_text()},
        )
    elif agent:
        LOGGER.debug("%s was away for only %s: no welcome", name, away)
    try:
        await router.async_route_event(
            hass,
            entry=entry,
            source="presence",
            event_type="arrival",
            summary=f"{name} arrived home",
            user=person,
            significance=0,
            wake=wake,
        )
    except HomeAssistantError as err:
        LOGGER.warning("Could not welcome %s home: %s", name, err)
