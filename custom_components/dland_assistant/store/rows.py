"""Rows to models and back: the columns read and how times are stored."""

from datetime import UTC, datetime
import json
import sqlite3

from ..models import (
    DeliveryStatus,
    Execution,
    ExecutionSource,
    ExecutionStatus,
    MissedRunPolicy,
    Moment,
    Task,
    TaskAction,
    TaskKind,
    TaskStatus,
    Trust,
)

_OWN_COLUMNS = """
    t.id, t.name, t.agent, t.prompt, t.user, t.platform, t.kind, t.next_run, t.cron,
    t.time_zone, t.enabled, t.status, t.timeout, t.missed_run_policy, t.source,
    t.created, t.updated, t.deliver, t.action, t.owner, t.trust, t.attempt,
    t.failures, t.max_attempts, t.retry_until, t.only_when_needed, t.moment,
    t.fired, t.occurrence"""
TASK_COLUMNS = f"""{_OWN_COLUMNS},
    (SELECT e.started FROM executions e WHERE e.task_id = t.id
        ORDER BY e.started DESC LIMIT 1) AS last_run,
    (SELECT e.status FROM executions e WHERE e.task_id = t.id
        ORDER BY e.started DESC LIMIT 1) AS last_status
"""
# What a claim reads: a run needs no last run (two index reads per task saved).
CLAIM_COLUMNS = f"{_OWN_COLUMNS}, NULL AS last_run, NULL AS last_status"
EXECUTION_COLUMNS = (
    "id, task_id, source, status, started, finished, error, response, boot_id,"
    " conversation_id, delivery_channel, delivery_target, delivery_status,"
    " delivery_error, origin, routine, owner, trust, attempt, next_attempt,"
    " acting_user, tool_calls"
)
PREFIXED_EXECUTION_COLUMNS = ", ".join(
    f"e.{column.strip()}" for column in EXECUTION_COLUMNS.split(",")
)


def to_timestamp(value: datetime | None) -> float | None:
    """Return a time as stored: UTC epoch seconds."""
    return None if value is None else value.timestamp()


def from_timestamp(value: float | None) -> datetime | None:
    """Return a stored time as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def task_from_row(row: sqlite3.Row) -> Task:
    """Return the task a row of TASK_COLUMNS describes."""
    created = from_timestamp(row["created"])
    updated = from_timestamp(row["updated"])
    assert created is not None
    assert updated is not None
    return Task(
        task_id=row["id"],
        name=row["name"],
        agent=row["agent"],
        prompt=row["prompt"],
        user=row["user"],
        platform=row["platform"],
        kind=TaskKind(row["kind"]),
        next_run=from_timestamp(row["next_run"]),
        cron=row["cron"],
        time_zone=row["time_zone"],
        enabled=bool(row["enabled"]),
        status=TaskStatus(row["status"]),
        timeout=row["timeout"],
        missed_run_policy=MissedRunPolicy(row["missed_run_policy"]),
        source=row["source"],
        created=created,
        updated=updated,
        deliver=bool(row["deliver"]),
        action=TaskAction(row["action"]),
        last_run=from_timestamp(row["last_run"]),
        last_status=(
            None if row["last_status"] is None else ExecutionStatus(row["last_status"])
        ),
        owner=row["owner"],
        trust=Trust(row["trust"]),
        attempt=row["attempt"],
        failures=row["failures"],
        max_attempts=row["max_attempts"],
        retry_until=from_timestamp(row["retry_until"]),
        only_when_needed=bool(row["only_when_needed"]),
        moment=None if row["moment"] is None else Moment.from_json(row["moment"]),
        fired=from_timestamp(row["fired"]),
        occurrence=row["occurrence"],
    )


def execution_from_row(row: sqlite3.Row) -> Execution:
    """Return the execution a row of EXECUTION_COLUMNS describes."""
    started = from_timestamp(row["started"])
    assert started is not None
    return Execution(
        execution_id=row["id"],
        task_id=row["task_id"],
        source=ExecutionSource(row["source"]),
        status=ExecutionStatus(row["status"]),
        started=started,
        finished=from_timestamp(row["finished"]),
        error=row["error"],
        response=row["response"],
        boot_id=row["boot_id"],
        conversation_id=row["conversation_id"],
        delivery_channel=row["delivery_channel"],
        delivery_target=row["delivery_target"],
        delivery_status=(
            None
            if row["delivery_status"] is None
            else DeliveryStatus(row["delivery_status"])
        ),
        delivery_error=row["delivery_error"],
        origin=row["origin"],
        routine=row["routine"],
        owner=row["owner"],
        trust=Trust(row["trust"]),
        attempt=row["attempt"],
        next_attempt=from_timestamp(row["next_attempt"]),
        acting_user=row["acting_user"],
        tool_calls=json.loads(row["tool_calls"]) if row["tool_calls"] else None,
    )
