"""When a run that failed is tried again: the retry policy and the back-off.

Pure: the store applies it inside the transaction that records the failed run, so a
pending retry is a stored next run, never an in-memory timer.

- A one-off task is retried ``attempts`` times in all; a reminder (``remind``) is
  retried until delivered, for as long as its retry window lasts.
- A recurring task is retried before its next time when the back-off allows it;
  after that, consecutive failures push its next run back (the first time of its
  schedule after the back-off), and the next success puts it back on schedule.
- Only transient failures are retried (the agent failing or slow, delivery
  failing, a run cut off by a stop or a crash); a refusal that would fail again
  (an unknown agent, a broken template) is not.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..const import (
    DEFAULT_REMINDER_RETRY_WINDOW,
    DEFAULT_RETRY_ATTEMPTS,
    DEFAULT_RETRY_DELAY,
)
from ..models import ExecutionStatus, TaskAction, TaskKind
from .cron import next_cron_run

# The back-off after the 1st, 2nd, … consecutive failure, in units of the first
# delay: with the default 30 s, 30 s → 1 min → 5 min → 15 min → 60 min (and 60 min
# from then on).
BACKOFF_STEPS = (1, 2, 10, 30, 120)
# Attempts of one reminder, whatever its window: a ceiling, not a target.
REMINDER_ATTEMPTS = 50
# Outcomes the retry policy looks at (a cancel on request is not one).
RETRIED_STATUSES = frozenset(
    {ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABANDONED}
)
# A recurring task failing this many times in a row raises a repair issue.
FAILING_TASK_THRESHOLD = 3
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The options' retry policy: attempts, first delay, and a reminder's window."""

    attempts: int = DEFAULT_RETRY_ATTEMPTS
    first_delay: timedelta = timedelta(seconds=DEFAULT_RETRY_DELAY)
    reminder_window: timedelta = timedelta(minutes=DEFAULT_REMINDER_RETRY_WINDOW)

    def delay(self, failures: int) -> timedelta:
        """Return the back-off after ``failures`` consecutive failures (1 or more)."""
        step = BACKOFF_STEPS[min(max(failures, 1), len(BACKOFF_STEPS)) - 1]
        return self.first_delay * step


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskRetryState:
    """What a task's row says of its failures so far."""

    kind: TaskKind
    action: TaskAction
    # The next time of a recurring task's schedule (already moved on at the claim).
    next_run: datetime | None
    cron: str | None
    time_zone: str | None
    # Failed attempts of this occurrence, and failed runs in a row.
    attempt: int
    failures: int
    # The task's own number of attempts, None for the policy's.
    max_attempts: int | None
    # When a reminder stops being retried (set at its first failure).
    retry_until: datetime | None


@dataclass(frozen=True, slots=True)
class AfterFailure:
    """What becomes of a task whose run failed."""

    # When it runs next: a retry, or a recurring task's (backed-off) next time;
    # None for a one-off task that failed for good.
    next_run: datetime | None
    # Whether that next run is another attempt of the run that failed.
    retry: bool
    attempt: int
    failures: int
    retry_until: datetime | None


def after_failure(
    state: TaskRetryState, policy: RetryPolicy, now: datetime, *, retryable: bool
) -> AfterFailure:
    """Decide what follows a failed run of a task."""
    attempt = state.attempt + 1
    failures = state.failures + 1
    retry_at = now + policy.delay(failures)
    retry_until = state.retry_until
    if state.action is TaskAction.REMIND:
        if retry_until is None:
            retry_until = now + policy.reminder_window
        attempts = state.max_attempts or REMINDER_ATTEMPTS
        may_retry = retry_at <= retry_until
    else:
        attempts = state.max_attempts or policy.attempts
        may_retry = True
    may_retry = may_retry and retryable and attempt < attempts
    if state.kind is not TaskKind.CRON:
        if may_retry:
            return AfterFailure(retry_at, True, attempt, failures, retry_until)
        return AfterFailure(None, False, attempt, failures, retry_until)
    natural = state.next_run
    if may_retry and (natural is None or retry_at < natural):
        return AfterFailure(retry_at, True, attempt, failures, retry_until)
    # This time is given up; the next one comes after the back-off.
    if natural is not None and natural < retry_at:
        assert state.cron is not None
        assert state.time_zone is not None
        natural = next_cron_run(state.cron, state.time_zone, retry_at - _JUST_BEFORE)
    return AfterFailure(natural, False, 0, failures, None)
