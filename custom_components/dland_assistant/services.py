"""Services of dland_assistant: scheduling, steering and reading tasks."""

from collections.abc import Callable, Coroutine
import json
from typing import Any

import voluptuous as vol

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service

from . import memory, task_manager
from .const import (
    CONF_ENABLED,
    DOMAIN,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_RETRY_ATTEMPTS,
)
from .errors import guard_store, invalid
from .heartbeat import audit
from .identity import async_caller
from .models import (
    Execution,
    ExecutionStatus,
    MissedRunPolicy,
    Task,
    TaskAction,
    TaskStatus,
)
from .moments.rules import MOMENT_FIELDS, moment_from_request
from .personas import agent_display_name
from .runtime import DlandConfigEntry, loaded_entry
from .sources import wakeup
from .subentries import Routine, find_routine

SERVICE_SCHEDULE_TASK = "schedule_task"
SERVICE_UPDATE_TASK = "update_task"
SERVICE_CANCEL_TASK = "cancel_task"
SERVICE_RUN_TASK = "run_task"
SERVICE_SET_TASK_ENABLED = "set_task_enabled"
SERVICE_LIST_TASKS = "list_tasks"
SERVICE_GET_EXECUTIONS = "get_executions"
SERVICE_WAKEUP = "wakeup"
SERVICE_RUN_ROUTINE = "run_routine"
SERVICE_SET_ROUTINE_ENABLED = "set_routine_enabled"
SERVICE_LIST_FACTS = "list_facts"
SERVICE_FORGET_FACT = "forget_fact"
SERVICE_GET_AUDITS = "get_audits"

ATTR_TASK_ID = "task_id"
MAX_EXECUTIONS = 1000
# Ids that are only looked up: longer ones cannot exist.
_ID = vol.All(cv.string, vol.Length(max=MAX_ID_LENGTH))


def _time_period(value: Any) -> Any:
    """cv.time_period, refusing (not crashing on) durations timedelta cannot hold."""
    try:
        return cv.time_period(value)
    except OverflowError as err:
        raise vol.Invalid(f"duration out of range: {err}") from err


ATTR_WHEN = "when"
SCHEDULE_TASK_SCHEMA = vol.Schema(
    {
        vol.Optional("agent"): cv.string,
        vol.Required("prompt"): cv.string,
        vol.Optional("at"): cv.datetime,
        vol.Optional("in"): _time_period,
        vol.Optional("cron"): cv.string,
        vol.Optional("name"): vol.All(cv.string, vol.Length(max=MAX_NAME_LENGTH)),
        vol.Optional("user"): cv.string,
        vol.Optional("platform"): cv.string,
        vol.Optional("timeout"): vol.All(
            vol.Coerce(float), vol.Range(min=1, max=86400)
        ),
        vol.Optional("missed_run_policy"): vol.Coerce(MissedRunPolicy),
        vol.Optional("enabled", default=True): cv.boolean,
        vol.Optional("deliver"): cv.boolean,
        vol.Optional("action", default=TaskAction.AGENT): vol.Coerce(TaskAction),
        vol.Optional("retry_attempts"): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_RETRY_ATTEMPTS)
        ),
        vol.Optional("only_when_needed", default=False): cv.boolean,
        # Instead of a time: a moment (one trigger, checked by moments.rules),
        # between two times of day, until an expiry, once or every time.
        vol.Optional(ATTR_WHEN): vol.Any(dict, list),
        vol.Optional("after"): cv.time,
        vol.Optional("before"): cv.time,
        vol.Optional("until"): cv.datetime,
        vol.Optional("every_time"): cv.boolean,
        vol.Optional("cooldown"): _time_period,
    }
)
TASK_ID_SCHEMA = vol.Schema({vol.Required(ATTR_TASK_ID): _ID})
# An edit names what changes; the rest stays (no defaults, unlike schedule_task).
UPDATE_TASK_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_TASK_ID): _ID,
        **{
            vol.Optional(str(key)): value
            for key, value in SCHEDULE_TASK_SCHEMA.schema.items()
            if str(key) != "enabled"
        },
    }
)
SET_TASK_ENABLED_SCHEMA = TASK_ID_SCHEMA.extend({vol.Required("enabled"): cv.boolean})
LIST_TASKS_SCHEMA = vol.Schema(
    {vol.Optional("status"): vol.All(cv.ensure_list, [vol.Coerce(TaskStatus)])}
)
GET_EXECUTIONS_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_TASK_ID): _ID,
        vol.Optional("status"): vol.Coerce(ExecutionStatus),
        vol.Optional("limit", default=50): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_EXECUTIONS)
        ),
        vol.Optional("routine"): _ID,
    }
)
RUN_ROUTINE_SCHEMA = vol.Schema({vol.Required("routine"): _ID})
SET_ROUTINE_ENABLED_SCHEMA = RUN_ROUTINE_SCHEMA.extend(
    {vol.Required("enabled"): cv.boolean}
)
LIST_FACTS_SCHEMA = vol.Schema(
    {
        vol.Optional("query"): vol.All(cv.string, vol.Length(max=MAX_NAME_LENGTH)),
        vol.Optional("limit", default=20): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=500)
        ),
    }
)
FORGET_FACT_SCHEMA = vol.Schema({vol.Required("fact_id"): _ID})
GET_AUDITS_SCHEMA = vol.Schema(
    {vol.Optional("limit", default=24): vol.All(vol.Coerce(int), vol.Range(1, 500))}
)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def task_as_dict(
    task: Task, agent_name: str | None = None, schedule_text: str | None = None
) -> dict[str, Any]:
    """Return a task as service response data."""
    return {
        "task_id": task.task_id,
        "name": task.name,
        "agent": agent_name or task.agent,
        "agent_id": task.agent,
        "action": task.action.value,
        "deliver": task.deliver,
        "prompt": task.prompt,
        "user": task.user,
        "platform": task.platform,
        "kind": task.kind.value,
        "cron": task.cron,
        # A moment task: the trigger it waits for, its window, expiry and repeat.
        "moment": None if task.moment is None else json.loads(task.moment.to_json()),
        # The schedule in words, in Home Assistant's language.
        "schedule_text": schedule_text,
        "time_zone": task.time_zone,
        "next_run": _iso(task.next_run),
        "enabled": task.enabled,
        "status": task.status.value,
        "missed_run_policy": task.missed_run_policy.value,
        "timeout": task.timeout,
        "last_run": _iso(task.last_run),
        "last_status": None if task.last_status is None else task.last_status.value,
        "owner": task.owner,
        "trust": task.trust.value,
        # None: the options' retry policy.
        "retry_attempts": task.max_attempts,
        "only_when_needed": task.only_when_needed,
        # Failed attempts of the current run, and failed runs in a row.
        "attempt": task.attempt,
        "failures": task.failures,
    }


def execution_as_dict(execution: Execution) -> dict[str, Any]:
    """Return an execution as service response data."""
    return {
        "execution_id": execution.execution_id,
        "task_id": execution.task_id,
        "source": execution.source.value,
        "origin": execution.origin,
        "routine": execution.routine,
        "status": execution.status.value,
        "started": _iso(execution.started),
        "finished": _iso(execution.finished),
        "error": execution.error,
        "response": execution.response,
        "conversation_id": execution.conversation_id,
        "owner": execution.owner,
        "trust": execution.trust.value,
        "attempt": execution.attempt,
        "next_attempt": _iso(execution.next_attempt),
        "acting_user": execution.acting_user,
        "tool_calls": execution.tool_calls,
        "delivery": (
            None
            if execution.delivery_status is None
            else {
                "channel": execution.delivery_channel,
                "target": execution.delivery_target,
                "status": execution.delivery_status.value,
                "error": execution.delivery_error,
            }
        ),
    }


async def _async_schedule_task(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    data = call.data
    caller = await async_caller(call.hass, call.context)
    moment = None
    if ATTR_WHEN in data:
        moment = moment_from_request(
            data[ATTR_WHEN],
            after=data.get("after"),
            before=data.get("before"),
            until=data.get("until"),
            every_time=data.get("every_time", False),
            cooldown=data.get("cooldown"),
        )
    elif given := [field for field in MOMENT_FIELDS if field in data]:
        raise invalid("moment_needs_when", fields=", ".join(given))
    task = await task_manager.async_schedule_task(
        call.hass,
        entry,
        task_manager.ScheduleRequest(
            prompt=data["prompt"],
            caller=caller,
            agent=data.get("agent"),
            at=data.get("at"),
            delay=data.get("in"),
            cron=data.get("cron"),
            moment=moment,
            name=data.get("name"),
            # Who gets the result; it names only that (see identity.async_owner).
            user=data.get("user") or caller.person_user,
            platform=data.get("platform") or None,  # empty: the default channel
            timeout=data.get("timeout"),
            missed_run_policy=data.get("missed_run_policy", MissedRunPolicy.RUN_ONCE),
            enabled=data["enabled"],
            deliver=data.get("deliver"),
            action=data["action"],
            retry_attempts=data.get("retry_attempts"),
            only_when_needed=data["only_when_needed"],
        ),
    )
    return {"task_id": task.task_id, "next_run": _iso(task.next_run)}


async def _async_update_task(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    caller = await async_caller(call.hass, call.context)
    changes = {key: value for key, value in call.data.items() if key != ATTR_TASK_ID}
    task = await task_manager.async_update_task(
        call.hass, entry, call.data[ATTR_TASK_ID], caller, changes
    )
    return {"task_id": task.task_id, "next_run": _iso(task.next_run)}


async def _async_cancel_task(call: ServiceCall, entry: DlandConfigEntry) -> None:
    caller = await async_caller(call.hass, call.context)
    await task_manager.async_cancel_task(
        call.hass, entry, call.data[ATTR_TASK_ID], caller
    )


async def _async_run_task(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    caller = await async_caller(call.hass, call.context)
    execution_id = await task_manager.async_run_task(
        call.hass, entry, call.data[ATTR_TASK_ID], caller
    )
    return {"execution_id": execution_id}


async def _async_set_task_enabled(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    caller = await async_caller(call.hass, call.context)
    task = await task_manager.async_set_task_enabled(
        call.hass, entry, call.data[ATTR_TASK_ID], call.data["enabled"], caller
    )
    return {
        "task_id": task.task_id,
        "enabled": task.enabled,
        "next_run": _iso(task.next_run),
    }


async def _async_list_tasks(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    caller = await async_caller(call.hass, call.context)
    tasks = await task_manager.async_list_tasks(
        call.hass, entry, caller, call.data.get("status")
    )
    words = entry.runtime_data.schedule_texts.default
    return {
        "tasks": [
            task_as_dict(task, agent_display_name(entry, task.agent), words.task(task))
            for task in tasks
        ]
    }


async def _async_get_executions(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    routine_id = None
    if "routine" in call.data:
        routine_id = _routine(entry, call.data["routine"]).routine_id
    executions = await task_manager.async_get_executions(
        call.hass,
        entry,
        await async_caller(call.hass, call.context),
        task_id=call.data.get(ATTR_TASK_ID),
        status=call.data.get("status"),
        limit=call.data["limit"],
        routine=routine_id,
    )
    return {"executions": [execution_as_dict(e) for e in executions]}


def _routine(entry: DlandConfigEntry, reference: str) -> Routine:
    if (routine := find_routine(entry, reference)) is None:
        raise invalid("unknown_routine", routine=reference)
    return routine


async def _async_run_routine(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    routine = _routine(entry, call.data["routine"])
    outcome = await guard_store(
        entry.runtime_data.heartbeats.async_trigger(routine.routine_id, manual=True)
    )
    return {"execution_id": outcome.execution_id, "skipped": outcome.skipped}


async def _async_set_routine_enabled(
    call: ServiceCall, entry: DlandConfigEntry
) -> None:
    routine = _routine(entry, call.data["routine"])
    subentry = entry.subentries[routine.routine_id]
    call.hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, CONF_ENABLED: call.data["enabled"]}
    )


async def _async_list_facts(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    store = entry.runtime_data.store
    facts = await guard_store(
        memory.async_search(store, call.data.get("query"), call.data["limit"])
    )
    return {"facts": [fact.as_dict() for fact in facts]}


async def _async_forget_fact(call: ServiceCall, entry: DlandConfigEntry) -> None:
    store = entry.runtime_data.store
    fact_id = call.data["fact_id"]
    if not await guard_store(memory.async_forget(store, fact_id)):
        raise invalid("unknown_fact", fact_id=fact_id)


async def _async_get_audits(
    call: ServiceCall, entry: DlandConfigEntry
) -> ServiceResponse:
    audits = await guard_store(
        audit.async_list_audits(entry.runtime_data.store, call.data["limit"])
    )
    return {"audits": audits}


async def _async_wakeup(call: ServiceCall, entry: DlandConfigEntry) -> ServiceResponse:
    data = dict(call.data)
    # Overloaded is a translated error of its own: it reaches the caller as it is.
    result = await wakeup.async_wakeup(
        call.hass,
        entry,
        wakeup.wakeup_from_fields(data),
        "service",
        await async_caller(call.hass, call.context),
    )
    if not data["wait"]:
        return {"execution_id": result.execution_id}
    execution = await wakeup.async_result(entry, result)
    return {
        "execution_id": execution.execution_id,
        "status": execution.status.value,
        "response": execution.response,
        "error": execution.error,
    }


WAKEUP_SCHEMA = vol.Schema(
    {
        vol.Required("agent"): cv.string,
        vol.Required("prompt"): cv.string,
        vol.Optional("user"): cv.string,
        vol.Optional("platform"): cv.string,
        vol.Optional("context"): dict,
        vol.Optional("wait", default=False): cv.boolean,
        vol.Optional("deliver"): cv.boolean,
    }
)


type _Handler = Callable[
    [ServiceCall, DlandConfigEntry], Coroutine[Any, Any, ServiceResponse | None]
]


def _with_entry(
    handler: _Handler,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse | None]]:
    """Resolve the loaded entry once per call and hand it to the handler."""

    async def handle(call: ServiceCall) -> ServiceResponse | None:
        return await handler(call, loaded_entry(call.hass))

    return handle


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services."""
    register = hass.services.async_register
    register(
        DOMAIN,
        SERVICE_WAKEUP,
        _with_entry(_async_wakeup),
        schema=WAKEUP_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(
        DOMAIN,
        SERVICE_SCHEDULE_TASK,
        _with_entry(_async_schedule_task),
        schema=SCHEDULE_TASK_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(
        DOMAIN,
        SERVICE_UPDATE_TASK,
        _with_entry(_async_update_task),
        schema=UPDATE_TASK_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(
        DOMAIN,
        SERVICE_CANCEL_TASK,
        _with_entry(_async_cancel_task),
        schema=TASK_ID_SCHEMA,
    )
    register(
        DOMAIN,
        SERVICE_RUN_TASK,
        _with_entry(_async_run_task),
        schema=TASK_ID_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(
        DOMAIN,
        SERVICE_SET_TASK_ENABLED,
        _with_entry(_async_set_task_enabled),
        schema=SET_TASK_ENABLED_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    register(
        DOMAIN,
        SERVICE_LIST_TASKS,
        _with_entry(_async_list_tasks),
        schema=LIST_TASKS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    # Routines, memories and audits are the household's, not one user's: admins
    # only, as Home Assistant itself allows only admins to edit subentries.
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_RUN_ROUTINE,
        _with_entry(_async_run_routine),
        schema=RUN_ROUTINE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_SET_ROUTINE_ENABLED,
        _with_entry(_async_set_routine_enabled),
        schema=SET_ROUTINE_ENABLED_SCHEMA,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_LIST_FACTS,
        _with_entry(_async_list_facts),
        schema=LIST_FACTS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_FORGET_FACT,
        _with_entry(_async_forget_fact),
        schema=FORGET_FACT_SCHEMA,
    )
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_GET_AUDITS,
        _with_entry(_async_get_audits),
        schema=GET_AUDITS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    register(
        DOMAIN,
        SERVICE_GET_EXECUTIONS,
        _with_entry(_async_get_executions),
        schema=GET_EXECUTIONS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
