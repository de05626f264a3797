"""Repair issues of the engine: a task that keeps failing, a channel that fails.

A recurring task that failed again and again, and a channel a result could not be
delivered on after all its attempts. Each clears itself: the task's issue at its
next success (or when it is cancelled), the channel's at the next delivery that
reaches it.
"""

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util, slugify

from ..const import DOMAIN
from ..models import ExecutionStatus, RunRequest, TaskKind
from ..store import FinishedRun
from .retry import FAILING_TASK_THRESHOLD

ISSUE_TASK_FAILING = "task_failing"
ISSUE_DELIVERY_FAILED = "delivery_failed"


def task_issue_id(task_id: str) -> str:
    """Return the id of the repair issue of a task that keeps failing."""
    return f"{ISSUE_TASK_FAILING}_{task_id}"


@callback
def async_follow_task_failures(
    hass: HomeAssistant,
    request: RunRequest,
    status: ExecutionStatus,
    error: str | None,
    finished: FinishedRun,
) -> None:
    """Raise the issue of a recurring task failing again and again; clear it after."""
    if finished.task_id is None:
        return
    issue_id = task_issue_id(finished.task_id)
    if status in (ExecutionStatus.SUCCEEDED, ExecutionStatus.QUIET):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    if finished.kind is not TaskKind.CRON or finished.failures < FAILING_TASK_THRESHOLD:
        return
    next_run = finished.next_run
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_TASK_FAILING,
        translation_placeholders={
            "name": request.name,
            "failures": str(finished.failures),
            "error": error or status.value,
            "next_run": (
                dt_util.as_local(next_run).strftime("%Y-%m-%d %H:%M")
                if next_run
                else "-"
            ),
        },
    )


@callback
def async_clear_task_issue(hass: HomeAssistant, task_id: str) -> None:
    """Clear a task's issue (it was cancelled)."""
    ir.async_delete_issue(hass, DOMAIN, task_issue_id(task_id))


def _delivery_issue_id(channel: str, target: str | None) -> str:
    return f"{ISSUE_DELIVERY_FAILED}_{slugify(f'{channel} {target or ""}')}"


@callback
def async_delivery_failed(
    hass: HomeAssistant, channel: str, target: str | None, title: str, error: str
) -> None:
    """Raise the issue of a channel that took none of a result's attempts."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        _delivery_issue_id(channel, target),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_DELIVERY_FAILED,
        translation_placeholders={
            "channel": channel,
            "target": target or channel,
            "title": title,
            "error": error,
        },
    )


@callback
def async_delivery_recovered(
    hass: HomeAssistant, channel: str, target: str | None
) -> None:
    """Clear the issue of a channel that took a result again."""
    ir.async_delete_issue(hass, DOMAIN, _delivery_issue_id(channel, target))
