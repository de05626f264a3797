"""The hourly audit: a deterministic look at the last hour's runs and events.

It finds recurring failure signatures (the same error, or the same tool failing,
again and again), timeouts, circuit breaker trips and zombie clean-ups (runs found
abandoned), names the recurring tasks that keep failing (each has its own repair
issue, see ``engine.repairs``), stores an audit record, and raises a repair issue
while a failure keeps recurring; the first audit that finds none clears it.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.json import JsonValueType

from ..const import DOMAIN
from ..engine.retry import FAILING_TASK_THRESHOLD
from ..models import ExecutionStatus
from ..store import TaskStore

WINDOW = timedelta(hours=1)
# The same failure this often in an hour is a pattern, not bad luck.
RECURRING_THRESHOLD = 3
ISSUE_RECURRING = "recurring_failures"
SUMMARY_PROMPT = (
    "Here is the hourly audit of the home assistant's background runs. Summarise "
    "it in two sentences for the household and say what, if anything, needs "
    "attention."
)
_VOLATILE = re.compile(
    r"[0-9A-HJKMNP-TV-Z]{26}"  # ULIDs
    r"|\b[0-9a-f]{8,}\b"  # hex ids
    r"|\d+(\.\d+)?"  # numbers
)


def signature(error: str) -> str:
    """Return an error with its ids and numbers blanked, so repeats compare equal."""
    return _VOLATILE.sub("#", error.strip().splitlines()[0] if error.strip() else "")[
        :160
    ]


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What the audit found in its window."""

    since: datetime
    runs: dict[str, int]
    failure_signatures: dict[str, int]
    timeouts: int
    zombies: int
    breaker_trips: int
    events: dict[str, int]
    recurring: list[tuple[str, int]] = field(default_factory=list)
    # Recurring tasks that failed FAILING_TASK_THRESHOLD times or more in a row:
    # (name, failures).
    failing_tasks: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data."""
        data = asdict(self)
        data["since"] = self.since.isoformat()
        data["recurring"] = [list(item) for item in self.recurring]
        data["failing_tasks"] = [list(item) for item in self.failing_tasks]
        return data

    def as_text(self) -> str:
        """Return the report in a few lines."""
        total = sum(self.runs.values())
        by_status = ", ".join(f"{n} {s}" for s, n in sorted(self.runs.items()))
        lines = [
            f"Last hour: {total} runs ({by_status or 'none'}); {self.timeouts} "
            f"timeouts; {self.zombies} abandoned; breaker tripped "
            f"{self.breaker_trips} times; {sum(self.events.values())} events.",
        ]
        lines += [f"Recurring ({count}x): {sig}" for sig, count in self.recurring]
        lines += [
            f"Keeps failing ({failures} in a row): {name}"
            for name, failures in self.failing_tasks
        ]
        return "\n".join(lines)


async def async_run_audit(
    hass: HomeAssistant, store: TaskStore, breaker_trips: int
) -> AuditReport:
    """Audit the last hour, store the record, and raise or clear the repair issue."""
    since = dt_util.utcnow() - WINDOW
    executions = await store.async_list_executions(since=since, limit=100_000)
    events = await store.async_list_events(since, limit=100_000)
    failures = Counter(
        signature(execution.error or execution.status.value)
        for execution in executions
        if execution.status in (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)
    )
    report = AuditReport(
        since=since,
        runs=dict(Counter(execution.status.value for execution in executions)),
        failure_signatures=dict(failures),
        timeouts=sum(e.status is ExecutionStatus.TIMED_OUT for e in executions),
        zombies=sum(e.status is ExecutionStatus.ABANDONED for e in executions),
        breaker_trips=breaker_trips,
        events=dict(Counter(event.source for event in events)),
        recurring=[
            (sig, count)
            for sig, count in failures.most_common()
            if count >= RECURRING_THRESHOLD
        ],
        failing_tasks=await store.async_failing_tasks(FAILING_TASK_THRESHOLD),
    )
    await store.async_add_audit(report.as_dict())
    if report.recurring:
        sig, count = report.recurring[0]
        ir.async_create_issue(
            hass,
            DOMAIN,
            ISSUE_RECURRING,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_RECURRING,
            translation_placeholders={"signature": sig, "count": str(count)},
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_RECURRING)
    return report


async def async_list_audits(store: TaskStore, limit: int = 24) -> list[JsonValueType]:
    """Return the newest audit records."""
    return await store.async_list_audits(limit)
