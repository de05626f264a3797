"""Runs that keep their promise: retries with back-off, and no reminder lost."""

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant.const import (
    CONF_DEFAULT_AGENT,
    CONF_REMINDER_RETRY_WINDOW,
    DATABASE_FILE,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from custom_components.dland_assistant.engine import delivery
from custom_components.dland_assistant.engine.retry import (
    RetryPolicy,
    TaskRetryState,
    after_failure,
)
from custom_components.dland_assistant.models import (
    MissedRunPolicy,
    TaskAction,
    TaskKind,
)
from custom_components.dland_assistant.store import NewTask, TaskStore
from homeassistant.components import conversation, persistent_notification
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import (
    RecordingAgent,
    add_subentry,
    add_tidy_up_routine,
    call,
    runtime,
    settle,
    wait_until,
)

START = "2026-06-15 10:00:00+00:00"


@pytest.fixture
def dan(hass: HomeAssistant, hass_admin_user: Any) -> str:
    """A person linked to the admin user."""
    hass.states.async_set(
        "person.dan", "home", {"friendly_name": "Dan", "user_id": hass_admin_user.id}
    )
    return "person.dan"


def _notifications(hass: HomeAssistant) -> list[tuple[str, str]]:
    return [
        (n["title"], n["message"])
        for n in persistent_notification._async_get_or_create_notifications(
            hass
        ).values()
    ]


async def _executions(hass: HomeAssistant, task_id: str) -> list[dict[str, Any]]:
    result = await call(hass, "get_executions", {"task_id": task_id})
    return list(reversed(result["executions"]))  # oldest first


async def _task(hass: HomeAssistant, task_id: str) -> dict[str, Any]:
    tasks = (await call(hass, "list_tasks"))["tasks"]
    return next(t for t in tasks if t["task_id"] == task_id)


async def _advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await settle(hass)


def _failing(times: int, error: Exception) -> Any:
    """An agent behaviour that fails the first ``times`` calls, then answers."""
    calls = 0

    async def behaviour(user_input: conversation.ConversationInput) -> str:
        nonlocal calls
        calls += 1
        if calls <= times:
            raise error
        return f"Answer to {user_input.text}"

    return behaviour


def _phone(hass: HomeAssistant, entry: MockConfigEntry, person: str, fails: int) -> Any:
    """Give ``person`` a phone whose notify service fails its first ``fails`` sends."""
    received: list[ServiceCall] = []
    tries = 0

    async def send(service_call: ServiceCall) -> None:
        nonlocal tries
        tries += 1
        if tries <= fails:
            raise HomeAssistantError("push service unreachable")
        received.append(service_call)

    hass.services.async_register("notify", "mobile_app_dans_phone", send)
    add_subentry(
        hass,
        entry,
        "recipient",
        "Dan",
        {
            "person": person,
            "default_channel": "mobile_app",
            "mobile_app": "notify.mobile_app_dans_phone",
        },
    )
    return received


# The policy itself (pure)


def _state(**changes: Any) -> TaskRetryState:
    values: dict[str, Any] = {
        "kind": TaskKind.ONCE,
        "action": TaskAction.AGENT,
        "next_run": None,
        "cron": None,
        "time_zone": None,
        "attempt": 0,
        "failures": 0,
        "max_attempts": None,
        "retry_until": None,
    }
    return TaskRetryState(**(values | changes))


def test_the_back_off_grows_30s_1min_5min_15min_60min() -> None:
    """With the default first delay, the pauses are those people expect."""
    policy = RetryPolicy()
    assert [policy.delay(n).total_seconds() for n in range(1, 8)] == [
        30,
        60,
        300,
        900,
        3600,
        3600,
        3600,
    ]


def test_an_agent_task_is_tried_its_attempts_then_given_up() -> None:
    """Three attempts in all by default; a refusal is never retried."""
    now = dt_util.parse_datetime(START)
    assert now is not None
    policy = RetryPolicy()
    first = after_failure(_state(), policy, now, retryable=True)
    assert (first.retry, first.next_run, first.attempt) == (
        True,
        now + timedelta(seconds=30),
        1,
    )
    second = after_failure(_state(attempt=1, failures=1), policy, now, retryable=True)
    assert (second.retry, second.next_run) == (True, now + timedelta(minutes=1))
    third = after_failure(_state(attempt=2, failures=2), policy, now, retryable=True)
    assert (third.retry, third.next_run) == (False, None)
    refused = after_failure(_state(), policy, now, retryable=False)
    assert (refused.retry, refused.next_run) == (False, None)
    own = after_failure(_state(attempt=2, max_attempts=5), policy, now, retryable=True)
    assert own.retry


def test_a_reminder_is_retried_within_its_window_only() -> None:
    """A reminder has no attempt limit to speak of, but a window from its first
    failure: the retry that would land after it is not made."""
    now = dt_util.parse_datetime(START)
    assert now is not None
    policy = RetryPolicy(reminder_window=timedelta(minutes=20))
    first = after_failure(_state(action=TaskAction.REMIND), policy, now, retryable=True)
    assert first.retry
    assert first.retry_until == now + timedelta(minutes=20)
    # 4 failures in: the next pause is 15 min; from 10:10 that passes 10:20.
    late = after_failure(
        _state(
            action=TaskAction.REMIND,
            attempt=4,
            failures=4,
            retry_until=first.retry_until,
        ),
        policy,
        now + timedelta(minutes=10),
        retryable=True,
    )
    assert (late.retry, late.next_run) == (False, None)


# Through the engine


async def test_an_agent_failing_twice_then_answering_delivers_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The LLM server is down for two tries: the third delivers, once, with each
    attempt in the log (its number, why, and when the next one was)."""
    freezer.move_to(START)
    test_agent.behaviour = _failing(2, ConnectionError("model server unreachable"))
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "Brief me", "name": "Briefing", "in": {"minutes": 1}},
        )
    )["task_id"]
    await _advance(hass, freezer, timedelta(minutes=1))
    [first] = await _executions(hass, task_id)
    assert (first["status"], first["attempt"]) == ("failed", 1)
    assert first["error"] == "ConnectionError: model server unreachable"
    assert first["next_attempt"] == "2026-06-15T10:01:30+00:00"
    task = await _task(hass, task_id)
    assert (task["status"], task["next_run"], task["attempt"]) == (
        "scheduled",
        "2026-06-15T10:01:30+00:00",
        1,
    )
    await _advance(hass, freezer, timedelta(seconds=29))
    assert len(test_agent.calls) == 1
    await _advance(hass, freezer, timedelta(seconds=1))
    await _advance(hass, freezer, timedelta(minutes=1))
    runs = await _executions(hass, task_id)
    assert [(run["status"], run["attempt"]) for run in runs] == [
        ("failed", 1),
        ("failed", 2),
        ("succeeded", 3),
    ]
    assert runs[1]["next_attempt"] == "2026-06-15T10:02:30+00:00"
    assert runs[2]["next_attempt"] is None
    assert [call.at.isoformat() for call in test_agent.calls] == [
        "2026-06-15T10:01:00+00:00",
        "2026-06-15T10:01:30+00:00",
        "2026-06-15T10:02:30+00:00",
    ]
    # Delivered once; no failure was reported for the attempts that were retried.
    assert _notifications(hass) == [("Briefing", "Answer to Brief me")]
    task = await _task(hass, task_id)
    assert (task["status"], task["attempt"], task["failures"]) == ("succeeded", 0, 0)
    await _advance(hass, freezer, timedelta(hours=2))
    assert len(test_agent.calls) == 3


async def test_a_task_failing_every_attempt_is_reported_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After its attempts the task is failed, and the person hears of it once."""
    freezer.move_to(START)
    test_agent.behaviour = _failing(99, ConnectionError("down"))
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "p", "name": "Briefing", "in": {"minutes": 1}},
        )
    )["task_id"]
    for step in (timedelta(minutes=1), timedelta(seconds=30), timedelta(minutes=1)):
        await _advance(hass, freezer, step)
    await _advance(hass, freezer, timedelta(hours=3))
    assert len(test_agent.calls) == 3
    assert (await _task(hass, task_id))["status"] == "failed"
    assert _notifications(hass) == [
        ("Task failed: Briefing", "Task “Briefing” failed. ConnectionError: down")
    ]


async def test_a_task_of_its_own_attempts(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """``retry_attempts: 1`` is one try; 5 is five."""
    freezer.move_to(START)
    test_agent.behaviour = _failing(99, ConnectionError("down"))
    once = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "a", "in": {"minutes": 1}, "retry_attempts": 1},
        )
    )["task_id"]
    five = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "b", "in": {"minutes": 1}, "retry_attempts": 5},
        )
    )["task_id"]
    assert (await _task(hass, five))["retry_attempts"] == 5
    await _advance(hass, freezer, timedelta(minutes=1))
    for _ in range(8):
        await _advance(hass, freezer, timedelta(minutes=20))
    assert [run["attempt"] for run in await _executions(hass, once)] == [1]
    assert [run["attempt"] for run in await _executions(hass, five)] == [1, 2, 3, 4, 5]


async def test_a_refusal_is_not_retried(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An agent that no longer exists cannot answer on a retry: failed at once."""
    freezer.move_to(START)
    task_id = (
        await call(hass, "schedule_task", {"prompt": "p", "in": {"minutes": 1}})
    )["task_id"]
    agent_entry = hass.config_entries.async_get_entry(test_agent.agent_id)
    assert agent_entry is not None
    conversation.async_unset_agent(hass, agent_entry)
    await _advance(hass, freezer, timedelta(minutes=1))
    await _advance(hass, freezer, timedelta(hours=1))
    [run] = await _executions(hass, task_id)
    assert run["status"] == "failed"
    assert (
        run["error"]
        == f"Agent error: Conversation agent {test_agent.agent_id} not found"
    )
    assert run["next_attempt"] is None
    assert (await _task(hass, task_id))["status"] == "failed"


async def test_a_timeout_is_retried(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A slow model is a passing failure: the run is timed out, then tried again."""
    freezer.move_to(START)
    slow = True

    async def behaviour(_: conversation.ConversationInput) -> str:
        if slow:
            raise TimeoutError
        return "made it"

    test_agent.behaviour = behaviour
    task_id = (
        await call(hass, "schedule_task", {"prompt": "p", "in": {"minutes": 1}})
    )["task_id"]
    await _advance(hass, freezer, timedelta(minutes=1))
    slow = False
    await _advance(hass, freezer, timedelta(seconds=30))
    assert [run["status"] for run in await _executions(hass, task_id)] == [
        "timed_out",
        "succeeded",
    ]


async def test_a_reminder_is_retried_until_its_channel_takes_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dan: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Dan's phone is unreachable for a while: each run tries it three times, then
    the reminder waits and tries again; it arrives once, and the repair issue that
    named the channel goes when it does."""
    freezer.move_to(START)
    # 3 sends fail in the first run and 3 in the second: the third run gets through.
    received = _phone(hass, entry, dan, fails=6)
    await hass.async_block_till_done()
    task_id = (
        await call(
            hass,
            "schedule_task",
            {
                "prompt": "Call mum",
                "action": "remind",
                "user": dan,
                "in": {"minutes": 1},
            },
        )
    )["task_id"]
    await _advance(hass, freezer, timedelta(minutes=1))
    issues = ir.async_get(hass)
    [issue_id] = [
        issue_id
        for domain, issue_id in issues.issues
        if domain == DOMAIN and issue_id.startswith("delivery_failed")
    ]
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "channel": "mobile_app",
        "target": "notify.mobile_app_dans_phone",
        "title": "Reminder",
        "error": "push service unreachable",
    }
    await _advance(hass, freezer, timedelta(seconds=30))
    await _advance(hass, freezer, timedelta(minutes=1))
    runs = await _executions(hass, task_id)
    assert [(run["status"], run["attempt"]) for run in runs] == [
        ("failed", 1),
        ("failed", 2),
        ("succeeded", 3),
    ]
    assert runs[0]["error"] == "Delivery failed: push service unreachable"
    assert [call.data for call in received] == [
        {"message": "Call mum", "title": "Reminder"}
    ]
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    # The failures were not reported: the reminder did arrive.
    assert _notifications(hass) == []


async def test_a_reminder_given_up_after_its_window_is_reported(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dan: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The phone never comes back: within the window (10 min here) the reminder is
    tried after 30 s, 1 min and 5 min; then it fails for good and says so in Home
    Assistant's notifications (the phone being what failed)."""
    freezer.move_to(START)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_REMINDER_RETRY_WINDOW: 10}
    )
    await settle(hass)
    _phone(hass, entry, dan, fails=1000)
    await hass.async_block_till_done()
    task_id = (
        await call(
            hass,
            "schedule_task",
            {
                "prompt": "Call mum",
                "action": "remind",
                "user": dan,
                "in": {"minutes": 1},
            },
        )
    )["task_id"]
    for _ in range(30):
        await _advance(hass, freezer, timedelta(seconds=30))
    runs = await _executions(hass, task_id)
    assert [run["started"][11:19] for run in runs] == [
        "10:01:00",
        "10:01:30",
        "10:02:30",
        "10:07:30",
    ]
    assert (await _task(hass, task_id))["status"] == "failed"
    assert _notifications(hass) == [
        (
            "Reminder failed: Call mum",
            "Reminder “Call mum” failed. Delivery failed: push service unreachable",
        )
    ]


async def test_delivery_backs_off_between_its_tries(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    dan: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within a run a failing channel is tried three times, 2 s and 10 s apart."""
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(delivery, "RETRY_DELAYS", (2.0, 10.0))
    monkeypatch.setattr(delivery, "sleep", sleep)
    _phone(hass, entry, dan, fails=2)
    await hass.async_block_till_done()
    record = await delivery.async_deliver(
        hass, entry, dan, None, title="Hello", message="there"
    )
    assert record.status.value == "sent"
    assert pauses == [2.0, 10.0]


async def test_a_recurring_task_backs_off_and_returns_to_its_schedule(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An every-minute task whose agent fails: retried while that comes before its
    next time, then pushed back by its failures in a row; at three a repair issue
    names it, and the first success puts it back on its minute and clears it."""
    freezer.move_to(START)
    failing = True

    async def behaviour(_: conversation.ConversationInput) -> str:
        if failing:
            raise ConnectionError("model server unreachable")
        return "ok"

    test_agent.behaviour = behaviour
    task_id = (
        await call(
            hass, "schedule_task", {"prompt": "p", "name": "Pulse", "cron": "* * * * *"}
        )
    )["task_id"]
    issues = ir.async_get(hass)
    issue_id = f"task_failing_{task_id}"
    for _ in range(20):
        await _advance(hass, freezer, timedelta(seconds=30))
        if len(test_agent.calls) == 4:
            break
    # 10:01 fails (retry at 10:01:30, before 10:02); that fails too: the next
    # pause (1 min) passes 10:02, so the next time after it, 10:03; then 5 min.
    assert [call.at.strftime("%H:%M:%S") for call in test_agent.calls] == [
        "10:01:00",
        "10:01:30",
        "10:03:00",
        "10:08:00",
    ]
    task = await _task(hass, task_id)
    assert task["failures"] == 4
    assert task["next_run"] == "2026-06-15T10:23:00+00:00"
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["name"] == "Pulse"
    assert issue.translation_placeholders["failures"] == "4"
    failing = False
    freezer.move_to("2026-06-15 10:23:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    task = await _task(hass, task_id)
    assert (task["failures"], task["next_run"]) == (0, "2026-06-15T10:24:00+00:00")
    await _advance(hass, freezer, timedelta(minutes=1))
    assert test_agent.calls[-1].at.strftime("%H:%M:%S") == "10:24:00"


async def test_the_audit_names_a_task_that_keeps_failing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The hourly audit lists recurring tasks failing three times or more in a row."""
    from custom_components.dland_assistant.heartbeat.audit import async_run_audit

    freezer.move_to(START)
    test_agent.behaviour = _failing(99, ConnectionError("down"))
    await call(
        hass,
        "schedule_task",
        {"prompt": "p", "name": "Pulse", "cron": "* * * * *", "retry_attempts": 1},
    )
    for _ in range(3):
        await _advance(hass, freezer, timedelta(minutes=1))
    report = await async_run_audit(hass, runtime(entry).store, 0)
    assert report.failing_tasks == [("Pulse", 3)]
    assert "Keeps failing (3 in a row): Pulse" in report.as_text()


async def test_cancelling_a_failing_task_clears_its_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The repair issue goes with the task."""
    freezer.move_to(START)
    test_agent.behaviour = _failing(99, ConnectionError("down"))
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "p", "cron": "* * * * *", "retry_attempts": 1},
        )
    )["task_id"]
    for _ in range(3):
        await _advance(hass, freezer, timedelta(minutes=1))
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"task_failing_{task_id}") is not None
    await call(hass, "cancel_task", {"task_id": task_id})
    assert issues.async_get_issue(DOMAIN, f"task_failing_{task_id}") is None


async def test_a_stop_mid_run_is_retried_after_the_start(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Home Assistant stops while a reminder's agent run goes on: the run is
    abandoned, and once it is back the task runs again, once."""
    freezer.move_to(START)
    hang = True

    async def behaviour(_: conversation.ConversationInput) -> str:
        if hang:
            await asyncio.Event().wait()
        return "Your briefing"

    test_agent.behaviour = behaviour
    task_id = (
        await call(hass, "schedule_task", {"prompt": "p", "in": {"minutes": 1}})
    )["task_id"]
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: len(test_agent.calls) == 1)
    assert runtime(entry).scheduler.running == 1
    await hass.config_entries.async_unload(entry.entry_id)
    hang = False
    [abandoned] = await _store_executions(hass, task_id)
    assert abandoned["status"] == "abandoned"
    assert abandoned["next_attempt"] is not None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    await _advance(hass, freezer, timedelta(seconds=30))
    runs = await _executions(hass, task_id)
    assert [(run["status"], run["attempt"]) for run in runs] == [
        ("abandoned", 1),
        ("succeeded", 2),
    ]
    await _advance(hass, freezer, timedelta(hours=1))
    assert len(test_agent.calls) == 2
    assert _notifications(hass) == [("p", "Your briefing")]


async def _store_executions(hass: HomeAssistant, task_id: str) -> list[dict[str, Any]]:
    """Read a task's executions from the file (the integration is unloaded)."""
    store = TaskStore(Path(hass.config.path(DATABASE_FILE)))
    await store.async_open()
    try:
        return [
            {"status": e.status.value, "next_attempt": e.next_attempt}
            for e in await store.async_list_executions(task_id=task_id)
        ]
    finally:
        await store.async_close()


async def test_a_crash_mid_run_is_retried_once_after_the_start(
    hass: HomeAssistant,
    test_agent: RecordingAgent,
    config_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What a SIGKILL leaves (a one-off task running, its execution in progress)
    is abandoned at start and retried once, even under the ``skip`` policy."""
    freezer.move_to(START)
    now = dt_util.utcnow()
    store = TaskStore(config_dir / DATABASE_FILE)
    await store.async_open()
    try:
        task = await store.async_add_task(
            NewTask(
                "Call mum",
                test_agent.agent_id,
                "Call mum",
                TaskKind.ONCE,
                now - timedelta(hours=2),
                600,
                MissedRunPolicy.SKIP,
                "test",
                action=TaskAction.REMIND,
            )
        )
        await store.async_claim_due(
            now - timedelta(hours=2), 1, "killed-boot", timedelta(minutes=5)
        )
    finally:
        await store.async_close()
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        options={**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: test_agent.agent_id},
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    [abandoned] = await _executions(hass, task.task_id)
    assert abandoned["status"] == "abandoned"
    assert abandoned["next_attempt"] == "2026-06-15T10:00:30+00:00"
    # Not reported: it is being tried again.
    assert _notifications(hass) == []
    await _advance(hass, freezer, timedelta(seconds=30))
    await _advance(hass, freezer, timedelta(hours=1))
    runs = await _executions(hass, task.task_id)
    assert [(run["status"], run["attempt"]) for run in runs] == [
        ("abandoned", 1),
        ("succeeded", 2),
    ]
    assert _notifications(hass) == [("Reminder", "Call mum")]
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_a_quiet_task_delivers_only_when_needed(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """``only_when_needed``: NOTHING_TO_REPORT is quiet and kept; news is sent."""
    freezer.move_to(START)
    answers = iter(["NOTHING_TO_REPORT", "The freezer door is open."])

    async def behaviour(_: conversation.ConversationInput) -> str:
        return next(answers)

    test_agent.behaviour = behaviour
    task_id = (
        await call(
            hass,
            "schedule_task",
            {
                "prompt": "Anything wrong in the kitchen?",
                "name": "Kitchen",
                "cron": "*/5 * * * *",
                "only_when_needed": True,
            },
        )
    )["task_id"]
    assert (await _task(hass, task_id))["only_when_needed"] is True
    await _advance(hass, freezer, timedelta(minutes=5))
    assert _notifications(hass) == []
    await _advance(hass, freezer, timedelta(minutes=5))
    runs = await _executions(hass, task_id)
    assert [(run["status"], run["response"]) for run in runs] == [
        ("quiet", "NOTHING_TO_REPORT"),
        ("succeeded", "The freezer door is open."),
    ]
    assert _notifications(hass) == [("Kitchen", "The freezer door is open.")]
    assert test_agent.calls[0].text.endswith(
        "If nothing needs attention, answer exactly NOTHING_TO_REPORT and nothing else."
    )


async def test_a_routine_run_that_fails_is_retried_before_its_next_beat(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A daily 09:00 routine whose agent is down at 09:00: tried again at 09:00:30
    (attempt 2, in the log with its time), and the next day at 09:00 as always."""
    freezer.move_to("2026-06-15 08:59:00+02:00")
    await hass.config.async_set_time_zone("Europe/Berlin")
    test_agent.behaviour = _failing(1, ConnectionError("model server unreachable"))
    routine_id = add_tidy_up_routine(hass, entry, persona)
    await settle(hass)
    await _advance(hass, freezer, timedelta(minutes=1))
    [failed] = (await call(hass, "get_executions", {"routine": routine_id}))[
        "executions"
    ]
    assert (failed["status"], failed["attempt"]) == ("failed", 1)
    assert failed["next_attempt"] == "2026-06-15T07:00:30+00:00"
    await _advance(hass, freezer, timedelta(seconds=30))
    runs = (await call(hass, "get_executions", {"routine": routine_id}))["executions"]
    assert [(run["status"], run["attempt"]) for run in reversed(runs)] == [
        ("failed", 1),
        ("succeeded", 2),
    ]
    heartbeats = runtime(entry).heartbeats
    assert heartbeats.next_run(routine_id) == dt_util.parse_datetime(
        "2026-06-16T07:00:00+00:00"
    )


async def test_a_routine_of_one_attempt_is_not_retried(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A routine's own ``retry_attempts`` (1 here) overrides the options'."""
    freezer.move_to("2026-06-15 08:59:00+02:00")
    await hass.config.async_set_time_zone("Europe/Berlin")
    test_agent.behaviour = _failing(1, ConnectionError("model server unreachable"))
    routine_id = add_tidy_up_routine(hass, entry, persona)
    subentry = entry.subentries[routine_id]
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, "retry_attempts": 1}
    )
    await settle(hass)
    await _advance(hass, freezer, timedelta(minutes=1))
    await _advance(hass, freezer, timedelta(minutes=5))
    [failed] = (await call(hass, "get_executions", {"routine": routine_id}))[
        "executions"
    ]
    assert (failed["status"], failed["next_attempt"]) == ("failed", None)


async def test_the_card_shows_each_attempt_and_the_next(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: Any,
) -> None:
    """Mission Control's view carries the attempt and, in local time, the retry.

    (The clock stays at today's time: the websocket's token is checked against it.)
    """
    test_agent.behaviour = _failing(1, ConnectionError("down"))
    task_id = (
        await call(hass, "schedule_task", {"prompt": "p", "in": {"minutes": 1}})
    )["task_id"]
    await _advance(hass, freezer, timedelta(minutes=1))
    [logged] = await _executions(hass, task_id)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": f"{DOMAIN}/subscribe"})
    assert (await client.receive_json())["success"]
    view = (await client.receive_json())["event"]
    [run] = view["executions"]
    assert (run["status"], run["attempt"]) == ("failed", 1)
    retry_at = dt_util.parse_datetime(logged["next_attempt"])
    assert retry_at is not None
    assert run["next_attempt"] == dt_util.as_local(retry_at).isoformat()
    await client.close()
