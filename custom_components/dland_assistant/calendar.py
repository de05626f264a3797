"""A calendar of runs: upcoming ones (tasks and routines) and past executions.

Upcoming runs are the engine's own: a task's stored next run and a routine's
armed one, then their schedules onwards.

Every user can read a calendar, so events show names and outcomes only: prompts
and answers stay in the admins' log (``get_executions``, the card, diagnostics).
"""

from contextlib import suppress
from datetime import date, datetime, timedelta
from itertools import islice, takewhile
from typing import override

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import DlandCoordinator, Overview
from .engine.cron import cron_runs
from .entity import DlandCoordinatorEntity
from .heartbeat import rhythm
from .models import Execution, Rhythm, Task, TaskKind, TaskStatus
from .runtime import DlandConfigEntry
from .schedule_text import ScheduleText
from .store import StoreError
from .subentries import Routine

PARALLEL_UPDATES = 0
# A run shows as a short event; runs without an end (in progress) last this long.
RUN_LENGTH = timedelta(minutes=1)
# Upcoming runs one request shows, over all tasks: a week of hourly tasks for a
# dozen tasks, or a day of an every-minute one. Expanding costs about 50 µs a run
# and happens off the event loop.
MAX_UPCOMING_RUNS = 2000


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the runs calendar."""
    async_add_entities([RunsCalendar(entry.runtime_data.coordinator)])


def upcoming_runs(
    task: Task, time_zone: str, start: datetime, end: datetime, limit: int
) -> list[datetime]:
    """Return up to ``limit`` of a task's runs due in a window (none when paused)."""
    if not task.enabled or task.next_run is None or limit <= 0:
        return []
    if task.kind is not TaskKind.CRON or task.cron is None:
        return [task.next_run] if start <= task.next_run < end else []
    runs = [task.next_run] if start <= task.next_run < end else []
    # A run at the window's very start counts (cron runs are whole minutes).
    after = max(start - timedelta(seconds=1), task.next_run)
    later = cron_runs(task.cron, task.time_zone or time_zone, after)
    runs += islice(takewhile(lambda when: when < end, later), limit - len(runs))
    return runs


def _upcoming_events(
    tasks: list[Task],
    schedules: dict[str, str],
    time_zone: str,
    start: datetime,
    end: datetime,
) -> list[CalendarEvent]:
    """Return the upcoming runs of tasks as events, at most MAX_UPCOMING_RUNS."""
    events: list[CalendarEvent] = []
    for task in tasks:
        events.extend(
            CalendarEvent(
                start=when,
                end=when + RUN_LENGTH,
                summary=task.name,
                description=schedules[task.task_id],
                uid=f"{task.task_id}-{when.timestamp():.0f}",
            )
            for when in upcoming_runs(
                task, time_zone, start, end, MAX_UPCOMING_RUNS - len(events)
            )
        )
    return events


def upcoming_routine_runs(
    routine: Routine,
    armed: Rhythm,
    time_zone: str,
    start: datetime,
    end: datetime,
    *,
    budget: int,
) -> list[datetime]:
    """Return an armed routine's runs in a window, outside its quiet hours.

    At most ``budget`` times are looked at (runs in quiet hours included).
    """
    runs: list[datetime] = []
    when = armed.next_run
    if when is not None and when < start:
        when = rhythm.next_run_after(
            routine.data, armed.anchor, start - timedelta(microseconds=1), time_zone
        )
    while when is not None and when < end and budget > 0:
        budget -= 1
        if not routine.in_quiet_hours(when):
            runs.append(when)
        when = rhythm.next_run_after(routine.data, armed.anchor, when, time_zone)
    return runs


def _upcoming_routine_events(
    armed: list[tuple[Routine, Rhythm, str]],
    time_zone: str,
    start: datetime,
    end: datetime,
    budget: int,
) -> list[CalendarEvent]:
    events: list[CalendarEvent] = []
    for routine, routine_rhythm, schedule in armed:
        events.extend(
            CalendarEvent(
                start=when,
                end=when + RUN_LENGTH,
                summary=routine.name,
                description=schedule,
                uid=f"{routine.routine_id}-{when.timestamp():.0f}",
            )
            for when in upcoming_routine_runs(
                routine,
                routine_rhythm,
                time_zone,
                start,
                end,
                budget=budget - len(events),
            )
        )
    return events


def _waiting_events(
    tasks: list[Task], words: ScheduleText, today: date, first: date, last: date
) -> list[CalendarEvent]:
    """Tasks waiting for a moment, as all-day events today ("When: Dan came home").

    They have no time; today is when they may come.
    """
    if not first <= today <= last:
        return []
    return [
        CalendarEvent(
            start=today,
            end=today + timedelta(days=1),
            summary=task.name,
            description=words.task(task),
            uid=f"{task.task_id}-waiting",
        )
        for task in tasks
        if task.enabled
        and task.next_run is None
        and task.status is TaskStatus.SCHEDULED
    ]


def _past_event(execution: Execution, name: str) -> CalendarEvent:
    label = name or (
        f"Routine run ({execution.origin})"
        if execution.routine
        else f"Wakeup ({execution.origin or 'api'})"
    )
    return CalendarEvent(
        start=execution.started,
        end=max(
            execution.finished or execution.started + RUN_LENGTH,
            execution.started + timedelta(seconds=1),
        ),
        summary=f"{label}: {execution.status.value}",
        uid=execution.execution_id,
    )


class RunsCalendar(DlandCoordinatorEntity, CalendarEntity):
    """Upcoming runs of every task, and how past runs ended."""

    _attr_translation_key = "runs"

    def __init__(self, coordinator: DlandCoordinator) -> None:
        """Show the coordinator's tasks."""
        super().__init__(coordinator, "runs")

    @property
    @override
    def event(self) -> CalendarEvent | None:
        """Return the next run."""
        overview: Overview = self.coordinator.data
        heartbeats = self.coordinator.config_entry.runtime_data.heartbeats
        candidates = [
            (routine_next, routine.name, routine_id)
            for routine_id, routine in overview.routines.items()
            if (routine_next := heartbeats.next_run(routine_id)) is not None
        ]
        task = overview.next_due
        if task is not None and task.next_run is not None:
            candidates.append((task.next_run, task.name, task.task_id))
        if not candidates:
            return None
        when, name, uid = min(candidates)
        return CalendarEvent(
            start=when,
            end=when + RUN_LENGTH,
            summary=name,
            uid=f"{uid}-{when.timestamp():.0f}",
        )

    @override
    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return past executions and upcoming runs in the window."""
        events: list[CalendarEvent] = []
        now = dt_util.utcnow()
        store = self.coordinator.config_entry.runtime_data.store
        if start_date < now:
            try:
                past = await store.async_named_executions(
                    start_date, min(end_date, now)
                )
            except StoreError:
                past = []  # the upcoming runs are still worth showing
            events += [_past_event(execution, name) for execution, name in past]
        upcoming = [
            task for task in self.coordinator.data.pending if task.kind is TaskKind.CRON
        ]
        # On a database error the past and recurring runs are still worth showing.
        with suppress(StoreError):
            upcoming += await store.async_tasks_due_between(
                max(start_date, now), end_date
            )
        # Said on the loop (the words keep a cache), expanded in the executor.
        words = self.coordinator.config_entry.runtime_data.schedule_texts.default
        task_events = await hass.async_add_executor_job(
            _upcoming_events,
            upcoming,
            {task.task_id: words.task(task) for task in upcoming},
            hass.config.time_zone,
            max(start_date, now),
            end_date,
        )
        heartbeats = self.coordinator.config_entry.runtime_data.heartbeats
        armed = [
            (routine, routine_rhythm)
            for routine_id, routine in self.coordinator.data.routines.items()
            if (routine_rhythm := heartbeats.armed(routine_id)) is not None
        ]
        events += task_events
        events += _waiting_events(
            [task for task in self.coordinator.data.pending if task.moment],
            words,
            dt_util.as_local(now).date(),
            dt_util.as_local(start_date).date(),
            dt_util.as_local(end_date).date(),
        )
        events += await hass.async_add_executor_job(
            _upcoming_routine_events,
            [
                (routine, routine_rhythm, words.routine(routine.data))
                for routine, routine_rhythm in armed
            ],
            hass.config.time_zone,
            max(start_date, now),
            end_date,
            MAX_UPCOMING_RUNS - len(task_events),
        )
        return sorted(events, key=lambda event: event.start_datetime_local)
