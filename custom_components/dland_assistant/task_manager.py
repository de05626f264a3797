"""Task operations shared by services and, later, tools and endpoints.

Every check happens before anything is written; a rejected request raises a
translated ServiceValidationError and changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .const import (
    CHANNELS,
    MAX_CONTEXT_BYTES,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PROMPT_BYTES,
    SIGNAL_TASKS_CHANGED,
)
from .engine.agent import async_understands
from .engine.cron import MAX_CRON_LENGTH, is_valid_cron, next_cron_run
from .engine.repairs import async_clear_task_issue
from .errors import guard_store, invalid, store_failed
from .identity import Caller, async_owner, async_validate_recipient
from .models import (
    Execution,
    ExecutionStatus,
    MissedRunPolicy,
    Moment,
    Task,
    TaskAction,
    TaskKind,
    TaskStatus,
    Trust,
)
from .moments.rules import MOMENT_FIELDS, moment_from_request
from .personas import resolve_agent
from .runtime import DlandConfigEntry, DlandRuntimeData
from .store import NewTask, QuotaExceeded, StoreError


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """A request to schedule a task, as given by a user (``caller``)."""

    prompt: str
    caller: Caller
    agent: str | None = None
    at: datetime | None = None
    delay: timedelta | None = None
    cron: str | None = None
    # Instead of a time: the moment it waits for (see moments.rules).
    moment: Moment | None = None
    name: str | None = None
    user: str | None = None
    platform: str | None = None
    timeout: float | None = None
    missed_run_policy: MissedRunPolicy = MissedRunPolicy.RUN_ONCE
    enabled: bool = True
    source: str = "service"
    deliver: bool | None = None
    action: TaskAction = TaskAction.AGENT
    trust: Trust = Trust.TRUSTED
    # None: the options' retry policy.
    retry_attempts: int | None = None
    only_when_needed: bool = False


def refuse_outside(runtime: DlandRuntimeData, caller: Caller) -> None:
    """Refuse new work asked for by an outside run (its read-only user)."""
    if caller.user_id == runtime.identities.outside:
        raise invalid("outside_cannot_schedule")


def validate_channel(platform: str | None) -> None:
    """Raise a translated error unless this is a delivery channel (or None)."""
    if platform is not None and platform not in CHANNELS:
        raise invalid("unknown_channel", channel=platform, known=", ".join(CHANNELS))


def validate_ids(**values: str | None) -> None:
    """Raise a translated error when a named id is longer than ids can be."""
    for field, value in values.items():
        if value is not None and len(value) > MAX_ID_LENGTH:
            raise invalid("field_too_long", field=field, limit=MAX_ID_LENGTH)


def validate_context(context: dict[str, Any] | None) -> None:
    """Raise a translated error when quoted context is over its size."""
    if not context:
        return
    try:
        size = len(json.dumps(context, default=str).encode())
    except (TypeError, ValueError, RecursionError) as err:
        raise invalid("context_invalid") from err
    if size > MAX_CONTEXT_BYTES:
        raise invalid("context_too_large", limit=MAX_CONTEXT_BYTES)


def validate_prompt(prompt: str) -> str:
    """Return the prompt stripped, or raise a translated error."""
    prompt = prompt.strip()
    if not prompt:
        raise invalid("prompt_empty")
    if len(prompt.encode()) > MAX_PROMPT_BYTES:
        raise invalid("prompt_too_long", limit=MAX_PROMPT_BYTES)
    return prompt


def first_run(
    hass: HomeAssistant, request: ScheduleRequest, now: datetime
) -> tuple[TaskKind, datetime | None]:
    """Return a request's kind and first run; a translated error if it has none.

    A moment task has no first run: it is due when its moment comes.
    """
    given = [
        v
        for v in (request.at, request.delay, request.cron, request.moment)
        if v is not None
    ]
    if len(given) != 1:
        raise invalid("schedule_conflict" if given else "schedule_missing")
    if request.moment is not None:
        return TaskKind.MOMENT, None
    if request.cron is not None:
        if len(request.cron) > MAX_CRON_LENGTH:
            raise invalid("cron_too_long", limit=MAX_CRON_LENGTH)
        if not is_valid_cron(request.cron):
            raise invalid("invalid_cron", cron=request.cron)
        first = next_cron_run(request.cron, hass.config.time_zone, now)
        if first is None:
            raise invalid("cron_never_runs", cron=request.cron)
        return TaskKind.CRON, first
    if request.delay is not None:
        if request.delay <= timedelta(0):
            raise invalid("delay_not_positive")
        try:
            return TaskKind.ONCE, now + request.delay
        except OverflowError as err:
            raise invalid("time_out_of_range") from err
    assert request.at is not None
    at = request.at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt_util.get_default_time_zone())
    try:
        at = dt_util.as_utc(at)
    except OverflowError as err:  # year 1 or 9999 shifted out of range
        raise invalid("time_out_of_range") from err
    if at <= now:
        raise invalid("at_in_past", at=dt_util.as_local(at).isoformat())
    return TaskKind.ONCE, at


async def _async_new_task(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    request: ScheduleRequest,
    *,
    schedule: tuple[TaskKind, datetime | None] | None = None,
    owner: str | None = None,
) -> NewTask:
    """Validate a request and return the task to store; a translated error if not.

    ``schedule`` keeps a task's schedule (an edit that does not change it);
    ``owner`` keeps a task's owner (an edit by an admin does not take it over).
    """
    runtime = entry.runtime_data
    refuse_outside(runtime, request.caller)
    validate_ids(agent=request.agent, user=request.user, platform=request.platform)
    prompt = validate_prompt(request.prompt)
    agent, persona = resolve_agent(hass, entry, request.agent or runtime.default_agent)
    validate_channel(request.platform)
    kind, first = schedule or first_run(hass, request, dt_util.utcnow())
    timeout = request.timeout
    if timeout is None:
        timeout = persona.timeout if persona else runtime.default_timeout
    deliver = request.deliver
    if deliver is None:
        deliver = persona.deliver if persona else True
    if timeout <= 0:
        raise invalid("timeout_not_positive")
    recipient = await async_validate_recipient(hass, request.user)
    if owner is None:
        owner = await async_owner(hass, request.caller, recipient, runtime.identities)
    conversation_agent = persona.conversation_agent if persona else agent
    if request.action is TaskAction.AGENT and not await async_understands(
        hass, conversation_agent, prompt, Context(user_id=owner)
    ):
        raise invalid("agent_cannot_understand", prompt=prompt[:100])
    name = (request.name or "").strip() or prompt.splitlines()[0]
    return NewTask(
        name=name[:MAX_NAME_LENGTH],
        agent=agent,
        prompt=prompt,
        kind=kind,
        next_run=first,
        timeout=timeout,
        missed_run_policy=request.missed_run_policy,
        source=request.source,
        user=recipient,
        platform=request.platform,
        cron=request.cron if kind is TaskKind.CRON else None,
        time_zone=hass.config.time_zone if kind is TaskKind.CRON else None,
        enabled=request.enabled,
        deliver=deliver,
        action=request.action,
        owner=owner,
        trust=request.trust,
        max_attempts=request.retry_attempts,
        only_when_needed=request.only_when_needed,
        moment=request.moment if kind is TaskKind.MOMENT else None,
    )


async def async_schedule_task(
    hass: HomeAssistant, entry: DlandConfigEntry, request: ScheduleRequest
) -> Task:
    """Validate and store a task, then let the engine know."""
    runtime = entry.runtime_data
    new = await _async_new_task(hass, entry, request)
    try:
        task = await runtime.store.async_add_task(new)
    except QuotaExceeded as err:
        raise invalid(err.key, limit=err.limit) from err
    except StoreError as err:
        raise store_failed(err) from err
    await _async_changed(hass, runtime, task.kind)
    return task


async def _async_changed(
    hass: HomeAssistant, runtime: DlandRuntimeData, *kinds: TaskKind
) -> None:
    """Let the engine, the moment watcher and the entities know tasks changed.

    ``kinds``: of the changed task, before and after. Moment tasks are watched
    again from the moment the caller hears of the change; other changes leave
    the watcher alone.
    """
    if TaskKind.MOMENT in kinds:
        await runtime.moments.async_reload()
    await runtime.scheduler.async_wake()
    async_dispatcher_send(hass, SIGNAL_TASKS_CHANGED)


# What an edit may change; "at", "in", "cron" and "when" replace the schedule.
EDITABLE = (
    "name",
    "prompt",
    "agent",
    "user",
    "platform",
    "timeout",
    "missed_run_policy",
    "deliver",
    "action",
    "retry_attempts",
    "only_when_needed",
)


async def async_update_task(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    task_id: str,
    caller: Caller,
    changes: dict[str, Any],
) -> Task:
    """Change a task that has not ended; it keeps its id, owner and history.

    The same checks as a new task: an invalid change is a translated error and
    changes nothing. Its failure count starts again.
    """
    runtime = entry.runtime_data
    refuse_outside(runtime, caller)
    task = await _async_existing_task(runtime, task_id, caller)
    if task.status not in (TaskStatus.SCHEDULED, TaskStatus.RUNNING):
        raise invalid("task_ended", task_id=task_id, status=task.status)
    current = {
        "name": task.name,
        "prompt": task.prompt,
        "agent": task.agent,
        "user": task.user,
        "platform": task.platform,
        "timeout": task.timeout,
        "missed_run_policy": task.missed_run_policy,
        "deliver": task.deliver,
        "action": task.action,
        "retry_attempts": task.max_attempts,
        "only_when_needed": task.only_when_needed,
    }
    wanted = current | {key: changes[key] for key in EDITABLE if key in changes}
    moment = _changed_moment(task, changes)
    rescheduled = moment is not None or any(
        key in changes for key in ("at", "in", "cron")
    )
    request = ScheduleRequest(
        caller=caller,
        at=changes.get("at"),
        delay=changes.get("in"),
        cron=changes.get("cron") if rescheduled else task.cron,
        moment=moment,
        enabled=task.enabled,
        source=task.source,
        # An edit does not launder what came from outside.
        trust=task.trust,
        **wanted,
    )
    new = await _async_new_task(
        hass,
        entry,
        request,
        schedule=None if rescheduled else (task.kind, task.next_run),
        owner=task.owner,
    )
    try:
        updated = await guard_store(runtime.store.async_update_task(task_id, new))
    except QuotaExceeded as err:
        raise invalid(err.key, limit=err.limit) from err
    if updated is None:
        raise invalid("task_ended", task_id=task_id, status=task.status)
    await _async_changed(hass, runtime, task.kind, updated.kind)
    return updated


def _changed_moment(task: Task, changes: dict[str, Any]) -> Moment | None:
    """Return the moment an edit asks for; None when it leaves the moment alone.

    A new ``when`` replaces the moment (what it leaves out takes its default);
    the window, expiry, repeat or cooldown alone change the task's own moment.
    """
    given = {key: changes[key] for key in MOMENT_FIELDS if key in changes}
    if "when" in changes:
        return moment_from_request(changes["when"], **given)
    if not given:
        return None
    if task.moment is None:
        raise invalid("moment_needs_when", fields=", ".join(given))
    current = task.moment
    return moment_from_request(
        current.trigger,
        **{
            "after": current.after,
            "before": current.before,
            "until": current.until,
            "every_time": current.every_time,
            "cooldown": current.cooldown,
        }
        | given,
    )


async def _async_existing_task(
    runtime: DlandRuntimeData, task_id: str, caller: Caller
) -> Task:
    """Return a task the caller may see; others' tasks do not exist for them."""
    task = await guard_store(runtime.store.async_get_task(task_id))
    if task is None or not caller.may_see(task.owner):
        raise invalid("unknown_task", task_id=task_id)
    return task


async def async_cancel_task(
    hass: HomeAssistant, entry: DlandConfigEntry, task_id: str, caller: Caller
) -> None:
    """Cancel a task, and its run in progress if there is one."""
    runtime = entry.runtime_data
    task = await _async_existing_task(runtime, task_id, caller)
    cancelled = await guard_store(runtime.store.async_cancel_task(task_id))
    if not cancelled:
        raise invalid("task_ended", task_id=task_id, status=task.status)
    runtime.scheduler.cancel_task_run(task_id)
    async_clear_task_issue(hass, task_id)
    await _async_changed(hass, runtime, task.kind)


async def async_run_task(
    hass: HomeAssistant, entry: DlandConfigEntry, task_id: str, caller: Caller
) -> str:
    """Run a task now; return the execution id."""
    runtime = entry.runtime_data
    refuse_outside(runtime, caller)
    task = await _async_existing_task(runtime, task_id, caller)
    claim = await guard_store(runtime.scheduler.async_run_now(task_id))
    if claim is None:
        raise invalid("task_not_runnable", task_id=task_id, status=task.status)
    return claim.execution_id


async def async_set_task_enabled(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    task_id: str,
    enabled: bool,
    caller: Caller,
) -> Task:
    """Pause or resume a task.

    A resumed cron task continues from its next time after now, so the runs it
    missed while paused do not fire.
    """
    runtime = entry.runtime_data
    task = await _async_existing_task(runtime, task_id, caller)
    if task.status is TaskStatus.CANCELLED:
        raise invalid("task_ended", task_id=task_id, status=task.status)
    next_run = None
    if enabled and not task.enabled and task.kind is TaskKind.CRON:
        assert task.cron is not None
        assert task.time_zone is not None
        next_run = next_cron_run(task.cron, task.time_zone, dt_util.utcnow())
    await guard_store(runtime.store.async_set_enabled(task_id, enabled, next_run))
    updated = await guard_store(runtime.store.async_get_task(task_id))
    await _async_changed(hass, runtime, task.kind)
    assert updated is not None
    return updated


def _owner_filter(caller: Caller) -> str | None:
    """Return whose things a caller sees: None for everybody's (admins)."""
    return None if caller.is_admin else caller.user_id or ""


async def async_list_tasks(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    caller: Caller,
    statuses: list[TaskStatus] | None = None,
) -> list[Task]:
    """Return the stored tasks the caller may see (admins: all, others: their own)."""
    return await guard_store(
        entry.runtime_data.store.async_list_tasks(statuses, owner=_owner_filter(caller))
    )


async def async_get_executions(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    caller: Caller,
    *,
    task_id: str | None,
    status: ExecutionStatus | None,
    limit: int,
    routine: str | None = None,
) -> list[Execution]:
    """Return the execution log the caller may see, newest first."""
    runtime = entry.runtime_data
    if task_id is not None:
        await _async_existing_task(runtime, task_id, caller)
    return await guard_store(
        runtime.store.async_list_executions(
            task_id, status, limit, routine=routine, owner=_owner_filter(caller)
        )
    )
