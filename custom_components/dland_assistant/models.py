"""Data types of the scheduler: tasks, executions and their states."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
import json
from typing import Any

from .const import ONLY_WHEN_NEEDED_PROMPT


class TaskKind(StrEnum):
    """How a task is scheduled."""

    ONCE = "once"
    CRON = "cron"
    # Waits for a moment (a person arriving, a device done), not for a time.
    MOMENT = "moment"


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
    # The agent answered that nothing needs attention: kept, not delivered.
    QUIET = "quiet"


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


class Trust(StrEnum):
    """Whether anything a run is given came from outside the home.

    An *outside* run (an SMS, a video title, a ticket, an event's text, or anything
    derived from them) acts as the read-only user, gets read-only tools only, no
    memories and no trusted conversation, and cannot store new work.
    """

    TRUSTED = "trusted"
    OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class Moment:
    """What a moment task waits for.

    ``trigger`` is one Home Assistant trigger (a ``state``, ``numeric_state`` or
    ``zone`` trigger, as automations write them); it counts only between ``after``
    and ``before`` (local times of day, either may be left out) and until
    ``until``. Once, or every time it happens (``every_time``), at most once per
    ``cooldown``.
    """

    trigger: dict[str, Any]
    after: time | None = None
    before: time | None = None
    until: datetime | None = None
    every_time: bool = False
    cooldown: timedelta = timedelta(minutes=10)

    def to_json(self) -> str:
        """Return the moment as stored."""
        return json.dumps(
            {
                "trigger": self.trigger,
                "after": self.after.isoformat() if self.after else None,
                "before": self.before.isoformat() if self.before else None,
                "until": self.until.timestamp() if self.until else None,
                "every_time": self.every_time,
                "cooldown": self.cooldown.total_seconds(),
            },
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> Moment:
        """Return a stored moment."""
        data = json.loads(text)
        until = data.get("until")
        return cls(
            trigger=data["trigger"],
            after=time.fromisoformat(data["after"]) if data.get("after") else None,
            before=time.fromisoformat(data["before"]) if data.get("before") else None,
            until=None if until is None else datetime.fromtimestamp(until, UTC),
            every_time=bool(data.get("every_time")),
            cooldown=timedelta(seconds=data.get("cooldown", 600)),
        )


@dataclass(frozen=True, slots=True)
class Task:
    """A stored task."""

    task_id: str
    name: str
    agent: str
    prompt: str
    # Who gets the result: a person entity or a Home Assistant user id.
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
    # The Home Assistant user the task belongs to and, when trusted, acts as.
    owner: str | None = None
    trust: Trust = Trust.TRUSTED
    # Failed attempts of the current run, failed runs in a row, the task's own
    # number of attempts (None: the options'), and when a reminder stops retrying.
    attempt: int = 0
    failures: int = 0
    max_attempts: int | None = None
    retry_until: datetime | None = None
    # Deliver only when the agent has something to say.
    only_when_needed: bool = False
    # A moment task: what it waits for, when it last happened, and what happened
    # (said in the reminder: "Dan came home").
    moment: Moment | None = None
    fired: datetime | None = None
    occurrence: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRequest:
    """One run, decided at the edge that asked for it and carried unchanged.

    What to run (agent, prompt, quoted outside data), for whom (owner, recipient),
    acting as whom (``acting_user``: the owner, or the read-only user when outside),
    with what trust, from which origin.
    """

    name: str
    agent: str
    prompt: str
    origin: str
    source: ExecutionSource
    owner: str
    acting_user: str
    trust: Trust
    timeout: float
    # Labelled, quoted data from outside, given after the prompt (never instructions).
    outside_data: str = ""
    recipient: str | None = None
    platform: str | None = None
    deliver: bool = True
    action: TaskAction = TaskAction.AGENT
    task_id: str | None = None
    routine: str | None = None
    # A notify target that gets the result instead of the recipient's channel.
    notify_target: str | None = None
    # Images (media source ids) described for the agent.
    attachments: tuple[str, ...] = ()
    # Deliver only when the agent has something to say (it answers
    # NOTHING_TO_REPORT otherwise, and the run is QUIET).
    only_when_needed: bool = False
    # Which attempt of the run this is (a retry is the 2nd, …).
    attempt: int = 1

    @property
    def outside(self) -> bool:
        """Return whether the run was given anything from outside."""
        return self.trust is Trust.OUTSIDE

    @property
    def full_prompt(self) -> str:
        """Return the prompt, its quoted outside data, and how to stay quiet."""
        quiet = ONLY_WHEN_NEEDED_PROMPT if self.only_when_needed else ""
        return self.prompt + self.outside_data + quiet


def task_request(
    task: Task, source: ExecutionSource, owner: str, outside_user: str
) -> RunRequest:
    """Return the run of a stored task (``owner`` when the task has none yet)."""
    owner = task.owner or owner
    # A moment task says what happened first ("Dan came home: buy milk").
    prompt = f"{task.occurrence}: {task.prompt}" if task.occurrence else task.prompt
    return RunRequest(
        name=task.name,
        agent=task.agent,
        prompt=prompt,
        origin=task.source,
        source=source,
        owner=owner,
        acting_user=outside_user if task.trust is Trust.OUTSIDE else owner,
        trust=task.trust,
        timeout=task.timeout,
        recipient=task.user,
        platform=task.platform,
        deliver=task.deliver,
        action=task.action,
        task_id=task.task_id,
        only_when_needed=task.only_when_needed,
        attempt=task.attempt + 1,
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
    owner: str | None = None
    trust: Trust = Trust.TRUSTED
    # Which attempt of its run this was, and when the next one is (if any).
    attempt: int = 1
    next_attempt: datetime | None = None
    # The user it acted as, and the tools its agent called:
    # {"calls": [{tool, arguments, result, error}], "dropped": n}.
    acting_user: str | None = None
    tool_calls: dict[str, Any] | None = None


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
    source: ExecutionSource = ExecutionSource.SCHEDULE


@dataclass(frozen=True, slots=True)
class Fact:
    """One remembered fact."""

    fact_id: str
    subject: str
    fact: str
    confidence: float
    source: str | None
    created: datetime
    updated: datetime
    trust: Trust = Trust.TRUSTED

    def as_dict(self) -> dict[str, Any]:
        """Return the fact as service and tool data."""
        return {
            "fact_id": self.fact_id,
            "subject": self.subject,
            "fact": self.fact,
            "confidence": self.confidence,
            "source": self.source,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
            "trust": self.trust.value,
        }


@dataclass(frozen=True, slots=True)
class NewFact:
    """A fact to store, with its de-duplication key."""

    subject: str
    fact: str
    confidence: float
    source: str | None
    norm: str


@dataclass(frozen=True, slots=True)
class Rhythm:
    """Where a routine's schedule stands."""

    routine_id: str
    # The schedule this was computed for ("interval 60", "daily 07:30:00", ...).
    key: str
    anchor: datetime
    next_run: datetime | None
