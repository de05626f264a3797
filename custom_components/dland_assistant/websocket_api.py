"""Websocket API for the dashboard card: a live view of tasks, routines and runs."""

from datetime import timedelta
from typing import Any

import voluptuous as vol

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util

from . import task_manager
from .const import CHANNELS, DOMAIN, MAX_ID_LENGTH
from .coordinator import Overview, local_time
from .engine.cron import next_cron_run
from .errors import guard_store, invalid
from .identity import Caller
from .items import routine_attributes, task_attributes
from .models import Execution, ExecutionStatus, Moment
from .moments.rules import MOMENT_FIELDS, ZONE_HOME, moment_from_request
from .personas import agent_display_name, personas
from .runtime import DlandConfigEntry, loaded_entry
from .schedule_text import ScheduleText
from .services import execution_as_dict

PREVIEW = 200
# Run times a schedule preview lists.
PREVIEW_RUNS = 5


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the card's commands."""
    async_register_command(hass, websocket_subscribe)
    async_register_command(hass, websocket_preview_schedule)
    async_register_command(hass, websocket_execution)


def _execution(overview: Overview, execution: Execution, name: str) -> dict[str, Any]:
    if not name and execution.routine in overview.routines:
        name = overview.routines[execution.routine].name
    duration = (
        (execution.finished - execution.started).total_seconds()
        if execution.finished
        else None
    )
    response = execution.response or ""
    return {
        "execution_id": execution.execution_id,
        "name": name or f"Wakeup ({execution.origin or 'api'})",
        "status": execution.status.value,
        "started": local_time(execution.started),
        "duration": duration,
        "error": execution.error,
        "response": response[:PREVIEW] + ("…" if len(response) > PREVIEW else ""),
        "task_id": execution.task_id,
        "routine": execution.routine,
        "attempt": execution.attempt,
        "next_attempt": (
            local_time(execution.next_attempt) if execution.next_attempt else None
        ),
    }


def _moment_form(moment: Moment | None) -> dict[str, Any] | None:
    """Return a moment as the editor fills its fields (times of day, local expiry)."""
    if moment is None:
        return None
    return {
        "trigger": moment.trigger,
        "after": f"{moment.after:%H:%M}" if moment.after else "",
        "before": f"{moment.before:%H:%M}" if moment.before else "",
        "until": (
            f"{dt_util.as_local(moment.until):%Y-%m-%dT%H:%M}" if moment.until else ""
        ),
        "every_time": moment.every_time,
        "cooldown": moment.cooldown.total_seconds() / 60,
    }


def view(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    caller: Caller,
    words: ScheduleText | None = None,
) -> dict[str, Any]:
    """Return what the card shows ``caller``, schedules said in ``words``.

    An admin sees everything; anyone else their own tasks and runs (routines are
    the household's, an admin's to steer). Without ``words``, schedules are said
    in Home Assistant's language.
    """
    words = words or entry.runtime_data.schedule_texts.default
    coordinator = entry.runtime_data.coordinator
    overview = coordinator.data
    breaker = entry.runtime_data.scheduler.breaker
    recent = [
        (execution, name)
        for execution, name in overview.recent
        if caller.may_see(execution.owner)
    ]
    if caller.is_admin:
        running, failed = overview.running, overview.failed_24h
    else:
        # Counted over the caller's recent runs: the totals are the household's.
        since = dt_util.utcnow() - timedelta(hours=24)
        running = sum(e.status is ExecutionStatus.IN_PROGRESS for e, _ in recent)
        failed = sum(
            e.status is ExecutionStatus.FAILED and e.started >= since for e, _ in recent
        )
    return {
        "admin": caller.is_admin,
        # Routines are edited through Home Assistant's own subentry flow.
        "entry_id": entry.entry_id if caller.is_admin else None,
        "tasks": [
            {
                "name": task.name,
                **task_attributes(hass, entry, task),
                # In the caller's language, which may not be the home's.
                "schedule": words.task(task),
                "enabled": task.enabled,
                # What the editor fills its form with (the caller's own tasks).
                "form": {
                    "prompt": task.prompt,
                    "kind": task.kind.value,
                    "action": task.action.value,
                    "agent": agent_display_name(entry, task.agent),
                    "user": task.user,
                    "platform": task.platform,
                    "missed_run_policy": task.missed_run_policy.value,
                    "retry_attempts": task.max_attempts,
                    "only_when_needed": task.only_when_needed,
                    "moment": _moment_form(task.moment),
                },
            }
            for task in overview.tasks
            if caller.may_see(task.owner)
        ],
        "choices": {
            "agents": sorted(persona.name for persona in personas(entry).values()),
            "people": sorted(
                (
                    {"id": state.entity_id, "name": state.name}
                    for state in hass.states.async_all("person")
                ),
                key=lambda person: person["name"],
            ),
            "channels": list(CHANNELS),
            # Where a person may arrive or leave (a moment's zone).
            "zones": sorted(
                (
                    {"id": state.entity_id, "name": state.name}
                    for state in hass.states.async_all("zone")
                ),
                key=lambda zone: (zone["id"] != ZONE_HOME, zone["name"]),
            ),
        },
        "routines": [
            {
                "name": routine.name,
                "enabled": routine.enabled,
                **routine_attributes(hass, entry, overview, routine_id),
                "schedule": words.routine(routine.data),
                # What the editor fills its form with (admins only see routines).
                "form": dict(routine.data),
            }
            for routine_id, routine in overview.routines.items()
            if caller.is_admin
        ],
        "executions": [
            _execution(overview, execution, name) for execution, name in recent
        ],
        "breaker": {
            "state": breaker.state.value,
            "trips": breaker.trips,
            "agents": breaker.by_agent(),
        },
        "running": running,
        "failed_24h": failed,
    }


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/subscribe",
        # The card's user's language, for the schedules in words.
        vol.Optional("language"): vol.All(str, vol.Length(max=35)),
    }
)
@async_response
async def websocket_subscribe(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Send the view now and after every change, until unsubscribed."""
    entries: list[DlandConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    if not entries:
        connection.send_error(msg["id"], "not_loaded", "dland assistant is not loaded")
        return
    entry = entries[0]
    coordinator = entry.runtime_data.coordinator
    user = connection.user
    caller = Caller(
        user_id=user.id, is_admin=user.is_admin, system=user.system_generated
    )

    texts = entry.runtime_data.schedule_texts
    words = await texts.async_get(msg["language"]) if "language" in msg else None

    @callback
    def _send() -> None:
        connection.send_message(
            event_message(msg["id"], view(hass, entry, caller, words))
        )

    connection.subscriptions[msg["id"]] = coordinator.async_add_listener(_send)
    connection.send_result(msg["id"])
    _send()


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/preview_schedule",
        vol.Exclusive("cron", "when"): vol.All(str, vol.Length(max=1000)),
        vol.Exclusive("in", "when"): cv.positive_time_period_dict,
        vol.Exclusive("at", "when"): cv.datetime,
        # A moment: its trigger, window, expiry and repeat, as schedule_task takes.
        vol.Exclusive("when", "when"): vol.Any(dict, list),
        vol.Optional("after"): cv.time,
        vol.Optional("before"): cv.time,
        vol.Optional("until"): cv.datetime,
        vol.Optional("every_time"): cv.boolean,
        vol.Optional("cooldown"): cv.positive_time_period_dict,
        vol.Optional("language"): vol.All(str, vol.Length(max=35)),
    }
)
@async_response
async def websocket_preview_schedule(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Say a schedule being typed in words, with its next runs; store nothing.

    The same checks as ``schedule_task``: an invalid one is the same translated
    error, so the editor shows it at the field before anything is saved.
    """
    entry = loaded_entry(hass)
    texts = entry.runtime_data.schedule_texts
    words = await texts.async_get(msg.get("language") or hass.config.language)
    if "when" in msg:
        moment = moment_from_request(
            msg["when"], **{key: msg[key] for key in MOMENT_FIELDS if key in msg}
        )
        assert words.moments is not None
        # A moment has no run times: it waits for what happens.
        result = {"schedule_text": words.moments.schedule(moment), "next_runs": []}
        connection.send_result(msg["id"], result)
        return
    if given := [key for key in MOMENT_FIELDS if key in msg]:
        raise invalid("moment_needs_when", fields=", ".join(given))
    user = connection.user
    request = task_manager.ScheduleRequest(
        prompt="",
        caller=Caller(user_id=user.id, is_admin=user.is_admin),
        at=msg.get("at"),
        delay=msg.get("in"),
        cron=msg.get("cron"),
    )
    now = dt_util.utcnow()
    _kind, first = task_manager.first_run(hass, request, now)
    assert first is not None  # a moment was answered above
    runs = [first]
    cron = request.cron
    while cron is not None and len(runs) < PREVIEW_RUNS:
        following = next_cron_run(cron, hass.config.time_zone, runs[-1])
        if following is None:
            break
        runs.append(following)
    connection.send_result(
        msg["id"],
        {
            "schedule_text": words.cron(cron) if cron else words.once(),
            "next_runs": [local_time(run) for run in runs],
        },
    )


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/execution",
        vol.Required("execution_id"): vol.All(str, vol.Length(max=MAX_ID_LENGTH)),
    }
)
@async_response
async def websocket_execution(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Return all of one run, tool call by tool call.

    Its answer, error, who it acted as, its attempts, where the result went, and
    the tools its agent called. Somebody else's run does not exist for a user
    who is not an admin.
    """
    entry = loaded_entry(hass)
    user = connection.user
    caller = Caller(user_id=user.id, is_admin=user.is_admin)
    store = entry.runtime_data.store
    execution = await guard_store(store.async_get_execution(msg["execution_id"]))
    if execution is None or not caller.may_see(execution.owner):
        raise invalid("unknown_execution", execution_id=msg["execution_id"])
    name = ""
    if execution.task_id is not None:
        task = await guard_store(store.async_get_task(execution.task_id))
        name = task.name if task else ""
    acting = (
        await hass.auth.async_get_user(execution.acting_user)
        if execution.acting_user
        else None
    )
    details = execution_as_dict(execution)
    details |= {
        "name": _execution(entry.runtime_data.coordinator.data, execution, name)[
            "name"
        ],
        "acting_user_name": acting.name if acting else None,
        "started": local_time(execution.started),
        "finished": local_time(execution.finished),
        "next_attempt": local_time(execution.next_attempt),
    }
    connection.send_result(msg["id"], details)
