"""Diagnostics: the scheduler's state for a bug report, with secrets redacted."""

from datetime import timedelta
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CALLBACK_URL,
    CONF_IDENTIFIER,
    CONF_PHONE,
    CONF_SECRET,
    CONF_SIGNATURE_SECRET,
    CONF_URL,
)
from .coordinator import local_time
from .models import ExecutionStatus
from .runtime import DlandConfigEntry
from .store import SCHEMA_VERSION

# Credentials, and what identifies people or reaches them from outside.
TO_REDACT = {
    CONF_SECRET,
    CONF_SIGNATURE_SECRET,
    CONF_IDENTIFIER,
    CONF_PHONE,
    CONF_URL,
    CONF_CALLBACK_URL,
    "api_key",
    "token",
}
RECENT_FAILURES = 10


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DlandConfigEntry
) -> dict[str, Any]:
    """Return task counts, recent failures, the schema and the timer's state."""
    runtime = entry.runtime_data
    store, scheduler = runtime.store, runtime.scheduler
    failures = await store.async_list_executions(
        status=ExecutionStatus.FAILED, limit=RECENT_FAILURES
    )
    return {
        "options": dict(entry.options),
        "subentries": [
            {
                "type": subentry.subentry_type,
                "title": subentry.title,
                "data": async_redact_data(dict(subentry.data), TO_REDACT),
            }
            for subentry in entry.subentries.values()
        ],
        "store": {
            "schema_version": await store.async_schema_version(),
            "supported_schema_version": SCHEMA_VERSION,
            "tasks_by_status": await store.async_count_tasks_by_status(),
            "executions_by_trust_24h": await store.async_count_executions_by_trust(
                dt_util.utcnow() - timedelta(hours=24)
            ),
        },
        "scheduler": {
            "timer_at": local_time(scheduler.timer_at),
            "running": scheduler.running,
            "abandoned_at_start": scheduler.abandoned_at_start,
            "breaker": scheduler.breaker.state.value,
            "breaker_trips": scheduler.breaker.trips,
            "breakers": scheduler.breaker.by_agent(),
            "now": local_time(dt_util.utcnow()),
        },
        "recent_failures": [
            {
                "execution_id": execution.execution_id,
                "task_id": execution.task_id,
                "origin": execution.origin,
                "trust": execution.trust.value,
                "routine": execution.routine,
                "started": local_time(execution.started),
                "error": (execution.error or "")[:300],
            }
            for execution in failures
        ],
    }
