"""Watch the entities waiting moment tasks name; make a task due when its moment comes.

Every waiting task is listened for (bounded: MAX_MOMENTS_PER_OWNER per owner),
reloaded whenever a moment task changes or its run ends. A change counts only
between two real states (``rules.occurs``), within the task's window, before its
expiry and, for an every-time task, after its cooldown; the store then makes the
task due in one conditional update, so an occurrence makes it due once and the
scheduler's claim runs it once. An expired task ends as missed.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
import logging

from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.util import dt as dt_util

from ..const import EVENT_EXECUTION_FINISHED, SIGNAL_TASKS_CHANGED
from ..models import Task, TaskStatus
from ..store import StoreError, TaskStore
from .rules import in_window, is_real, occurs
from .words import MomentWords

_LOGGER = logging.getLogger(__name__)


class MomentWatcher:
    """Listens for the moments of the waiting moment tasks."""

    def __init__(
        self,
        hass: HomeAssistant,
        store: TaskStore,
        wake: Callable[[], Awaitable[None]],
        words: Callable[[], MomentWords | None],
    ) -> None:
        """Watch for ``store``'s tasks; ``wake`` claims what became due.

        ``words`` says what happened in the home's language (as it is now).
        """
        self.hass = hass
        self.store = store
        self._wake = wake
        self._words = words
        self._waiting: dict[str, list[Task]] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._stop_following: CALLBACK_TYPE | None = None
        self._lock = asyncio.Lock()
        # Every moment task not ended: when one's run ends, it may wait again.
        self._open: set[str] = set()

    async def async_start(self) -> None:
        """Listen for the waiting tasks' moments, and follow their runs.

        Changes to tasks reload it through ``async_reload`` (task_manager), only
        when they concern a moment task.
        """
        self._stop_following = self.hass.bus.async_listen(
            EVENT_EXECUTION_FINISHED, self._async_run_ended
        )
        await self.async_reload()

    @callback
    def async_stop(self) -> None:
        """Stop listening."""
        if self._stop_following is not None:
            self._stop_following()
            self._stop_following = None
        self._unlisten()

    @callback
    def _unlisten(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []

    @callback
    def _async_run_ended(self, event: Event) -> None:
        if event.data.get("task_id") in self._open:
            self.hass.async_create_task(self.async_reload(), eager_start=False)

    async def async_reload(self) -> None:
        """Listen for the tasks waiting now; end those past their expiry."""
        async with self._lock:  # one at a time; each sees the store as it is
            await self._async_reload_once()

    async def _async_reload_once(self) -> None:
        try:
            tasks = await self.store.async_open_moments()
        except StoreError as err:
            _LOGGER.warning("Could not read the tasks waiting for a moment: %s", err)
            return
        now = dt_util.utcnow()
        waiting: dict[str, list[Task]] = {}
        expiries: list[datetime] = []
        expired = False
        self._open = {task.task_id for task in tasks}
        for task in tasks:
            assert task.moment is not None
            waits = task.enabled and task.status is TaskStatus.SCHEDULED
            if not waits or task.next_run is not None:
                continue  # paused, or its moment came and its run is due
            if task.moment.until is not None and task.moment.until <= now:
                expired |= await self.store.async_expire_moment(task.task_id, now)
                continue
            waiting.setdefault(task.moment.trigger["entity_id"], []).append(task)
            if task.moment.until is not None:
                expiries.append(task.moment.until)
        self._unlisten()
        self._waiting = waiting
        if waiting:
            self._unsubs.append(
                async_track_state_change_event(
                    self.hass, list(waiting), self._async_state_changed
                )
            )
        if expiries:
            self._unsubs.append(
                async_track_point_in_utc_time(
                    self.hass, self._async_expiry_reached, min(expiries)
                )
            )
        if expired:
            async_dispatcher_send(self.hass, SIGNAL_TASKS_CHANGED)

    @callback
    def _async_expiry_reached(self, _now: datetime) -> None:
        self.hass.async_create_task(self.async_reload(), eager_start=False)

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if not is_real(old) or not is_real(new):
            return
        assert old is not None
        assert new is not None
        now = dt_util.utcnow()
        local = dt_util.as_local(now)
        for task in self._waiting.get(event.data["entity_id"], []):
            moment = task.moment
            assert moment is not None
            if moment.until is not None and moment.until <= now:
                continue
            if not in_window(moment, local) or not occurs(
                self.hass, moment.trigger, old, new
            ):
                continue
            if task.fired is not None and now - task.fired < moment.cooldown:
                continue
            self.hass.async_create_task(
                self._async_fire(task, new, now), eager_start=False
            )

    async def _async_fire(self, task: Task, new: State, now: datetime) -> None:
        assert task.moment is not None
        words = self._words()
        occurrence = words.occurrence(task.moment.trigger, new) if words else ""
        try:
            fired = await self.store.async_fire_moment(task.task_id, now, occurrence)
        except StoreError as err:
            _LOGGER.warning("Could not start the task %s: %s", task.task_id, err)
            return
        if fired:
            await self._wake()
            await self.async_reload()  # it waits no more until its run ends
            async_dispatcher_send(self.hass, SIGNAL_TASKS_CHANGED)
