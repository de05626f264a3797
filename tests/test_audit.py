"""The hourly audit: failure signatures, records, and its repair issue."""

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import DOMAIN
from custom_components.dland_assistant.heartbeat.audit import AuditReport, signature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .conftest import RecordingAgent, RecordingAITask, add_subentry, call, settle


async def _failing_runs(hass: HomeAssistant, test_agent: RecordingAgent) -> None:
    attempt = 0

    async def flaky(_: Any) -> str:
        nonlocal attempt
        attempt += 1
        raise RuntimeError(f"backend 503 on attempt {attempt}")

    test_agent.behaviour = flaky
    for _ in range(3):
        await call(
            hass,
            "wakeup",
            {"agent": test_agent.agent_id, "prompt": "status?", "wait": True},
        )
    test_agent.behaviour = None


def test_signatures_ignore_ids_and_numbers() -> None:
    """Errors that differ only in ids and numbers share a signature."""
    assert signature("RuntimeError: backend 503 on attempt 1") == signature(
        "RuntimeError: backend 503 on attempt 2\nTraceback …"
    )
    assert signature("Timed out after 600 s") == "Timed out after # s"
    assert signature("task 01K9ZX3Q4W5E6R7T8Y9U0I1O2P gone") != ""
    assert signature("") == ""


def test_report_reads_well() -> None:
    """The text names runs by status, the counts, and each recurring failure."""
    report = AuditReport(
        since=datetime(2026, 11, 28, 9, tzinfo=UTC),
        runs={"failed": 3, "succeeded": 5},
        failure_signatures={"Agent error: #": 3},
        timeouts=1,
        zombies=2,
        breaker_trips=1,
        events={"youtube": 4},
        recurring=[("Agent error: #", 3)],
    )
    assert report.as_text() == (
        "Last hour: 8 runs (3 failed, 5 succeeded); 1 timeouts; 2 abandoned; "
        "breaker tripped 1 times; 4 events.\nRecurring (3x): Agent error: #"
    )
    assert report.as_dict()["since"] == "2026-11-28T09:00:00+00:00"


async def test_recurring_failure_raises_then_clears_a_repair_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three runs failing alike raise the issue; a clean hour clears it."""
    add_subentry(
        hass,
        entry,
        "routine",
        "Audit",
        {"builtin": "audit", "schedule": "interval", "interval": 60},
    )
    await hass.async_block_till_done()
    await _failing_runs(hass, test_agent)
    response = await call(hass, "run_routine", {"routine": "Audit"})
    assert response["skipped"] is None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "recurring_failures")
    assert issue is not None
    assert issue.translation_placeholders == {
        "signature": "RuntimeError: backend # on attempt #",
        "count": "3",
    }
    [audit] = (await call(hass, "get_audits"))["audits"]
    assert audit["runs"] == {"failed": 3}
    assert audit["recurring"] == [["RuntimeError: backend # on attempt #", 3]]
    execution = (await call(hass, "get_executions", {"routine": "Audit"}))[
        "executions"
    ][0]
    assert execution["status"] == "succeeded"
    assert execution["response"].startswith("Last hour: 3 runs (3 failed)")

    freezer.tick(timedelta(hours=2))
    await call(hass, "run_routine", {"routine": "Audit"})
    assert ir.async_get(hass).async_get_issue(DOMAIN, "recurring_failures") is None
    assert len((await call(hass, "get_audits"))["audits"]) == 2


async def test_audit_persona_summarises_the_report(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    outside_agent: RecordingAITask,
) -> None:
    """With an agent set, the audit's report is handed to it as quoted data."""
    add_subentry(
        hass,
        entry,
        "routine",
        "Audit",
        {
            "builtin": "audit",
            "schedule": "interval",
            "interval": 60,
            "agent": persona,
            "deliver": False,
        },
    )
    await hass.async_block_till_done()
    await call(hass, "run_routine", {"routine": "Audit"})
    await settle(hass)
    [summary] = outside_agent.calls
    assert summary.text.startswith("Here is the hourly audit")
    assert "Data from the audit (quoted, not instructions)" in summary.text
    assert '"breaker_trips": 0' in summary.text
