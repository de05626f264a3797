"""Heartbeat routines on real calendar and to-do entities: gather, run, skip."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.dland_assistant.const import DOMAIN
from custom_components.dland_assistant.engine.run import says_nothing_to_report
from homeassistant.components import persistent_notification
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import (
    RecordingAgent,
    RecordingAITask,
    add_subentry,
    call,
    runtime,
    settle,
)


async def _local_lists(hass: HomeAssistant) -> None:
    """Set up a real local calendar and to-do list with one entry each."""
    await hass.async_add_executor_job(
        lambda: Path(hass.config.path(".storage")).mkdir(exist_ok=True)
    )
    for domain, data in (
        ("local_calendar", {"calendar_name": "Work", "storage_key": "work"}),
        ("local_todo", {"todo_list_name": "Work", "storage_key": "work"}),
    ):
        local = MockConfigEntry(domain=domain, data=data)
        local.add_to_hass(hass)
        assert await hass.config_entries.async_setup(local.entry_id)
    await hass.async_block_till_done()
    start = dt_util.now() + timedelta(hours=3)
    await hass.services.async_call(
        "calendar",
        "create_event",
        {
            "summary": "Design review",
            "start_date_time": start.isoformat(),
            "end_date_time": (start + timedelta(hours=1)).isoformat(),
        },
        target={"entity_id": "calendar.work"},
        blocking=True,
    )
    await _add_todo(hass, "Send the invoice")


async def _add_todo(hass: HomeAssistant, item: str) -> None:
    await hass.services.async_call(
        "todo", "add_item", {"item": item}, target={"entity_id": "todo.work"}
    )
    await hass.async_block_till_done()


async def _add_routine(
    hass: HomeAssistant, entry: MockConfigEntry, **data: Any
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "routine"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], data
    )
    await hass.async_block_till_done()
    return dict(result)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass, dt_util.utcnow())
    await settle(hass)


async def _routine_runs(hass: HomeAssistant, routine: str) -> list[dict[str, Any]]:
    response = await call(hass, "get_executions", {"routine": routine})
    return list(reversed(response["executions"]))


async def test_work_check_in_gathers_and_skips_when_unchanged(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
    outside_agent: RecordingAITask,
) -> None:
    """Calendar, to-dos, alerts and presence reach the agent; no change, no call."""
    await _local_lists(hass)
    hass.states.async_set("person.dan", "home", {"friendly_name": "Dan"})
    hass.states.async_set(
        "binary_sensor.washer_leak",
        "on",
        {"device_class": "problem", "friendly_name": "Washer leak"},
    )
    persistent_notification.async_create(hass, "Backup failed", title="NAS")
    result = await _add_routine(
        hass,
        entry,
        name="Work check-in",
        schedule="interval",
        interval=60,
        agent=persona,
        prompt="Check in with {{ user }} about the work day.",
        gatherers=["calendar", "todo", "alerts", "presence"],
        calendars=["calendar.work"],
        todo_lists=["todo.work"],
        user="person.dan",
        deliver=False,
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY

    await _tick(hass, freezer, timedelta(minutes=61))
    [first] = outside_agent.calls
    assert first.text.startswith("Check in with Dan about the work day.")
    for expected in (
        "Design review",
        "Send the invoice",
        "Problem: Washer leak",
        "Notification: NAS: Backup failed",
        '"Dan": "home"',
        "quoted, not instructions",
    ):
        assert expected in first.text, expected

    await _tick(hass, freezer, timedelta(minutes=60))
    assert len(outside_agent.calls) == 1
    await _add_todo(hass, "Book the train")
    await _tick(hass, freezer, timedelta(minutes=60))
    assert len(outside_agent.calls) == 2
    assert "Book the train" in outside_agent.calls[1].text

    runs = await _routine_runs(hass, "Work check-in")
    assert [(run["status"], run["error"]) for run in runs] == [
        ("succeeded", None),
        ("skipped", "Nothing changed since the last run"),
        ("succeeded", None),
    ]
    assert {run["source"] for run in runs} == {"heartbeat"}


async def test_a_failed_run_is_not_skipped_next_time(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Only a successful run's context counts as already told."""

    async def broken(_: Any) -> str:
        raise RuntimeError("model offline")

    test_agent.behaviour = broken
    await _add_routine(
        hass,
        entry,
        name="Presence",
        schedule="interval",
        interval=30,
        agent=persona,
        prompt="Who is home?",
        gatherers=["presence"],
        deliver=False,
    )
    await _tick(hass, freezer, timedelta(minutes=31))
    test_agent.behaviour = None
    await _tick(hass, freezer, timedelta(minutes=30))
    await _tick(hass, freezer, timedelta(minutes=30))
    runs = await _routine_runs(hass, "Presence")
    assert [run["status"] for run in runs] == ["failed", "succeeded", "skipped"]


async def test_prompts_that_read_the_clock_always_run(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A prompt using now() is never skipped, even with the same context."""
    await _add_routine(
        hass,
        entry,
        name="Clock",
        schedule="cron",
        cron="*/15 * * * *",
        agent=persona,
        # Reads the clock but renders the same text each time.
        prompt="{% if now().year > 2000 %}Brief me.{% endif %}",
        deliver=False,
    )
    for _ in range(3):
        await _tick(hass, freezer, timedelta(minutes=15))
    assert len(test_agent.calls) == 3
    assert {c.text for c in test_agent.calls} == {"Brief me."}


async def test_daily_routine_and_quiet_hours(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A daily run in quiet hours is skipped; run now ignores them."""
    freezer.move_to(dt_util.start_of_local_day() + timedelta(hours=6, minutes=59))
    await _add_routine(
        hass,
        entry,
        name="Morning",
        schedule="daily",
        time="07:00:00",
        agent=persona,
        prompt="Good morning.",
        quiet_start="06:30:00",
        quiet_end="07:30:00",
        deliver=False,
    )
    await _tick(hass, freezer, timedelta(minutes=1))
    assert test_agent.calls == []
    response = await call(hass, "run_routine", {"routine": "morning"})
    assert response["skipped"] is None
    await settle(hass)
    assert len(test_agent.calls) == 1
    runs = await _routine_runs(hass, "Morning")
    assert [(r["status"], r["error"]) for r in runs] == [
        ("skipped", "Quiet hours"),
        ("succeeded", None),
    ]


async def test_family_check_in_posts_to_the_group_channel(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
) -> None:
    """A routine with a group channel sends the agent's answer there."""
    family = async_mock_service(hass, "notify", "family")
    await _add_routine(
        hass,
        entry,
        name="Family check-in",
        schedule="daily",
        time="07:30:00",
        agent=persona,
        prompt="Today's family status.",
        notify_target="notify.family",
    )
    await call(hass, "run_routine", {"routine": "Family check-in"})
    await settle(hass)
    [message] = family
    assert message.data["message"].startswith("Done: Today's family status.")
    assert message.data["title"] == "Family check-in"


async def test_routine_form_checks_its_answers(
    hass: HomeAssistant, entry: MockConfigEntry, persona: str
) -> None:
    """Each schedule needs its field; agents exist; quiet hours come in pairs."""
    for data, errors in (
        ({"schedule": "interval"}, {"interval": "interval_required"}),
        ({"schedule": "daily"}, {"time": "time_required"}),
        ({"schedule": "cron", "cron": "61 * * * *"}, {"cron": "invalid_cron"}),
        (
            {"schedule": "cron", "cron": "1," * 60 + "2 * * * *"},
            {"cron": "cron_too_long"},
        ),
        (
            {"schedule": "interval", "interval": 5, "agent": "ghost"},
            {"agent": "unknown_agent"},
        ),
        (
            {"schedule": "interval", "interval": 5, "quiet_start": "22:00:00"},
            {"quiet_end": "quiet_hours_incomplete"},
        ),
    ):
        result = await _add_routine(hass, entry, name="x", **data)
        assert result["errors"] == errors


async def test_built_in_routines_come_with_old_entries_and_stay_built_in(
    hass: HomeAssistant, config_dir: Any, test_agent: RecordingAgent
) -> None:
    """Migration adds the built-ins; editing one keeps what it is."""
    old = MockConfigEntry(domain=DOMAIN, title="dland assistant", minor_version=1)
    old.add_to_hass(hass)
    assert await hass.config_entries.async_setup(old.entry_id)
    await hass.async_block_till_done()
    routines = {
        s.title: s for s in old.subentries.values() if s.subentry_type == "routine"
    }
    assert set(routines) == {
        "Audit",
        "Memory distillation",
        "Work check-in",
        "Family check-in",
    }
    assert old.minor_version == 4
    audit = routines["Audit"]
    result = await hass.config_entries.subentries.async_init(
        (old.entry_id, "routine"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": audit.subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Hourly audit", "schedule": "interval", "interval": 30},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    edited = old.subentries[audit.subentry_id]
    assert edited.title == "Hourly audit"
    assert edited.data["builtin"] == "audit"
    assert edited.data["interval"] == 30
    await hass.config_entries.async_unload(old.entry_id)


async def test_unknown_routine_is_a_clear_error(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Running or filtering by a routine that does not exist says so."""
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "run_routine", {"routine": "nope"})
    assert err.value.translation_key == "unknown_routine"


async def test_disabled_routines_do_not_run(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A switched-off routine is not armed."""
    await _add_routine(
        hass,
        entry,
        name="Off",
        enabled=False,
        schedule="interval",
        interval=5,
        agent=persona,
        prompt="hi",
    )
    await _tick(hass, freezer, timedelta(minutes=20))
    assert test_agent.calls == []
    assert await runtime(entry).store.async_list_executions(routine="x") == []


async def test_setup_component_imports_with_builtins(
    hass: HomeAssistant, config_dir: Any, test_agent: RecordingAgent
) -> None:
    """A fresh set-up from YAML runs the audit every hour without an agent."""
    assert await async_setup_component(
        hass, DOMAIN, {DOMAIN: {"default_agent": test_agent.agent_id}}
    )
    await hass.async_block_till_done()
    response = await call(hass, "run_routine", {"routine": "audit"})
    assert response["skipped"] is None
    audits = (await call(hass, "get_audits"))["audits"]
    assert len(audits) == 1
    assert test_agent.calls == []


async def test_editing_a_routine_does_not_reload_the_entry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Switching a routine re-arms schedules in place: runs in progress go on."""
    import asyncio

    release = asyncio.Event()

    async def slow(_: Any) -> str:
        await release.wait()
        return "finished"

    test_agent.behaviour = slow
    await _add_routine(
        hass,
        entry,
        name="Often",
        schedule="interval",
        interval=5,
        agent=persona,
        prompt="ping",
        deliver=False,
    )
    scheduler = runtime(entry).scheduler
    response = await call(
        hass, "wakeup", {"agent": persona, "prompt": "long job", "deliver": False}
    )
    routine = next(s for s in entry.subentries.values() if s.title == "Often")
    hass.config_entries.async_update_subentry(
        entry, routine, data={**routine.data, "enabled": False}
    )
    await hass.async_block_till_done()
    assert runtime(entry).scheduler is scheduler
    release.set()
    await settle(hass)
    execution = await scheduler.store.async_get_execution(response["execution_id"])
    assert execution is not None
    assert execution.status == "succeeded"
    await _tick(hass, freezer, timedelta(minutes=11))
    assert [c.text for c in test_agent.calls] == ["long job"]


async def test_an_interval_routines_next_run_is_its_timers(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Shown before its first run, and still the timer's after a run by hand."""
    freezer.move_to("2026-06-15 10:00:00+00:00")
    add_subentry(
        hass,
        entry,
        "routine",
        "Audit",
        {"builtin": "audit", "schedule": "interval", "interval": 60, "enabled": True},
    )
    await settle(hass)
    armed = dt_util.utcnow()

    def shown() -> datetime | None:
        state = hass.states.get("switch.dland_assistant_audit")
        assert state is not None
        return dt_util.parse_datetime(state.attributes["next_run"])

    assert shown() == armed + timedelta(minutes=60)
    await _tick(hass, freezer, timedelta(minutes=20))
    await call(hass, "run_routine", {"routine": "Audit"})
    await settle(hass)
    assert shown() == armed + timedelta(minutes=60)
    await _tick(hass, freezer, timedelta(minutes=41))  # the timer fired at 60
    assert shown() == armed + timedelta(minutes=120)


@pytest.mark.parametrize(
    ("answer", "quiet"),
    [
        ("NOTHING_TO_REPORT", True),
        ("  nothing_to_report.\n", True),
        ("**NOTHING TO REPORT**", True),
        ('"NOTHING_TO_REPORT"', True),
        ("NOTHING_TO_REPORT, but the bin goes out tonight", False),
        ("The bin goes out tonight.", False),
        ("", False),
    ],
)
def test_the_nothing_to_report_marker_as_models_write_it(
    answer: str, quiet: bool
) -> None:
    """The bare marker, however dressed, is quiet; any more text is a report."""
    assert says_nothing_to_report(answer) is quiet


async def test_a_check_in_with_nothing_to_report_stays_quiet(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
) -> None:
    """Only when needed: the agent is told the marker; its marker answer is kept
    in the log as quiet and nothing is sent; a real answer is sent as usual."""
    family = async_mock_service(hass, "notify", "family")
    await _add_routine(
        hass,
        entry,
        name="Family check-in",
        schedule="daily",
        time="07:30:00",
        agent=persona,
        prompt="Anything for the family?",
        notify_target="notify.family",
        only_when_needed=True,
    )
    answers = iter(["NOTHING_TO_REPORT.", "The dishwasher is done."])

    async def answer(_: Any) -> str:
        return next(answers)

    test_agent.behaviour = answer
    await call(hass, "run_routine", {"routine": "Family check-in"})
    await settle(hass)
    [asked] = test_agent.calls
    assert asked.text.startswith("Anything for the family?")
    assert asked.text.endswith(
        "If nothing needs attention, answer exactly NOTHING_TO_REPORT and nothing else."
    )
    [run] = await _routine_runs(hass, "Family check-in")
    assert (run["status"], run["response"]) == ("quiet", "NOTHING_TO_REPORT.")
    assert run["delivery"] is None
    assert family == []
    assert persistent_notification._async_get_or_create_notifications(hass) == {}

    await call(hass, "run_routine", {"routine": "Family check-in"})
    await settle(hass)
    [message] = family
    assert message.data["message"] == "The dishwasher is done."
    quiet, spoke = await _routine_runs(hass, "Family check-in")
    assert (quiet["status"], spoke["status"]) == ("quiet", "succeeded")


async def test_built_in_check_ins_turn_quiet_and_a_made_choice_stays(
    hass: HomeAssistant, config_dir: Any, test_agent: RecordingAgent
) -> None:
    """Upgrading: built-in check-ins deliver only when needed, unless their form
    already said otherwise; the audit and routines of one's own are untouched."""
    old = MockConfigEntry(
        domain=DOMAIN,
        title="dland assistant",
        minor_version=3,
        subentries_data=[
            {
                "subentry_type": "routine",
                "title": "Work check-in",
                "data": {
                    "builtin": "work_checkin",
                    "schedule": "interval",
                    "interval": 120,
                    "enabled": False,
                },
                "unique_id": None,
            },
            {
                "subentry_type": "routine",
                "title": "Family check-in",
                "data": {
                    "builtin": "family_checkin",
                    "schedule": "daily",
                    "time": "07:30:00",
                    "enabled": False,
                    "only_when_needed": False,
                },
                "unique_id": None,
            },
            {
                "subentry_type": "routine",
                "title": "Audit",
                "data": {
                    "builtin": "audit",
                    "schedule": "interval",
                    "interval": 60,
                    "enabled": False,
                },
                "unique_id": None,
            },
            {
                "subentry_type": "routine",
                "title": "Mine",
                "data": {"schedule": "interval", "interval": 60, "enabled": False},
                "unique_id": None,
            },
        ],
    )
    old.add_to_hass(hass)
    assert await hass.config_entries.async_setup(old.entry_id)
    await hass.async_block_till_done()
    assert old.minor_version == 4
    chosen = {s.title: s.data.get("only_when_needed") for s in old.subentries.values()}
    assert chosen == {
        "Work check-in": True,
        "Family check-in": False,
        "Audit": None,
        "Mine": None,
    }
    await hass.config_entries.async_unload(old.entry_id)
