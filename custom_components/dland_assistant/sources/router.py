"""The event router: every outside event is stored, and may wake an agent.

Stored events (source, type, user, summary, significance, time) feed arrival
snapshots and audits; they are pruned with the execution log.
"""

from dataclasses import dataclass, replace
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web
import voluptuous as vol

from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import Context, HomeAssistant
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .. import task_manager
from ..const import DOMAIN
from ..errors import invalid, store_failed
from ..identity import SYSTEM, Caller, async_caller, async_validate_recipient
from ..models import RoutedEvent, Trust
from ..runtime import DlandConfigEntry, loaded_entry
from ..store import QuotaExceeded, StoreError
from . import wakeup
from .http import JsonView, json_error

MAX_SUMMARY = 1000


@dataclass(frozen=True, slots=True)
class RouteResult:
    """What routing an event did."""

    event_id: str
    duplicate: bool
    execution_id: str | None = None


async def async_route_event(
    hass: HomeAssistant,
    *,
    source: str,
    event_type: str,
    summary: str,
    user: str | None = None,
    significance: int = 1,
    dedupe_key: str | None = None,
    wake: wakeup.Wakeup | None = None,
    caller: Caller = SYSTEM,
    entry: DlandConfigEntry | None = None,
) -> RouteResult:
    """Store an event and, when ``wake`` is given, wake its agent.

    A source passes its own ``entry``; without one, the loaded entry is looked up.

    The event's type and summary are added to the wakeup's quoted data. A duplicate
    (same dedupe key) is stored once and wakes nobody. Raises
    ServiceValidationError for a bad wakeup and Overloaded when agents are shed;
    the event is stored either way.
    """
    entry = entry or loaded_entry(hass)
    event = RoutedEvent(
        event_id=ulid_now(),
        source=source,
        type=event_type,
        user=user,
        summary=summary[:MAX_SUMMARY],
        significance=significance,
        time=dt_util.utcnow(),
        dedupe_key=f"{source}:{dedupe_key}" if dedupe_key else None,
    )
    try:
        added = await entry.runtime_data.store.async_add_event(event)
    except QuotaExceeded as err:
        raise invalid("event_quota", source=source, limit=err.limit) from err
    except StoreError as err:
        raise store_failed(err) from err
    if not added:
        return RouteResult(event.event_id, duplicate=True)
    if not wake:
        return RouteResult(event.event_id, duplicate=False)
    quoted = {"event": event_type, "summary": event.summary, **(wake.quoted or {})}
    # The event's user is a source's configured person, or was checked already.
    result = await wakeup.async_wakeup(
        hass,
        entry,
        replace(wake, quoted=quoted, recipient=wake.recipient or user),
        source,
        caller,
        check_recipient=False,
    )
    return RouteResult(
        event.event_id, duplicate=False, execution_id=result.execution_id
    )


HA_EVENT_FIELDS = vol.Schema(
    {
        # Blank text names nothing: refused, not stored.
        vol.Required("type"): vol.All(str, vol.Strip, vol.Length(min=1, max=100)),
        vol.Required("summary"): vol.All(
            str, vol.Strip, vol.Length(min=1, max=MAX_SUMMARY)
        ),
        vol.Optional("user"): str,
        vol.Optional("significance", default=1): vol.All(int, vol.Range(min=0, max=3)),
        # An empty id could not tell a replay from a new event.
        vol.Optional("id"): vol.All(str, vol.Length(min=1, max=200)),
        vol.Optional("agent"): str,
        vol.Optional("prompt"): str,
        vol.Optional("platform"): str,
        vol.Optional("context"): dict,
    }
)


class HomeAssistantEventView(JsonView):
    """``POST /api/events/ha``: events from other systems (token required)."""

    url = "/api/events/ha"
    name = f"api:{DOMAIN}:events:ha"
    requires_auth = True
    schema = HA_EVENT_FIELDS

    async def async_handle(
        self, hass: HomeAssistant, request: web.Request, data: dict[str, Any]
    ) -> web.Response:
        """Store the event; wake the named agent if there is one."""
        wake = None
        if "agent" in data or "prompt" in data:
            if "agent" not in data or "prompt" not in data:
                return json_error(
                    HTTPStatus.BAD_REQUEST,
                    "Give both agent and prompt to wake an agent",
                )
            # The event's text comes from another system: the run is outside.
            wake = wakeup.Wakeup(
                agent=data["agent"],
                prompt=data["prompt"],
                trust=Trust.OUTSIDE,
                quoted=data.get("context") or None,
                platform=data.get("platform") or None,
            )
        caller = await async_caller(hass, Context(user_id=request[KEY_HASS_USER].id))
        entry = loaded_entry(hass)
        task_manager.validate_ids(user=data.get("user"))
        recipient = await async_validate_recipient(
            hass, data.get("user") or caller.person_user
        )
        if wake is not None:
            # Refuse a bad wakeup before the event is stored: a 4xx writes nothing.
            wakeup.validate_wakeup(hass, entry, wake)
        result = await async_route_event(
            hass,
            entry=entry,
            source="home_assistant",
            event_type=data["type"],
            summary=data["summary"],
            user=recipient,
            significance=data["significance"],
            dedupe_key=data.get("id"),
            wake=wake,
            caller=caller,
        )
        body = {
            "event_id": result.event_id,
            "duplicate": result.duplicate,
            "execution_id": result.execution_id,
        }
        status = HTTPStatus.OK if result.duplicate else HTTPStatus.ACCEPTED
        return web.Response(
            text=json.dumps(body), status=status, content_type="application/json"
        )
