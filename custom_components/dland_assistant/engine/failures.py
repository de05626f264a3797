"""Tell the person a run was for that it failed: once, on their channel, what and why.

A reminder that silently fails is a promise broken without a word. Runs meant for
nobody (deliver off, a routine for the household's log) are not reported; the
execution log and the events carry those.
"""

import asyncio
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from ..const import CHANNEL_PERSISTENT, LOGGER
from ..models import DeliveryRecord, DeliveryStatus, ExecutionStatus, TaskAction
from .delivery import async_deliver, async_deliver_to_target

REPORTED = frozenset(
    {ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABANDONED}
)
# A report must not hold up Home Assistant's stop, when runs end as abandoned.
REPORT_TIMEOUT = 5
_OUTCOMES = {
    ExecutionStatus.FAILED: "failed",
    ExecutionStatus.TIMED_OUT: "took too long and was stopped",
    ExecutionStatus.ABANDONED: "was interrupted",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FailedRun:
    """What a report needs to know of a run that did not do its job."""

    name: str
    status: ExecutionStatus
    error: str | None
    action: TaskAction = TaskAction.AGENT
    recipient: str | None = None
    platform: str | None = None
    notify_target: str | None = None
    # The delivery that failed, if that was the failure: not tried again.
    delivery: DeliveryRecord | None = None


def report_text(run: FailedRun) -> tuple[str, str]:
    """Return the title and message of a report."""
    what = "Reminder" if run.action is TaskAction.REMIND else "Task"
    outcome = _OUTCOMES.get(run.status, run.status.value)
    why = f" {run.error}" if run.error else ""
    return (
        f"{what} {outcome}: {run.name}",
        f"{what} “{run.name}” {outcome}.{why}",
    )


async def async_report_failure(
    hass: HomeAssistant, entry: ConfigEntry, run: FailedRun
) -> DeliveryRecord | None:
    """Send the report; return how it went (None when there was nobody to tell)."""
    if run.status not in REPORTED:
        return None
    title, message = report_text(run)
    failed_channel = (
        run.delivery.channel
        if run.delivery and run.delivery.status is DeliveryStatus.FAILED
        else None
    )
    try:
        async with asyncio.timeout(REPORT_TIMEOUT):
            if run.notify_target and failed_channel is None:
                return await async_deliver_to_target(
                    hass, run.notify_target, title=title, message=message
                )
            # The channel that just failed would fail the report too: say it in
            # Home Assistant's notifications instead.
            platform = CHANNEL_PERSISTENT if failed_channel else run.platform
            return await async_deliver(
                hass, entry, run.recipient, platform, title=title, message=message
            )
    except TimeoutError:
        LOGGER.warning("The report that %s %s timed out", run.name, run.status.value)
        return None
