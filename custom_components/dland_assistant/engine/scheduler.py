"""The engine's clock: claims due tasks on time and hands each run to ``run``.

A one-shot timer is armed at the earliest due time, so a task starts within
milliseconds of it; a 10 s tick is only a safety net (and the watchdog's beat).
Claims are atomic in the store, so no task ever runs twice, and only as many tasks
are claimed as there are free run slots, so a backlog never bursts.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_interval,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from ..const import (
    DOMAIN,
    EVENT_EXECUTION_FINISHED,
    EVENT_EXECUTION_STARTED,
    EVENT_TEXT_LIMIT,
    LOGGER,
    PRUNE_INTERVAL,
    TICK_INTERVAL,
)
from ..errors import Overloaded
from ..identity import Identities
from ..models import (
    Claim,
    ExecutionStatus,
    RunRequest,
    TaskAction,
    task_request,
)
from ..personas import (
    SessionTracker,
    persona_of,
)
from ..store import (
    INTERRUPTED,
    PREVIOUS_RUN_GOING,
    FinishedRun,
    StoreError,
    TaskStore,
)
from ..store.health import StoreHealth
from .breaker import AgentBreakers, CircuitBreaker, RateLimiter
from .failures import FailedRun, async_report_failure
from .repairs import async_follow_task_failures
from .retry import RetryPolicy
from .run import Run, RunOutcome, RunPerformer

# Stored responses are capped so one chatty agent cannot bloat the database.
RESPONSE_LIMIT = 65_536
# Outcomes that say something about the agent's health (for the breaker).
_AGENT_OUTCOMES = (
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.QUIET,
    ExecutionStatus.FAILED,
    ExecutionStatus.TIMED_OUT,
)


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    """The tunables of the engine, from the config entry's options."""

    max_concurrent: int
    grace: timedelta
    retention: timedelta
    # Wakeups that may wait for a run slot before more are refused.
    max_queue: int = 20
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def _truncate(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


class Scheduler:
    """Runs stored tasks on time, at most ``max_concurrent`` agent calls at once."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        store: TaskStore,
        settings: SchedulerSettings,
        identities: Identities,
    ) -> None:
        """Prepare the engine; nothing runs before ``async_start``."""
        self.hass = hass
        self.entry = entry
        self.store = store
        self.settings = settings
        self.identities = identities
        self.boot_id = ulid_now()
        self._runs: dict[str, Run] = {}
        self._slots = asyncio.Semaphore(settings.max_concurrent)
        self._claim_lock = asyncio.Lock()
        self._unsub_timer: CALLBACK_TYPE | None = None
        self.timer_at: datetime | None = None
        self._stopping = False
        self.abandoned_at_start = 0
        self.sessions = SessionTracker()
        self._performer = RunPerformer(hass, entry, store, self.sessions, self._slots)
        self.breaker = AgentBreakers()
        self.rate_limiter = RateLimiter()
        self.store_health = StoreHealth(hass)
        # Ends of runs the database refused (disk full); written on a later tick.
        self._unrecorded: list[Callable[[], Awaitable[FinishedRun | None]]] = []
        # One wake at a time; asked again while it claims, it claims once more.
        self._wake_task: asyncio.Task[None] | None = None
        self._wake_again = False
        # Runs whose end is being recorded: their slots are free for the next claim.
        self._finishing: set[str] = set()

    @property
    def running(self) -> int:
        """Return how many executions are in progress in this boot."""
        return len(self._runs)

    async def async_start(self) -> None:
        """Clean up after an earlier boot, then start claiming due tasks."""
        now = dt_util.utcnow()
        abandoned = await self.store.async_abandon_stale(
            self.boot_id, now, self.settings.retry
        )
        self.abandoned_at_start = len(abandoned)
        if abandoned:
            LOGGER.warning(
                "Marked %s execution(s) interrupted by a restart as abandoned"
                " (%s to be retried)",
                self.abandoned_at_start,
                sum(stale.retry_at is not None for stale in abandoned),
            )
        for stale in abandoned:
            # Tasks meant for someone: a wakeup's or routine's delivery is not kept;
            # a run tried again is reported only if that fails for good.
            # Not a background task: an unload waits for it instead of cutting it.
            if stale.action is not None and stale.deliver and stale.retry_at is None:
                self.entry.async_create_task(
                    self.hass,
                    async_report_failure(
                        self.hass,
                        self.entry,
                        FailedRun(
                            name=stale.name,
                            status=ExecutionStatus.ABANDONED,
                            error=INTERRUPTED,
                            action=stale.action,
                            recipient=stale.recipient,
                            platform=stale.platform,
                        ),
                    ),
                    f"{DOMAIN} report of an interrupted run",
                )
        await self._async_prune()
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._async_tick, TICK_INTERVAL, cancel_on_shutdown=True
            )
        )
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass,
                self._async_prune_tick,
                PRUNE_INTERVAL,
                cancel_on_shutdown=True,
            )
        )
        await self.async_wake()

    async def async_stop(self) -> None:
        """Stop claiming and end the runs in progress as abandoned."""
        self._stopping = True
        # Let a claim under way finish, so its runs are ended below, not lost.
        async with self._claim_lock:
            self._cancel_timer()
        runs = list(self._runs.values())
        for run in runs:
            self._cancel_run(
                run,
                ExecutionStatus.ABANDONED,
                INTERRUPTED,
            )
        for run in runs:
            await run.done.wait()
        await self._async_record_unrecorded()

    # Claiming and timing

    async def async_wake(self) -> None:
        """Claim what is due now and arm the timer for the next due task.

        A database error is reported, not raised: the 10 s tick tries again.
        """
        try:
            await self._async_claim_and_arm()
        except StoreError as err:
            self.store_health.async_failed("claiming due tasks", err)
        else:
            if not self._unrecorded:
                self.store_health.async_recovered()

    async def _async_claim_and_arm(self) -> None:
        async with self._claim_lock:
            if self._stopping:
                return
            now = dt_util.utcnow()
            busy = len(self._runs) - len(self._finishing)
            free = max(0, self.settings.max_concurrent - busy)
            # With no free slot, times that overlap a run in progress still skip.
            result = await self.store.async_claim_due(
                now, free, self.boot_id, self.settings.grace
            )
            for task_id in result.skipped:
                LOGGER.info("Skipped missed run of task %s by its policy", task_id)
            for task, execution_id in result.overlapped:
                LOGGER.info("Skipped run of task %s: %s", task.name, PREVIOUS_RUN_GOING)
                self.announce_finished(
                    execution_id,
                    ExecutionStatus.SKIPPED,
                    name=task.name,
                    task_id=task.task_id,
                    agent=task.agent,
                    user=task.user,
                    error=PREVIOUS_RUN_GOING,
                )
            for claim in result.claims:
                self._start_claim(claim)
            next_due = result.next_due
            # A task already due waits for a free slot: the end of a run wakes us.
            self._arm(next_due if next_due is not None and next_due > now else None)

    @callback
    def _arm(self, when: datetime | None) -> None:
        if when == self.timer_at and self._unsub_timer is not None:
            return
        self._cancel_timer()
        if when is None:
            return
        self.timer_at = when
        self._unsub_timer = async_track_point_in_utc_time(
            self.hass, self._on_timer, when
        )

    @callback
    def _cancel_timer(self) -> None:
        if self._unsub_timer is not None:
            self._unsub_timer()
        self._unsub_timer = None
        self.timer_at = None

    @callback
    def _on_timer(self, _now: datetime) -> None:
        self._unsub_timer = None
        self.timer_at = None
        self._spawn_wake()

    @callback
    def _spawn_wake(self) -> None:
        """Claim soon, in one wake task however many ask (a burst of run ends).

        Not started at once: a run's end asks before its record is queued, so
        the claim lands in the same group commit, after it.
        """
        if self._stopping:
            return
        if self._wake_task is not None and not self._wake_task.done():
            self._wake_again = True
            return
        self._wake_task = self.entry.async_create_background_task(
            self.hass, self._async_wake_while_asked(), f"{DOMAIN} wake", False
        )

    async def _async_wake_while_asked(self) -> None:
        while True:
            self._wake_again = False
            await self.async_wake()
            if not self._wake_again or self._stopping:
                return

    async def _async_tick(self, _now: datetime) -> None:
        await self._async_watchdog()
        await self._async_record_unrecorded()
        await self.async_wake()

    async def _async_record_unrecorded(self) -> None:
        """Write the ends of runs the database refused before, oldest first."""
        while self._unrecorded:
            try:
                await self._unrecorded[0]()
            except StoreError as err:
                self.store_health.async_failed("recording finished runs", err)
                return
            self._unrecorded.pop(0)

    async def _async_prune_tick(self, _now: datetime) -> None:
        await self._async_prune()

    async def _async_prune(self) -> None:
        try:
            executions, tasks = await self.store.async_prune(
                dt_util.utcnow() - self.settings.retention
            )
        except StoreError as err:
            LOGGER.error("Could not prune old executions: %s", err)
            return
        if executions or tasks:
            LOGGER.debug("Pruned %s executions and %s tasks", executions, tasks)

    async def _async_watchdog(self) -> None:
        """End executions in progress for more than twice their timeout."""
        now = dt_util.utcnow()
        for run in list(self._runs.values()):
            limit = 2 * run.request.timeout
            if (
                now - run.started > timedelta(seconds=limit)
                and run.cancel_status is None
                and run.execution_id not in self._finishing
            ):
                LOGGER.warning(
                    "Execution %s of %s exceeded twice its timeout; cancelling",
                    run.execution_id,
                    run.request.name,
                )
                self._cancel_run(
                    run,
                    ExecutionStatus.TIMED_OUT,
                    f"Cancelled after {limit:g} s (twice the timeout)",
                )

    # Runs

    async def async_run_now(self, task_id: str) -> Claim | None:
        """Run a task now, outside its schedule; None if it is running or cancelled."""
        if self._stopping:
            return None
        claim = await self.store.async_claim_manual(
            task_id, dt_util.utcnow(), self.boot_id
        )
        if claim is not None:
            self._start_claim(claim)
        return claim

    async def async_wakeup(self, request: RunRequest, caller: str | None = None) -> Run:
        """Start a run with no stored task; return it (its ``done`` fires at the end).

        ``caller`` is whose rate it counts against (a user, or a source); by
        default its origin. Raises Overloaded when the caller is over its rate, the
        queue is full or the agent's breaker is open.
        """
        if self._stopping:
            raise Overloaded("stopping", 30)
        caller = caller or request.origin
        if not self.rate_limiter.take(caller):
            raise Overloaded("rate_limited", 1)
        room = self.settings.max_concurrent + self.settings.max_queue
        # One caller may hold at most half of the slots and queue: a flood from one
        # leaves room for everybody else.
        if sum(run.caller == caller for run in self._runs.values()) >= max(
            1, room // 2
        ):
            raise Overloaded("caller_busy", 5)
        if len(self._runs) >= room:
            raise Overloaded("queue_full", 5)
        breaker = self.breaker_of(request)
        if not breaker.allow():
            raise Overloaded("breaker_open", breaker.retry_after())
        now = dt_util.utcnow()
        execution_id = await self.store.async_start_run(request, now, self.boot_id)
        return self._start_run(Run(request, execution_id, now, caller=caller))

    def breaker_of(self, request: RunRequest) -> CircuitBreaker:
        """Return the breaker of the conversation agent a run goes to."""
        persona = persona_of(self.entry, request.agent)
        return self.breaker.for_agent(
            persona.conversation_agent if persona else request.agent
        )

    def cancel_task_run(self, task_id: str) -> bool:
        """Cancel the execution in progress of a task, if any."""
        for run in self._runs.values():
            if run.request.task_id == task_id:
                self._cancel_run(run, ExecutionStatus.CANCELLED, "Cancelled by request")
                return True
        return False

    def _cancel_run(self, run: Run, status: ExecutionStatus, reason: str) -> None:
        run.cancel_status = status
        run.cancel_reason = reason
        if run.task is not None:
            run.task.cancel(reason)

    def _start_claim(self, claim: Claim) -> None:
        request = task_request(
            claim.task,
            claim.source,
            # Tasks are given owners at set-up; this covers one that slipped past.
            owner=self.identities.assistant,
            outside_user=self.identities.outside,
        )
        self._start_run(Run(request, claim.execution_id, claim.started))

    def _start_run(self, run: Run) -> Run:
        self._runs[run.execution_id] = run
        run.task = self.entry.async_create_background_task(
            self.hass,
            self._async_run(run),
            f"{DOMAIN} execution {run.execution_id}",
        )
        return run

    async def _async_run(self, run: Run) -> None:
        request = run.request
        self.hass.bus.async_fire(
            EVENT_EXECUTION_STARTED,
            {
                "execution_id": run.execution_id,
                "task_id": request.task_id,
                "task_name": request.name,
                "agent": request.agent,
                "user": request.recipient,
            },
        )
        run.outcome = outcome = await self._performer.async_perform(run)
        status = outcome.status
        if request.action is TaskAction.AGENT and status in _AGENT_OUTCOMES:
            self.breaker_of(request).record(
                status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.QUIET)
            )
        finished = await self._async_finish(run, outcome)
        if finished is None or not finished.retried:
            await self._performer.async_report(run, outcome)
        if finished is not None:
            async_follow_task_failures(
                self.hass, request, status, outcome.error, finished
            )

    async def _async_finish(self, run: Run, outcome: RunOutcome) -> FinishedRun | None:
        """Record the end of a run (and what its task does next); None if not."""
        request = run.request
        status = outcome.status
        response = _truncate(outcome.response, RESPONSE_LIMIT)
        record = partial(
            self.store.async_finish_execution,
            run.execution_id,
            status,
            dt_util.utcnow(),
            response=response,
            error=outcome.error,
            conversation_id=run.conversation_id,
            delivery=run.delivery,
            retry=self.settings.retry,
            retryable=outcome.retryable,
            acting_user=request.acting_user,
            tool_calls=run.tool_log.as_json() if run.tool_log else None,
        )
        finished: FinishedRun | None = None
        # Its slot is free: the next claim shares this record's commit.
        self._finishing.add(run.execution_id)
        self._spawn_wake()
        try:
            finished = await record()
        except StoreError as err:
            # Kept and retried on the tick; if Home Assistant stops first, the row
            # stays in_progress and the next start marks it abandoned.
            self._unrecorded.append(record)
            self.store_health.async_failed("recording a finished run", err)
        finally:
            self._finishing.discard(run.execution_id)
            self._runs.pop(run.execution_id, None)
            run.done.set()
        self.announce_finished(
            run.execution_id,
            status,
            task_id=request.task_id,
            name=request.name,
            routine=request.routine,
            agent=request.agent,
            user=request.recipient,
            response=response,
            error=outcome.error,
            delivery=run.delivery.status.value if run.delivery else None,
            attempt=request.attempt,
            retry_at=finished.retry_at if finished else None,
        )
        return finished

    def announce_finished(
        self,
        execution_id: str,
        status: ExecutionStatus,
        *,
        name: str,
        task_id: str | None = None,
        routine: str | None = None,
        agent: str | None = None,
        user: str | None = None,
        response: str | None = None,
        error: str | None = None,
        delivery: str | None = None,
        attempt: int = 1,
        retry_at: datetime | None = None,
    ) -> None:
        """Fire the finished event of an execution (runs without an agent too)."""
        self.hass.bus.async_fire(
            EVENT_EXECUTION_FINISHED,
            {
                "execution_id": execution_id,
                "task_id": task_id,
                "task_name": name,
                "routine": routine,
                "agent": agent,
                "user": user,
                "status": status.value,
                "response": _truncate(response, EVENT_TEXT_LIMIT),
                "error": _truncate(error, EVENT_TEXT_LIMIT),
                "delivery": delivery,
                "attempt": attempt,
                "retry_at": retry_at.isoformat() if retry_at else None,
            },
        )

    def done_event(self, execution_id: str) -> asyncio.Event | None:
        """Return the event set when a running execution ends; None if not running."""
        run = self._runs.get(execution_id)
        return run.done if run else None
