"""Mission Control's view of the scheduler, for entities, the card and diagnostics.

Nothing is polled for news: the view is refreshed when a run starts or ends, when
tasks or routines change, and once a minute so that "failed in the last 24 h" ages.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import override

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
    EVENT_EXECUTION_FINISHED,
    EVENT_EXECUTION_STARTED,
    LOGGER,
    SIGNAL_TASKS_CHANGED,
)
from .engine.scheduler import Scheduler
from .issues import async_check_persona_agents
from .models import Execution, ExecutionStatus, Task, TaskStatus
from .store import StoreError, TaskStore
from .subentries import Routine, routines

RECENT_EXECUTIONS = 25
# One-off tasks the view holds (to-do list, card); all are counted.
ONCE_TASKS_SHOWN = 100
BUSY_REFRESH_GAP = 0.5
FAILED_STATUSES = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)


@dataclass(frozen=True, slots=True)
class Overview:
    """The state of every task, routine and recent run."""

    tasks: list[Task]
    routines: dict[str, Routine]
    routine_runs: dict[str, Execution]
    recent: list[tuple[Execution, str]]
    running: int
    failed_24h: int
    # All scheduled tasks; ``tasks`` holds every recurring one but only the soonest
    # one-off ones.
    pending_count: int = 0
    # ``tasks`` by id: each task's entities look theirs up at every refresh.
    tasks_by_id: dict[str, Task] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index the tasks by id."""
        object.__setattr__(
            self, "tasks_by_id", {task.task_id: task for task in self.tasks}
        )

    @property
    def pending(self) -> list[Task]:
        """Return the tasks waiting for their next run."""
        return [task for task in self.tasks if task.status is TaskStatus.SCHEDULED]

    @property
    def next_due(self) -> Task | None:
        """Return the enabled task that runs next."""
        due = [task for task in self.pending if task.enabled and task.next_run]
        return min(
            due, key=lambda task: task.next_run or dt_util.utcnow(), default=None
        )

    def task(self, task_id: str) -> Task | None:
        """Return a task by id."""
        return self.tasks_by_id.get(task_id)


class DlandCoordinator(DataUpdateCoordinator[Overview]):
    """Reads the overview from the store when something changed."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        store: TaskStore,
        scheduler: Scheduler,
    ) -> None:
        """Prepare; the first refresh happens at set-up."""
        self._store = store
        self._scheduler = scheduler
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(minutes=1),
        )
        self._dirty = False
        self._refreshing = False
        self._refreshed_at = -BUSY_REFRESH_GAP
        self._refresh_task: asyncio.Task[None] | None = None

    @override
    async def _async_update_data(self) -> Overview:
        store = self._store
        try:
            tasks = await store.async_list_active_tasks(ONCE_TASKS_SHOWN)
            counts = await store.async_count_tasks_by_status()
            recent = await store.async_recent_named_executions(RECENT_EXECUTIONS)
            failed = await store.async_count_executions(
                FAILED_STATUSES, dt_util.utcnow() - timedelta(hours=24)
            )
            routine_runs = await store.async_last_routine_runs()
        except StoreError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="store_error",
                translation_placeholders={"error": str(err)},
            ) from err
        if self.hass.is_running:
            # Cheap, and catches an agent that went away while Home Assistant runs
            # (at start, other integrations' agents may not be loaded yet).
            async_check_persona_agents(self.hass, self.config_entry)
        return Overview(
            tasks=tasks,
            routines=routines(self.config_entry),
            routine_runs=routine_runs,
            recent=recent,
            running=self._scheduler.running,
            pending_count=counts.get(TaskStatus.SCHEDULED.value, 0),
            failed_24h=failed,
        )

    @callback
    def async_follow_changes(self) -> None:
        """Refresh on runs starting and ending, and on task and routine changes."""
        entry = self.config_entry
        for event_type in (EVENT_EXECUTION_STARTED, EVENT_EXECUTION_FINISHED):
            entry.async_on_unload(
                self.hass.bus.async_listen(event_type, self.async_changed)
            )
        entry.async_on_unload(
            async_dispatcher_connect(
                self.hass, SIGNAL_TASKS_CHANGED, self.async_changed
            )
        )

    @callback
    def async_changed(self, _event: Event | None = None) -> None:
        """Refresh soon: at once after a quiet spell, else at most twice a second.

        A lone change shows at once; a stream of them (a storm of wakeups, ten
        thousand due tasks) is coalesced into one read per half second.
        """
        if self._shutdown_requested:
            return
        self._dirty = True
        if not self._refreshing:
            self._refreshing = True
            self._refresh_task = self.config_entry.async_create_task(
                self.hass, self._async_refresh_while_dirty(), "dland_assistant view"
            )

    @override
    async def async_shutdown(self) -> None:
        """Stop refreshing, including a refresh waiting for its turn.

        Otherwise that wait outlives Home Assistant's stop stages (which then warn
        about a task still running) for a read that would not happen anyway.
        """
        await super().async_shutdown()
        if self._refresh_task is not None:
            self._refresh_task.cancel()

    async def _async_refresh_while_dirty(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._dirty and self.config_entry.state in (
                ConfigEntryState.SETUP_IN_PROGRESS,
                ConfigEntryState.LOADED,
            ):
                # A view of thousands of tasks must not starve the runs it shows.
                # At most one gap, whatever the clock did since the last refresh.
                since = loop.time() - self._refreshed_at
                if (wait := min(BUSY_REFRESH_GAP, BUSY_REFRESH_GAP - since)) > 0:
                    await asyncio.sleep(wait)
                self._dirty = False
                await self.async_refresh()
                self._refreshed_at = loop.time()
        finally:
            self._refreshing = False


def local_time(value: datetime | None) -> str | None:
    """Return a time in Home Assistant's zone, as ISO text."""
    return dt_util.as_local(value).isoformat() if value else None
