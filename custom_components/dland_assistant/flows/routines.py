"""Heartbeat routines: a schedule, an agent, a prompt and what it gathers."""

from typing import Any, override

import voluptuous as vol

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector

from ..const import (
    CHANNELS,
    CONF_AGENT,
    CONF_BUILTIN,
    CONF_CALENDARS,
    CONF_CRON,
    CONF_DELIVER,
    CONF_ENABLED,
    CONF_GATHERERS,
    CONF_INTERVAL,
    CONF_MISSED_RUN_POLICY,
    CONF_NOTIFY_TARGET,
    CONF_ONLY_WHEN_NEEDED,
    CONF_PLATFORM,
    CONF_PROMPT,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_RETRY_ATTEMPTS,
    CONF_SCHEDULE,
    CONF_TIME,
    CONF_TODO_LISTS,
    CONF_USER,
    MAX_RETRY_ATTEMPTS,
    SCHEDULE_CRON,
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
    SCHEDULES,
)
from ..engine.cron import MAX_CRON_LENGTH, is_valid_cron
from ..heartbeat.gatherers import GATHERERS
from ..models import MissedRunPolicy
from .form import (
    TitledSubentryFlow,
    is_unknown_agent,
    number_field,
)


def _routine_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_NAME): selector.TextSelector(),
            vol.Required(CONF_ENABLED, default=True): selector.BooleanSelector(),
            vol.Required(
                CONF_SCHEDULE, default=SCHEDULE_INTERVAL
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(SCHEDULES), translation_key=CONF_SCHEDULE
                )
            ),
            vol.Optional(CONF_INTERVAL): vol.All(
                number_field(1, 10080, "min"), vol.Coerce(int)
            ),
            vol.Optional(CONF_TIME): selector.TimeSelector(),
            vol.Optional(CONF_CRON): selector.TextSelector(),
            vol.Required(
                CONF_MISSED_RUN_POLICY, default=MissedRunPolicy.RUN_ONCE
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(MissedRunPolicy),
                    translation_key=CONF_MISSED_RUN_POLICY,
                )
            ),
            vol.Optional(CONF_AGENT): selector.TextSelector(),
            vol.Optional(CONF_PROMPT): selector.TemplateSelector(),
            vol.Optional(CONF_GATHERERS): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(GATHERERS),
                    multiple=True,
                    translation_key=CONF_GATHERERS,
                )
            ),
            vol.Optional(CONF_CALENDARS): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="calendar", multiple=True)
            ),
            vol.Optional(CONF_TODO_LISTS): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="todo", multiple=True)
            ),
            vol.Optional(CONF_USER): selector.EntitySelector(
                selector.EntitySelectorConfig(domain="person")
            ),
            vol.Optional(CONF_PLATFORM): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(CHANNELS), translation_key="channel"
                )
            ),
            vol.Optional(CONF_NOTIFY_TARGET): selector.TextSelector(),
            vol.Required(CONF_DELIVER, default=True): selector.BooleanSelector(),
            vol.Required(
                CONF_ONLY_WHEN_NEEDED, default=False
            ): selector.BooleanSelector(),
            vol.Optional(CONF_RETRY_ATTEMPTS): vol.All(
                number_field(1, MAX_RETRY_ATTEMPTS), vol.Coerce(int)
            ),
            vol.Optional(CONF_QUIET_START): selector.TimeSelector(),
            vol.Optional(CONF_QUIET_END): selector.TimeSelector(),
        }
    )


class RoutineSubentryFlow(TitledSubentryFlow):
    """Add or edit a heartbeat routine."""

    @override
    def _schema(self) -> vol.Schema:
        return _routine_schema()

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        errors: dict[str, str] = {}
        schedule = data.get(CONF_SCHEDULE, SCHEDULE_INTERVAL)
        if schedule == SCHEDULE_INTERVAL and not data.get(CONF_INTERVAL):
            errors[CONF_INTERVAL] = "interval_required"
        elif schedule == SCHEDULE_DAILY and not data.get(CONF_TIME):
            errors[CONF_TIME] = "time_required"
        elif schedule == SCHEDULE_CRON and (
            len(data.get(CONF_CRON, "")) > MAX_CRON_LENGTH
        ):
            errors[CONF_CRON] = "cron_too_long"
        elif schedule == SCHEDULE_CRON and not is_valid_cron(data.get(CONF_CRON, "")):
            errors[CONF_CRON] = "invalid_cron"
        if is_unknown_agent(self.hass, self._get_entry(), data.get(CONF_AGENT)):
            errors[CONF_AGENT] = "unknown_agent"
        if bool(data.get(CONF_QUIET_START)) != bool(data.get(CONF_QUIET_END)):
            errors[CONF_QUIET_END] = "quiet_hours_incomplete"
        return errors

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = dict(data)
        if self.source == SOURCE_RECONFIGURE:
            # Editing keeps what makes a built-in routine built in.
            builtin = self._get_reconfigure_subentry().data.get(CONF_BUILTIN)
            if builtin:
                data[CONF_BUILTIN] = builtin
        return data.pop(CONF_NAME).strip() or "Routine", data
