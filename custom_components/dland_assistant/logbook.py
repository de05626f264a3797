"""Logbook entries for executions."""

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_EXECUTION_FINISHED, EVENT_EXECUTION_STARTED


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the started and finished events of executions."""

    @callback
    def _started(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: str(event.data.get("task_name") or "dland assistant"),
            LOGBOOK_ENTRY_MESSAGE: "started",
        }

    @callback
    def _finished(event: Event) -> dict[str, str]:
        data: dict[str, Any] = dict(event.data)
        # The outcome only: every user reads the logbook, errors may quote answers.
        message = str(data.get("status", "finished")).replace("_", " ")
        return {
            LOGBOOK_ENTRY_NAME: str(data.get("task_name") or "dland assistant"),
            LOGBOOK_ENTRY_MESSAGE: message,
        }

    async_describe_event(DOMAIN, EVENT_EXECUTION_STARTED, _started)
    async_describe_event(DOMAIN, EVENT_EXECUTION_FINISHED, _finished)
