"""What Mission Control shows of each task and routine (entities and the card)."""

from datetime import datetime
from typing import Any

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import (
    CONF_CRON,
    CONF_INTERVAL,
    CONF_SCHEDULE,
    CONF_TIME,
    SCHEDULE_CRON,
    SCHEDULE_DAILY,
)
from .coordinator import Overview, local_time
from .heartbeat.routines import HeartbeatManager
from .models import Task, TaskKind, TaskStatus
from .personas import agent_display_name
from .subentries import Routine


def recurring_tasks(overview: Overview) -> list[Task]:
    """Return the cron tasks that will run again."""
    return [
        task
        for task in overview.tasks
        if task.kind is TaskKind.CRON
        and task.status in (TaskStatus.SCHEDULED, TaskStatus.RUNNING)
    ]


def task_schedule(task: Task) -> str:
    """Return a task's schedule in a few words."""
    if task.kind is TaskKind.CRON:
        return f"cron {task.cron}"
    return "once"


def agent_name(hass: HomeAssistant, entry: ConfigEntry, agent: str) -> str:
    """Return a persona's name, or a conversation agent's own name, or its id."""
    if (name := agent_display_name(entry, agent)) != agent:
        return name
    try:
        info = conversation.async_get_agent_info(hass, agent)
    except ValueError:
        info = None
    return info.name if info else agent


def task_attributes(
    hass: HomeAssistant, entry: ConfigEntry, task: Task
) -> dict[str, Any]:
    """Return a task's schedule, next and last run, and last status."""
    return {
        "task_id": task.task_id,
        "agent": agent_name(hass, entry, task.agent),
        "schedule": task_schedule(task),
        "next_run": local_time(task.next_run) if task.enabled else None,
        "last_run": local_time(task.last_run),
        "last_status": task.last_status.value if task.last_status else None,
        "status": task.status.value,
    }


def routine_schedule(routine: Routine) -> str:
    """Return a routine's schedule in a few words."""
    data = routine.data
    kind = data.get(CONF_SCHEDULE)
    if kind == SCHEDULE_DAILY:
        return f"daily at {data.get(CONF_TIME)}"
    if kind == SCHEDULE_CRON:
        return f"cron {data.get(CONF_CRON)}"
    return f"every {data.get(CONF_INTERVAL)} min"


def routine_next_run(entry: ConfigEntry, routine: Routine) -> datetime | None:
    """Return when a routine runs next: its armed timer, as stored."""
    heartbeats: HeartbeatManager = entry.runtime_data.heartbeats
    return heartbeats.next_run(routine.routine_id)


def routine_attributes(
    hass: HomeAssistant, entry: ConfigEntry, overview: Overview, routine_id: str
) -> dict[str, Any]:
    """Return a routine's schedule, next and last run, and last status."""
    routine = overview.routines.get(routine_id)
    if routine is None:
        return {}
    last = overview.routine_runs.get(routine_id)
    return {
        "routine_id": routine_id,
        "builtin": routine.builtin,
        "agent": routine.agent,
        "schedule": routine_schedule(routine),
        "next_run": local_time(routine_next_run(entry, routine)),
        "last_run": local_time(last.started) if last else None,
        "last_status": last.status.value if last else None,
    }
