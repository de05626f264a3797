"""What a moment may be, and whether a state change is one.

A moment is one trigger in Home Assistant's own format (``state``,
``numeric_state`` or ``zone``; nothing that runs templates), checked by this
integration rather than by Home Assistant's trigger machinery so that start-up
is never an occurrence: a change counts only from one real state to another
(not from or to ``unknown`` or ``unavailable``, and not a state restored at
start-up).
"""

from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

import voluptuous as vol

from homeassistant.components.zone import in_zone
from homeassistant.const import (
    ATTR_GPS_ACCURACY,
    ATTR_LATITUDE,
    ATTR_LONGITUDE,
    STATE_HOME,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from ..errors import invalid
from ..models import Moment

ZONE_HOME = "zone.home"
# What a device is in while it works; "done" is leaving one of them.
BUSY_STATES = (
    "on",
    "running",
    "washing",
    "drying",
    "rinsing",
    "spinning",
    "heating",
    "cleaning",
    "busy",
    "active",
)
# The longest a moment may wait, and the cooldown's bounds (every-time moments).
MAX_WAIT = timedelta(days=366)
MIN_COOLDOWN = timedelta(minutes=1)
MAX_COOLDOWN = timedelta(days=7)
DEFAULT_COOLDOWN = timedelta(minutes=10)
# What only a moment task has, besides its trigger.
MOMENT_FIELDS = ("after", "before", "until", "every_time", "cooldown")
_NOT_REAL = (STATE_UNKNOWN, STATE_UNAVAILABLE)
_STATES = vol.All(cv.ensure_list, [vol.All(cv.string, vol.Length(max=255))])


def _one_entity(domains: list[str] | None = None) -> Any:
    """One entity id, also when given as a list of one (the trigger selector's)."""
    check = cv.entity_domain(domains) if domains else cv.entity_id

    def validate(value: Any) -> str:
        if isinstance(value, list):
            if len(value) != 1:
                raise vol.Invalid("a moment watches exactly one entity")
            value = value[0]
        return str(check(value))

    return validate


_STATE = vol.Schema(
    {
        vol.Required("trigger"): "state",
        vol.Required("entity_id"): _one_entity(),
        vol.Optional("from"): _STATES,
        vol.Optional("to"): _STATES,
    }
)
_NUMERIC_STATE = vol.All(
    vol.Schema(
        {
            vol.Required("trigger"): "numeric_state",
            vol.Required("entity_id"): _one_entity(),
            vol.Optional("above"): vol.Coerce(float),
            vol.Optional("below"): vol.Coerce(float),
        }
    ),
    cv.has_at_least_one_key("above", "below"),
)
_ZONE = vol.Schema(
    {
        vol.Required("trigger"): "zone",
        vol.Required("entity_id"): _one_entity(["person", "device_tracker"]),
        vol.Optional("zone", default=ZONE_HOME): _one_entity(["zone"]),
        vol.Required("event"): vol.In(["enter", "leave"]),
    }
)
# By trigger: each says precisely what is wrong with its own kind.
TRIGGER_SCHEMAS: dict[str, Callable[[Any], Any]] = {
    "state": _STATE,
    "numeric_state": _NUMERIC_STATE,
    "zone": _ZONE,
}


def trigger_config(value: Any) -> dict[str, Any]:
    """Return the one trigger a moment is, checked; raise vol.Invalid if not.

    Takes the trigger selector's list of one, and ``platform`` for ``trigger``.
    """
    if isinstance(value, list):
        if len(value) != 1:
            raise vol.Invalid("a moment is exactly one trigger")
        value = value[0]
    if not isinstance(value, Mapping):
        raise vol.Invalid("a moment is a trigger")
    config = {key: item for key, item in value.items() if key not in ("id", "alias")}
    if "platform" in config and "trigger" not in config:
        config["trigger"] = config.pop("platform")
    schema = TRIGGER_SCHEMAS.get(str(config.get("trigger")))
    if schema is None:
        raise vol.Invalid(
            f"a {config.get('trigger')} trigger cannot be watched, only "
            + ", ".join(TRIGGER_SCHEMAS)
        )
    checked: dict[str, Any] = schema(config)
    return checked


def moment_from_request(
    trigger: Any,
    *,
    after: time | None = None,
    before: time | None = None,
    until: datetime | None = None,
    every_time: bool = False,
    cooldown: timedelta | None = None,
) -> Moment:
    """Return the moment a request asks for, or raise a translated error."""
    now = dt_util.utcnow()
    try:
        config = trigger_config(trigger)
    except vol.Invalid as err:
        raise invalid("moment_invalid", error=str(err)) from err
    if until is not None:
        until = dt_util.as_utc(
            until
            if until.tzinfo
            else until.replace(tzinfo=dt_util.get_default_time_zone())
        )
        if until <= now:
            raise invalid("at_in_past", at=dt_util.as_local(until).isoformat())
        if until - now > MAX_WAIT:
            raise invalid("moment_too_far", days=MAX_WAIT.days)
    cooldown = DEFAULT_COOLDOWN if cooldown is None else cooldown
    if not MIN_COOLDOWN <= cooldown <= MAX_COOLDOWN:
        raise invalid(
            "moment_cooldown", minimum=1, maximum=int(MAX_COOLDOWN.days * 1440)
        )
    return Moment(config, after, before, until, every_time, cooldown)


def home_trigger(person: str, *, arrive: bool) -> dict[str, Any]:
    """Return the trigger of a person coming home (or leaving it)."""
    return {
        "trigger": "zone",
        "entity_id": person,
        "zone": ZONE_HOME,
        "event": "enter" if arrive else "leave",
    }


def person_of(hass: HomeAssistant, user_id: str | None) -> str:
    """Return the person entity of a user ("" when none)."""
    for state in hass.states.async_all("person"):
        if user_id is not None and state.attributes.get("user_id") == user_id:
            return state.entity_id
    return ""


def named_entity(hass: HomeAssistant, name: str) -> str | None:
    """Return the one entity with this name (case aside), None if none or several."""
    wanted = name.casefold().strip()
    found = [
        state.entity_id
        for state in hass.states.async_all()
        if state.name.casefold() == wanted
    ]
    return found[0] if len(found) == 1 else None


def device_done(entity_id: str) -> dict[str, Any]:
    """Return the trigger of a device being done: it leaves a busy state."""
    return {"trigger": "state", "entity_id": entity_id, "from": list(BUSY_STATES)}


def is_real(state: State | None) -> bool:
    """Return whether a state is real: not missing, unknown, unavailable, restored."""
    return (
        state is not None
        and state.state not in _NOT_REAL
        and not state.attributes.get("restored")
    )


def _number(state: State) -> float | None:
    try:
        return float(state.state)
    except ValueError:
        return None


def _in_zone(hass: HomeAssistant, zone: str, state: State) -> bool:
    if zone == ZONE_HOME and state.state == STATE_HOME:
        return True
    zone_state = hass.states.get(zone)
    if zone_state is None:
        return False
    if state.state == zone_state.name:
        return True
    latitude = state.attributes.get(ATTR_LATITUDE)
    longitude = state.attributes.get(ATTR_LONGITUDE)
    if not isinstance(latitude, float | int) or not isinstance(longitude, float | int):
        return False
    accuracy = state.attributes.get(ATTR_GPS_ACCURACY, 0)
    return in_zone(zone_state, latitude, longitude, accuracy or 0)


def occurs(
    hass: HomeAssistant, trigger: Mapping[str, Any], old: State, new: State
) -> bool:
    """Return whether a change between two real states is the trigger's moment."""
    kind = trigger["trigger"]
    if kind == "state":
        if old.state == new.state:
            return False
        if "from" in trigger and old.state not in trigger["from"]:
            return False
        return "to" not in trigger or new.state in trigger["to"]
    if kind == "numeric_state":
        before, after = _number(old), _number(new)
        if before is None or after is None:
            return False

        def inside(value: float) -> bool:
            return ("above" not in trigger or value > trigger["above"]) and (
                "below" not in trigger or value < trigger["below"]
            )

        return not inside(before) and inside(after)
    was, now_in = (
        _in_zone(hass, trigger["zone"], old),
        _in_zone(hass, trigger["zone"], new),
    )
    return (not was and now_in) if trigger["event"] == "enter" else (was and not now_in)


def in_window(moment: Moment, local: datetime) -> bool:
    """Return whether a local moment is within the moment's daily window."""
    clock = local.time()
    after, before = moment.after, moment.before
    if after is None and before is None:
        return True
    if after is not None and before is not None and after > before:
        return clock >= after or clock < before  # across midnight
    return (after is None or clock >= after) and (before is None or clock < before)
