"""Data types of the scheduler: tasks, executions and their states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from homeassistant.util import dt as dt_util


class TaskKind(StrEnum):
    """How a task is scheduled."""

    ONCE = "once"
    CRON = "cron"


class TaskStatus(StrEnum):
    """Where a task stands.

    A one-off task ends in the final status of its execution; a recurring task goes
    back to ``scheduled`` after each run.
    """

    SCHEDULED = "scheduled"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    ABANDONED = "abandoned"
    CANCELLED = "cancelled"
    MISSED = "missed"


class ExecutionStatus(StrEnum):
    """Where an execution stands."""

    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    ABANDONED = "abandoned"
    CANCELLED = "cancelled"
    # A heartbeat routine that had nothing new to say, or could not run.
    SKIPPED = "skipped"


class MissedRunPolicy(StrEnum):
    """What happens to runs that fell due while Home Assistant was down."""

    RUN_ONCE = "run_once"
    SKIP = "skip"


class TaskAction(StrEnum):
    """What a task does when it runs."""

    # Send the prompt to the agent and deliver its answer.
    AGENT = "agent"
    # Deliver the prompt itself as a reminder; no agent is asked.
    REMIND = "remind"


class DeliveryStatus(StrEnum):
    """Whether a run's result reached its recipient."""

    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class ExecutionSource(StrEnum):
    """What started an execution."""

    SCHEDULE = "schedule"
    MANUAL = "manual"
    WAKEUP = "wakeup"
    HEARTBEAT = "heartbeat"


@dataclass(frozen=True, slots=True)
class Task:
    """A stored task."""

    task_id: str
    name: str
    agent: str
    prompt: str
    user: str | None
    platform: str | None
    kind: TaskKind
    next_run: datetime | None
    cron: str | None
    time_zone: str | None
    enabled: bool
    status: TaskStatus
    timeout: float
    missed_run_policy: MissedRunPolicy
    source: str
    created: datetime
    updated: datetime
    deliver: bool = True
    action: TaskAction = TaskAction.AGENT
    last_run: datetime | None = None
    last_status: ExecutionStatus | None = None
    # Wakeups only, not stored with a task: images (media source ids) described
    # for the agent, the heartbeat routine it runs for, and a notify target that
    # gets the result instead of the user's channel.
    attachments: tuple[str, ...] = ()
    routine: str | None = None
    notify_target: str | None = None


def unstored_task(
    *,
    name: str,
    agent: str,
    prompt: str,
    source: str,
    timeout: float,
    user: str | None = None,
    platform: str | None = None,
    deliver: bool = True,
    attachments: tuple[str, ...] = (),
    routine: str | None = None,
    notify_target: str | None = None,
) -> Task:
    """Return the task of a run that is not stored as a task (a wakeup, a routine)."""
    now = dt_util.utcnow()
    return Task(
        task_id="",
        name=name,
        agent=agent,
        prompt=prompt,
        user=user,
        platform=platform,
        kind=TaskKind.ONCE,
        next_run=None,
        cron=None,
        time_zone=None,
        enabled=True,
        status=TaskStatus.RUNNING,
        timeout=timeout,
        missed_run_policy=MissedRunPolicy.RUN_ONCE,
        source=source,
        created=now,
        updated=now,
        deliver=deliver,
        action=TaskAction.AGENT,
        attachments=attachments,
        routine=routine,
        notify_target=notify_target,
    )


@dataclass(frozen=True, slots=True)
class Execution:
    """One run of a task, as stored in the execution log."""

    execution_id: str
    task_id: str | None
    source: ExecutionSource
    status: ExecutionStatus
    started: datetime
    finished: datetime | None
    error: str | None
    response: str | None
    boot_id: str
    conversation_id: str | None = None
    delivery_channel: str | None = None
    delivery_target: str | None = None
    delivery_status: DeliveryStatus | None = None
    delivery_error: str | None = None
    # For a wakeup, what woke it: api, camera, vonage, youtube, whmcs, …
    origin: str | None = None
    # The heartbeat routine (its subentry id) this execution ran for.
    routine: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """Where a run's result went and whether it arrived."""

    channel: str
    target: str | None
    status: DeliveryStatus
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RoutedEvent:
    """Something that happened outside, as the event router stored it."""

    event_id: str
    source: str
    type: str
    user: str | None
    summary: str
    significance: int
    time: datetime
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A task claimed for a run: its execution row exists and is ``in_progress``."""

    task: Task
    execution_id: str
    started: datetime
