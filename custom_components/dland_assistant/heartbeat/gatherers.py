"""Context gatherers: what a heartbeat routine tells its agent about the home.

Each gatherer returns plain data (no times of reading), so that two runs with the
same calendar, to-do lists, alerts and presence gather equal context and the second
can be skipped.
"""

from datetime import timedelta
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util.hass_dict import HassKey

from ..const import DOMAIN, LOGGER, OWN_NOTIFICATION_PREFIX

GATHER_CALENDAR = "calendar"
GATHER_TODO = "todo"
GATHER_ALERTS = "alerts"
GATHER_PRESENCE = "presence"
GATHERERS = (GATHER_CALENDAR, GATHER_TODO, GATHER_ALERTS, GATHER_PRESENCE)
CALENDAR_WINDOW = timedelta(hours=24)


class NotificationTracker:
    """Keeps the persistent notifications shown now (Home Assistant has no getter)."""

    def __init__(self) -> None:
        """Start with none."""
        self.current: dict[str, str] = {}

    @callback
    def async_updated(
        self,
        update_type: persistent_notification.UpdateType,
        notifications: dict[str, persistent_notification.Notification],
    ) -> None:
        """Follow an addition, change or dismissal."""
        for notification_id, notification in notifications.items():
            if notification_id.startswith(OWN_NOTIFICATION_PREFIX):
                continue
            if update_type is persistent_notification.UpdateType.REMOVED:
                self.current.pop(notification_id, None)
            else:
                title = notification.get("title") or ""
                message = notification["message"]
                self.current[notification_id] = (
                    f"{title}: {message}" if title else message
                )


DATA_NOTIFICATIONS: HassKey[NotificationTracker] = HassKey(f"{DOMAIN}_notifications")


@callback
def async_track_notifications(hass: HomeAssistant) -> None:
    """Follow persistent notifications for as long as Home Assistant runs."""
    tracker = hass.data[DATA_NOTIFICATIONS] = NotificationTracker()
    persistent_notification.async_register_callback(hass, tracker.async_updated)


async def _async_service_data(
    hass: HomeAssistant,
    domain: str,
    service: str,
    entity_ids: list[str],
    data: dict[str, Any],
) -> dict[str, Any]:
    """Call a data service on entities; a failing one is left out, not fatal."""
    result: dict[str, Any] = {}
    for entity_id in entity_ids:
        try:
            response = await hass.services.async_call(
                domain,
                service,
                data,
                target={"entity_id": entity_id},
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError as err:
            LOGGER.warning("%s.%s on %s failed: %s", domain, service, entity_id, err)
            continue
        if response and entity_id in response:
            result[entity_id] = response[entity_id]
    return result


async def async_calendar(hass: HomeAssistant, calendars: list[str]) -> list[Any]:
    """Return the events of the next 24 hours, per calendar."""
    responses = await _async_service_data(
        hass,
        "calendar",
        "get_events",
        calendars,
        {"duration": {"hours": CALENDAR_WINDOW.total_seconds() / 3600}},
    )
    events = [
        {
            "calendar": _name(hass, entity_id),
            "summary": event.get("summary"),
            "start": event.get("start"),
            "end": event.get("end"),
            **({"location": event["location"]} if event.get("location") else {}),
        }
        for entity_id, response in responses.items()
        for event in response.get("events", [])
    ]
    return sorted(events, key=lambda event: str(event["start"]))


async def async_todo(hass: HomeAssistant, lists: list[str]) -> list[Any]:
    """Return the open items of to-do lists."""
    responses = await _async_service_data(
        hass, "todo", "get_items", lists, {"status": ["needs_action"]}
    )
    return [
        {
            "list": _name(hass, entity_id),
            "item": item.get("summary"),
            **({"due": item["due"]} if item.get("due") else {}),
        }
        for entity_id, response in responses.items()
        for item in response.get("items", [])
    ]


def alerts(hass: HomeAssistant) -> list[str]:
    """Return what asks for attention: alerts, notifications, repairs, problems."""
    found = [
        f"Alert: {state.name}"
        for state in hass.states.async_all("alert")
        if state.state == STATE_ON
    ]
    found += [
        f"Problem: {state.name}"
        for state in hass.states.async_all("binary_sensor")
        if state.state == STATE_ON and state.attributes.get("device_class") == "problem"
    ]
    if (tracker := hass.data.get(DATA_NOTIFICATIONS)) is not None:
        found += [f"Notification: {text}" for text in tracker.current.values()]
    found += [
        f"Repair: {issue.domain} {issue.translation_key or issue.issue_id}"
        for issue in ir.async_get(hass).issues.values()
        if issue.active and issue.dismissed_version is None
    ]
    return sorted(found)


def presence(hass: HomeAssistant) -> dict[str, str]:
    """Return where each person is."""
    return {state.name: state.state for state in hass.states.async_all("person")}


async def async_gather(
    hass: HomeAssistant,
    gatherers: list[str],
    *,
    calendars: list[str],
    todo_lists: list[str],
) -> dict[str, Any]:
    """Run the chosen gatherers and return their data by name."""
    context: dict[str, Any] = {}
    if GATHER_CALENDAR in gatherers:
        context["calendar"] = await async_calendar(hass, calendars)
    if GATHER_TODO in gatherers:
        context["todo"] = await async_todo(hass, todo_lists)
    if GATHER_ALERTS in gatherers:
        context["alerts"] = alerts(hass)
    if GATHER_PRESENCE in gatherers:
        context["presence"] = presence(hass)
    return context


def _name(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    return state.name if state else entity_id
