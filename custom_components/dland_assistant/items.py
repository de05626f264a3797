"""What Mission Control shows of each task and routine (entities and the card)."""

from datetime import datetime
from typing import Any

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .coordinator import Overview, local_time
from .heartbeat.routines import HeartbeatManager
from .models import Task, TaskKind, TaskStatus
from .personas import agent_display_name
from .schedule_text import ScheduleText, ScheduleTexts
from .subentries import Routine


def recurring_tasks(overview: Overview) -> list[Task]:
    """Return the cron tasks that will run again."""
    return [
        task
        for task in overview.tasks
        if task.kind is TaskKind.CRON
        and task.status in (TaskStatus.SCHEDULED, TaskStatus.RUNNING)
    ]


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
        "schedule": schedule_texts(entry).task(task),
        "cron": task.cron,
        "next_run": local_time(task.next_run) if task.enabled else None,
        "last_run": local_time(task.last_run),
        "last_status": task.last_status.value if task.last_status else None,
        "status": task.status.value,
    }


def schedule_texts(entry: ConfigEntry) -> ScheduleText:
    """Return the words schedules are said in (Home Assistant's language)."""
    texts: ScheduleTexts = entry.runtime_data.schedule_texts
    return texts.default


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
        "schedule": schedule_texts(entry).routine(routine.data),
        "next_run": local_time(routine_next_run(entry, routine)),
        "last_run": local_time(last.started) if last else None,
        "last_status": last.status.value if last else None,
    }
