"""Heartbeat routines: the assistant acts on its own rhythm.

A routine is a config subentry (type "routine") with a schedule (an interval, a
daily time or a cron expression, driven by Home Assistant's time helpers), an agent,
a prompt template, context gatherers, delivery, quiet hours and an enabled flag.
Four built-in routines are created with the entry: the hourly audit, the nightly
memory distillation, and the work and family check-ins.

Every run, skip included, is an execution in the log with the routine's id. A
routine whose gathered context and rendered prompt are unchanged since its last
successful run, and whose prompt does not read the clock, is skipped without
asking the agent.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
import hashlib
import json

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, TemplateError
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.template import Template
from homeassistant.util import dt as dt_util

from .. import memory
from ..const import (
    BUILTIN_AUDIT,
    BUILTIN_MEMORY,
    CONF_CALENDARS,
    CONF_DELIVER,
    CONF_GATHERERS,
    CONF_MISSED_RUN_POLICY,
    CONF_NOTIFY_TARGET,
    CONF_ONLY_WHEN_NEEDED,
    CONF_PLATFORM,
    CONF_PROMPT,
    CONF_RETRY_ATTEMPTS,
    CONF_TODO_LISTS,
    CONF_USER,
    LOGGER,
    SIGNAL_TASKS_CHANGED,
)
from ..engine.retry import RETRIED_STATUSES
from ..engine.run import Run
from ..engine.scheduler import Scheduler
from ..errors import Overloaded
from ..identity import SYSTEM, Identities, async_owner
from ..models import (
    ExecutionSource,
    ExecutionStatus,
    MissedRunPolicy,
    Rhythm,
    RunRequest,
    Trust,
)
from ..outside import quote_context
from ..personas import find_persona, resolve_agent
from ..store import PREVIOUS_RUN_GOING, StoreError, TaskStore
from ..subentries import Routine, routines
from . import audit, rhythm
from .gatherers import GATHER_PRESENCE, GATHERERS, async_gather

ORIGIN = "heartbeat"


@dataclass(frozen=True, slots=True)
class RoutineOutcome:
    """What one trigger of a routine did."""

    execution_id: str
    skipped: str | None = None
    # Set while an agent's run goes on; fires when it ends.
    done: asyncio.Event | None = field(default=None, compare=False)
    run: Run | None = field(default=None, compare=False)


@dataclass(slots=True)
class HeartbeatManager:
    """Arms each enabled routine at its stored next run, and runs it when due."""

    hass: HomeAssistant
    # Read for its routine subentries; the entry's tasks end with it.
    entry: ConfigEntry
    store: TaskStore
    scheduler: Scheduler
    identities: Identities
    default_timeout: float
    # Routines whose run is going (until it ends, not only until it starts).
    _running: set[str] = field(default_factory=set)
    # The attempt the next run of a routine is (after a failed one), if not the 1st.
    _attempts: dict[str, int] = field(default_factory=dict)
    # One armed timer per enabled routine, at its stored next run.
    _unsubs: dict[str, CALLBACK_TYPE] = field(default_factory=dict)
    _rhythms: dict[str, Rhythm] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    breaker_trips_seen: int = 0

    def armed(self, routine_id: str) -> Rhythm | None:
        """Return a routine's rhythm while its timer is armed (None while off)."""
        if routine_id not in self._unsubs:
            return None
        return self._rhythms.get(routine_id)

    def next_run(self, routine_id: str) -> datetime | None:
        """Return when a routine's timer fires next (None while it is off)."""
        armed = self.armed(routine_id)
        return armed.next_run if armed else None

    async def async_start(self) -> None:
        """Arm every enabled routine from its stored rhythm."""
        async with self._lock:
            await self._async_arm_all()
        async_dispatcher_send(self.hass, SIGNAL_TASKS_CHANGED)

    @callback
    def async_stop(self) -> None:
        """Disarm all timers (the stored rhythms stay)."""
        while self._unsubs:
            self._unsubs.popitem()[1]()

    @callback
    def async_rearm(self) -> None:
        """Follow edited, added, removed or switched routines."""
        # A tracked task: whoever waits for Home Assistant to settle sees it armed.
        self.entry.async_create_task(
            self.hass, self._async_rearm(), "dland_assistant routines re-armed"
        )

    async def _async_rearm(self) -> None:
        async with self._lock:
            self.async_stop()
            await self._async_arm_all()
        async_dispatcher_send(self.hass, SIGNAL_TASKS_CHANGED)

    async def _async_arm_all(self) -> None:
        store = self.store
        known = routines(self.entry)
        try:
            stored = await store.async_load_rhythms()
            await store.async_forget_rhythms_except(set(known))
        except StoreError as err:
            LOGGER.warning("Routine schedules could not be read: %s", err)
            stored = dict(self._rhythms)
        now = dt_util.utcnow()
        self._rhythms = {}
        for routine in known.values():
            await self._async_arm(routine, stored.get(routine.routine_id), now)

    async def _async_arm(
        self, routine: Routine, stored: Rhythm | None, now: datetime
    ) -> None:
        """Arm a routine on its beat; a run missed while down follows its policy."""
        data, zone = routine.data, self.hass.config.time_zone
        key = rhythm.schedule_key(data)
        if stored is None or stored.key != key:
            anchor = now  # new, or its own schedule changed: anchored anew
            next_run = rhythm.next_run_after(data, anchor, now, zone)
        else:
            anchor, next_run = stored.anchor, stored.next_run
            grace = self.scheduler.settings.grace
            if next_run is None:  # it was off: back on its beat, nothing made up
                next_run = rhythm.next_run_after(data, anchor, now, zone)
            elif next_run < now - grace:
                missed = next_run
                if data.get(CONF_MISSED_RUN_POLICY) == MissedRunPolicy.SKIP:
                    next_run = rhythm.next_run_after(data, anchor, now, zone)
                else:
                    next_run = now  # one run for everything missed, then on beat
                LOGGER.info(
                    "Routine %s missed its run at %s; %s",
                    routine.name,
                    missed,
                    "runs now" if next_run == now else "skipped",
                )
        if not routine.enabled:
            next_run = None
        await self._async_keep(Rhythm(routine.routine_id, key, anchor, next_run))

    async def _async_keep(self, kept: Rhythm) -> None:
        """Store a rhythm and arm its timer."""
        self._rhythms[kept.routine_id] = kept
        if (unsub := self._unsubs.pop(kept.routine_id, None)) is not None:
            unsub()
        try:
            await self.store.async_save_rhythm(kept)
        except StoreError as err:
            # Kept in memory: the beat goes on, and is written at the next run.
            LOGGER.warning(
                "Schedule of routine %s not stored: %s", kept.routine_id, err
            )
        if kept.next_run is None:
            return
        routine_id = kept.routine_id

        @callback
        def _due(_now: datetime) -> None:
            self._unsubs.pop(routine_id, None)
            self.entry.async_create_background_task(
                self.hass,
                self._async_due(routine_id),
                f"dland_assistant routine {routine_id}",
            )

        self._unsubs[routine_id] = async_track_point_in_utc_time(
            self.hass, _due, kept.next_run
        )

    async def _async_due(self, routine_id: str) -> None:
        """Move a due routine to its next beat, then run it."""
        async with self._lock:
            routine = routines(self.entry).get(routine_id)
            current = self._rhythms.get(routine_id)
            if routine is None or not routine.enabled or current is None:
                return
            due = current.next_run or dt_util.utcnow()
            following = rhythm.next_run_after(
                routine.data,
                current.anchor,
                max(dt_util.utcnow(), due),
                self.hass.config.time_zone,
            )
            await self._async_keep(
                Rhythm(routine_id, current.key, current.anchor, following)
            )
        async_dispatcher_send(self.hass, SIGNAL_TASKS_CHANGED)
        await self._async_scheduled_run(routine)

    async def _async_scheduled_run(self, routine: Routine) -> None:
        try:
            await self.async_trigger(routine.routine_id)
        except StoreError as err:
            LOGGER.error("Routine %s could not run: %s", routine.name, err)

    async def async_trigger(
        self, routine_id: str, *, manual: bool = False
    ) -> RoutineOutcome:
        """Run a routine now (on schedule, or by hand: no quiet hours, no skip)."""
        routine = routines(self.entry)[routine_id]
        now = dt_util.utcnow()
        if not manual and routine.in_quiet_hours(now):
            return await self._async_skip(routine, "Quiet hours")
        if routine_id in self._running:
            return await self._async_skip(routine, PREVIOUS_RUN_GOING)
        self._running.add(routine_id)
        held = False
        try:
            if routine.builtin == BUILTIN_AUDIT:
                return await self._async_audit(routine)
            if routine.builtin == BUILTIN_MEMORY:
                return await self._async_distill(routine)
            outcome = await self._async_agent_routine(routine, manual=manual)
            if outcome.run is not None:
                # The agent's run goes on: the routine is busy until it ends.
                held = True
                self.entry.async_create_background_task(
                    self.hass,
                    self._async_release(routine_id, outcome.run),
                    f"dland_assistant routine {routine.name} run",
                )
            return outcome
        finally:
            if not held:
                self._running.discard(routine_id)

    async def _async_release(self, routine_id: str, run: Run) -> None:
        try:
            await run.done.wait()
        finally:
            self._running.discard(routine_id)
        await self._async_retry_if_failed(routine_id, run)

    async def _async_retry_if_failed(self, routine_id: str, run: Run) -> None:
        """Try a run that failed for a passing reason again, before the next beat.

        The retry is the routine's stored next run (it survives a restart); the
        beat after it is computed from the anchor as always, so the rhythm stays.
        """
        outcome = run.outcome
        policy = self.scheduler.settings.retry
        attempt = run.request.attempt
        routine = routines(self.entry).get(routine_id)
        attempts = (routine.data if routine else {}).get(CONF_RETRY_ATTEMPTS)
        if (
            outcome is None
            or outcome.status not in RETRIED_STATUSES
            or not outcome.retryable
            or attempt >= int(attempts or policy.attempts)
        ):
            return
        retry_at = dt_util.utcnow() + policy.delay(attempt)
        async with self._lock:
            current = self._rhythms.get(routine_id)
            if (
                routine_id not in self._unsubs  # off, or Home Assistant stopping
                or current is None
                or current.next_run is None
                or retry_at >= current.next_run
            ):
                return
            self._attempts[routine_id] = attempt + 1
            await self._async_keep(
                Rhythm(routine_id, current.key, current.anchor, retry_at)
            )
        try:
            await self.store.async_set_next_attempt(run.execution_id, retry_at)
        except StoreError as err:
            LOGGER.warning("Retry of routine %s not logged: %s", routine_id, err)
        async_dispatcher_send(self.hass, SIGNAL_TASKS_CHANGED)

    async def _async_skip(self, routine: Routine, reason: str) -> RoutineOutcome:
        LOGGER.debug("Routine %s skipped: %s", routine.name, reason)
        execution_id = await self._record(
            routine, ExecutionStatus.SKIPPED, error=reason
        )
        return RoutineOutcome(execution_id, skipped=reason)

    async def _record(
        self,
        routine: Routine,
        status: ExecutionStatus,
        *,
        response: str | None = None,
        error: str | None = None,
    ) -> str:
        execution_id = await self.store.async_record_routine_run(
            routine.routine_id,
            status,
            dt_util.utcnow(),
            self.scheduler.boot_id,
            owner=await self._async_owner(routine),
            response=response,
            error=error,
        )
        self.scheduler.announce_finished(
            execution_id,
            status,
            name=routine.name,
            routine=routine.routine_id,
            response=response,
            error=error,
        )
        return execution_id

    async def _async_audit(self, routine: Routine) -> RoutineOutcome:
        scheduler = self.scheduler
        trips = scheduler.breaker.trips - self.breaker_trips_seen
        self.breaker_trips_seen = scheduler.breaker.trips
        report = await audit.async_run_audit(self.hass, self.store, trips)
        execution_id = await self._record(
            routine, ExecutionStatus.SUCCEEDED, response=report.as_text()
        )
        if routine.agent:
            prompt = str(routine.data.get(CONF_PROMPT) or audit.SUMMARY_PROMPT)
            # Errors in the report may carry text of outside runs.
            await self._async_wake(
                routine,
                prompt,
                quote_context("the audit", report.as_dict()),
                Trust.OUTSIDE,
            )
        return RoutineOutcome(execution_id)

    async def _async_distill(self, routine: Routine) -> RoutineOutcome:
        persona = find_persona(self.entry, routine.agent) if routine.agent else None
        if persona is None or not persona.ai_task_entity:
            return await self._async_skip(
                routine, "Set a persona with an AI task entity to distil memories"
            )
        try:
            result = await memory.async_distill(self.hass, self.store, persona)
        except HomeAssistantError as err:
            execution_id = await self._record(
                routine, ExecutionStatus.FAILED, error=str(err)
            )
            return RoutineOutcome(execution_id)
        execution_id = await self._record(
            routine, ExecutionStatus.SUCCEEDED, response=result
        )
        return RoutineOutcome(execution_id)

    async def _async_agent_routine(
        self, routine: Routine, *, manual: bool
    ) -> RoutineOutcome:
        if not routine.agent:
            return await self._async_skip(routine, "No agent is set")
        data = routine.data
        context = await async_gather(
            self.hass,
            list(data.get(CONF_GATHERERS, [])),
            calendars=list(data.get(CONF_CALENDARS, [])),
            todo_lists=list(data.get(CONF_TODO_LISTS, [])),
        )
        user = data.get(CONF_USER)
        user_state = self.hass.states.get(user) if user else None
        variables = {
            "routine": routine.name,
            "user": user_state.name if user_state else None,
        }
        try:
            info = Template(
                str(data.get(CONF_PROMPT, "")), self.hass
            ).async_render_to_info(variables, parse_result=False)
            prompt = str(info.result())
        except TemplateError as err:
            execution_id = await self._record(
                routine, ExecutionStatus.FAILED, error=f"Prompt template: {err}"
            )
            return RoutineOutcome(execution_id)
        fingerprint = hashlib.sha256(
            json.dumps([prompt, context], sort_keys=True, default=str).encode()
        ).hexdigest()
        key = f"routine:{routine.routine_id}:fingerprint"
        store = self.store
        if (
            not manual
            and not info.has_time
            and await store.async_get_state(key) == fingerprint
        ):
            return await self._async_skip(routine, "Nothing changed since the last run")
        # Calendars, to-do lists and alerts carry text others wrote (invitations,
        # shared lists, notifications of integrations): such a run is outside.
        gathered_outside = any(
            name in context for name in GATHERERS if name != GATHER_PRESENCE
        )
        outcome = await self._async_wake(
            routine,
            prompt,
            quote_context("the routine's gatherers", context),
            Trust.OUTSIDE if gathered_outside else Trust.TRUSTED,
        )
        if outcome.skipped is None:
            self.entry.async_create_background_task(
                self.hass,
                self._async_remember(outcome.execution_id, key, fingerprint),
                f"dland_assistant routine {routine.name} fingerprint",
            )
        return outcome

    async def _async_remember(
        self, execution_id: str, key: str, fingerprint: str
    ) -> None:
        """Keep the context's fingerprint once the run has succeeded."""
        if (done := self.scheduler.done_event(execution_id)) is not None:
            await done.wait()
        execution = await self.store.async_get_execution(execution_id)
        if execution is not None and execution.status in (
            ExecutionStatus.SUCCEEDED,
            ExecutionStatus.QUIET,
        ):
            await self.store.async_set_state(key, fingerprint)

    async def _async_owner(self, routine: Routine) -> str:
        """Return who a routine's runs are for: its person's user, else ours."""
        person = routine.data.get(CONF_USER) or None
        return await async_owner(self.hass, SYSTEM, person, self.identities)

    async def _async_wake(
        self, routine: Routine, prompt: str, quoted: str, trust: Trust
    ) -> RoutineOutcome:
        data = routine.data
        try:
            agent, persona = resolve_agent(self.hass, self.entry, str(routine.agent))
        except HomeAssistantError as err:
            return await self._async_skip(routine, str(err))
        owner = await self._async_owner(routine)
        only_when_needed = bool(data.get(CONF_ONLY_WHEN_NEEDED, False))
        request = RunRequest(
            name=routine.name,
            agent=agent,
            prompt=prompt,
            outside_data=quoted,
            origin=ORIGIN,
            source=ExecutionSource.HEARTBEAT,
            owner=owner,
            acting_user=self.identities.outside if trust is Trust.OUTSIDE else owner,
            trust=trust,
            timeout=persona.timeout if persona else self.default_timeout,
            recipient=data.get(CONF_USER) or None,
            platform=data.get(CONF_PLATFORM) or None,
            deliver=bool(data.get(CONF_DELIVER, True)),
            only_when_needed=only_when_needed,
            attempt=self._attempts.pop(routine.routine_id, 1),
            routine=routine.routine_id,
            notify_target=data.get(CONF_NOTIFY_TARGET) or None,
        )
        try:
            run = await self.scheduler.async_wakeup(request)
        except Overloaded as err:
            return await self._async_skip(routine, f"The agent is busy ({err.reason})")
        return RoutineOutcome(run.execution_id, done=run.done, run=run)
