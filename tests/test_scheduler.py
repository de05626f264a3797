"""The engine: timing, limits, failures, crashes, restarts and missed runs."""

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    async_fire_time_changed_exact,
)

from custom_components.dland_assistant.const import (
    CONF_DEFAULT_AGENT,
    CONF_MAX_CONCURRENT,
    DATABASE_FILE,
    DEFAULT_OPTIONS,
    DOMAIN,
    EVENT_EXECUTION_FINISHED,
    EVENT_EXECUTION_STARTED,
)
from custom_components.dland_assistant.engine.agent import AgentError, async_run_agent
from custom_components.dland_assistant.models import (
    ExecutionSource,
    MissedRunPolicy,
    TaskKind,
)
from custom_components.dland_assistant.store import NewTask, StoreError, TaskStore
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, runtime, settle, wait_until


async def _schedule(hass: HomeAssistant, **data: Any) -> str:
    result = await call(hass, "schedule_task", {"prompt": "Do it", **data})
    task_id: str = result["task_id"]
    return task_id


async def _executions(hass: HomeAssistant, **data: Any) -> list[dict[str, Any]]:
    result = await call(hass, "get_executions", data)
    executions: list[dict[str, Any]] = result["executions"]
    return executions


async def _task(hass: HomeAssistant, task_id: str) -> dict[str, Any]:
    tasks = (await call(hass, "list_tasks"))["tasks"]
    return next(t for t in tasks if t["task_id"] == task_id)


async def test_task_starts_at_its_due_time_not_on_the_tick(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A precise timer fires at the due time; the 10 s tick is not needed."""
    freezer.move_to("2026-11-28 10:00:03.250+00:00")
    due = dt_util.parse_datetime("2026-11-28 10:01:03.250+00:00")
    assert due is not None
    await _schedule(hass, **{"in": {"minutes": 1}})
    assert runtime(entry).scheduler.timer_at == due

    freezer.move_to(due - timedelta(milliseconds=100))
    async_fire_time_changed_exact(hass)
    await settle(hass)
    assert test_agent.calls == []

    freezer.move_to(due)
    async_fire_time_changed_exact(hass)
    await settle(hass)
    assert [c.at for c in test_agent.calls] == [due]
    assert runtime(entry).scheduler.timer_at is None


async def test_timer_follows_the_earliest_task(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Adding an earlier task re-arms the timer; cancelling it moves it back."""
    now = dt_util.utcnow()
    await _schedule(hass, **{"in": {"hours": 2}})
    early = await _schedule(hass, **{"in": {"minutes": 10}})
    scheduler = runtime(entry).scheduler
    assert scheduler.timer_at == now + timedelta(minutes=10)
    await call(hass, "cancel_task", {"task_id": early})
    assert scheduler.timer_at == now + timedelta(hours=2)


async def test_concurrency_limit(
    hass: HomeAssistant,
    test_agent: RecordingAgent,
    config_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Five tasks due together run two at a time, and all of them run."""

    config_entry = MockConfigEntry(
        domain=DOMAIN,
        options={
            **DEFAULT_OPTIONS,
            CONF_DEFAULT_AGENT: test_agent.agent_id,
            CONF_MAX_CONCURRENT: 2,
        },
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    release = asyncio.Event()

    async def wait(_: Any) -> None:
        await release.wait()

    test_agent.behaviour = wait
    for _ in range(5):
        await _schedule(hass, **{"in": {"minutes": 1}})
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: test_agent.running == 2)
    assert len(await _executions(hass, status="in_progress")) == 2
    release.set()
    await settle(hass)
    assert len(test_agent.calls) == 5
    assert test_agent.max_running == 2
    assert {e["status"] for e in await _executions(hass)} == {"succeeded"}
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_timeout_marks_timed_out(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A run longer than its timeout is stopped, marked timed out and retried."""

    async def hang(_: Any) -> None:
        await asyncio.Event().wait()

    test_agent.behaviour = hang
    task_id = await _schedule(hass, timeout=30, **{"in": {"seconds": 10}})
    freezer.tick(timedelta(seconds=10))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: test_agent.running == 1)
    assert (await _task(hass, task_id))["status"] == "running"
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await settle(hass)
    execution = (await _executions(hass))[0]
    assert execution["status"] == "timed_out"
    assert execution["error"] == "Timed out after 30 s"
    # A slow agent may be quicker next time: tried again after the first pause.
    assert execution["next_attempt"] is not None
    task = await _task(hass, task_id)
    assert (task["status"], task["next_run"]) == (
        "scheduled",
        execution["next_attempt"],
    )


async def test_watchdog_cancels_a_run_that_ignores_its_timeout(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A run still going at twice its timeout is cancelled and marked timed out."""
    swallowed = []

    async def stubborn(_: Any) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            swallowed.append(True)
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
        await asyncio.Event().wait()

    test_agent.behaviour = stubborn
    await _schedule(hass, timeout=20, **{"in": {"seconds": 1}})
    freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: test_agent.running == 1)
    freezer.tick(timedelta(seconds=21))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: swallowed == [True])
    assert (await _executions(hass))[0]["status"] == "in_progress"
    freezer.tick(timedelta(seconds=20))
    async_fire_time_changed(hass)
    await settle(hass)
    execution = (await _executions(hass))[0]
    assert execution["status"] == "timed_out"
    assert execution["error"] == "Cancelled after 40 s (twice the timeout)"


async def test_exception_in_agent_fails_the_run_only(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An agent that raises fails its execution; later tasks still run."""

    async def explode(user_input: conversation.ConversationInput) -> str:
        if user_input.text == "bad":
            raise ValueError("the agent broke")
        return "fine"

    test_agent.behaviour = explode
    bad = await _schedule(
        hass, prompt="bad", retry_attempts=1, **{"in": {"minutes": 1}}
    )
    good = await _schedule(hass, prompt="good", **{"in": {"minutes": 2}})
    for _ in range(2):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await settle(hass)
    assert (await _task(hass, bad))["status"] == "failed"
    assert (await _task(hass, good))["status"] == "succeeded"
    failed = (await _executions(hass, task_id=bad))[0]
    assert failed["error"] == "ValueError: the agent broke"


async def test_agent_error_response_fails_the_run(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
) -> None:
    """An error answer from the agent (no intent matched) marks the run failed.

    (A task of words the built-in agent does not know is refused when scheduled;
    a wakeup runs at once.)
    """
    await call(
        hass, "wakeup", {"prompt": "blorp", "agent": "conversation.home_assistant"}
    )
    await settle(hass)
    execution = (await _executions(hass))[0]
    assert execution["status"] == "failed"
    assert execution["error"].startswith("Agent error: no_intent_match")


async def test_events_fired_for_automations(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Started and finished events carry the task, execution, status and answer."""
    started = async_capture_events(hass, EVENT_EXECUTION_STARTED)
    finished = async_capture_events(hass, EVENT_EXECUTION_FINISHED)

    async def long_answer(_: Any) -> str:
        return "y" * 5000

    test_agent.behaviour = long_answer
    task_id = await _schedule(hass, name="Chatty", **{"in": {"minutes": 1}})
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(started) == 1
    assert started[0].data["task_id"] == task_id
    assert started[0].data["task_name"] == "Chatty"
    assert finished[0].data["status"] == "succeeded"
    assert finished[0].data["execution_id"] == started[0].data["execution_id"]
    assert len(finished[0].data["response"]) == 1000
    assert finished[0].data["response"].endswith("…")
    # The log keeps the whole answer.
    assert len((await _executions(hass))[0]["response"]) == 5000


async def test_cancel_stops_a_running_task(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
) -> None:
    """Cancelling a running task cancels its execution."""

    async def hang(_: Any) -> None:
        await asyncio.Event().wait()

    test_agent.behaviour = hang
    task_id = await _schedule(hass, cron="0 0 * * *")
    await call(hass, "run_task", {"task_id": task_id})
    await wait_until(hass, lambda: test_agent.running == 1)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "run_task", {"task_id": task_id})
    assert err.value.translation_key == "task_not_runnable"
    await call(hass, "cancel_task", {"task_id": task_id})
    await settle(hass)
    execution = (await _executions(hass))[0]
    assert execution["status"] == "cancelled"
    assert (await _task(hass, task_id))["status"] == "cancelled"


async def test_unload_marks_running_executions_abandoned(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    config_dir: Path,
) -> None:
    """Stopping while a run is in progress leaves nothing in progress; the task
    is tried again after the next start (test_retries follows it there)."""

    async def hang(_: Any) -> None:
        await asyncio.Event().wait()

    test_agent.behaviour = hang
    task_id = await _schedule(hass, **{"in": {"hours": 1}})
    await call(hass, "run_task", {"task_id": task_id})
    await wait_until(hass, lambda: test_agent.running == 1)
    await hass.config_entries.async_unload(entry.entry_id)
    store = TaskStore(config_dir / DATABASE_FILE)
    await store.async_open()
    try:
        [execution] = await store.async_list_executions()
        task = await store.async_get_task(task_id)
    finally:
        await store.async_close()
    assert execution.status == "abandoned"
    assert task is not None
    assert task.status == "scheduled"
    assert execution.next_attempt is not None
    assert task.next_run == execution.next_attempt


async def _seed_crash(path: Path, now: datetime, agent: str) -> tuple[str, str, str]:
    """Write what a SIGKILL leaves: tasks running, executions in progress."""
    store = TaskStore(path)
    await store.async_open()
    try:
        once = await store.async_add_task(
            NewTask(
                "once",
                agent,
                "p",
                TaskKind.ONCE,
                now - timedelta(minutes=1),
                600,
                MissedRunPolicy.RUN_ONCE,
                "test",
            )
        )
        cron = await store.async_add_task(
            NewTask(
                "cron",
                agent,
                "p",
                TaskKind.CRON,
                now - timedelta(minutes=1),
                600,
                MissedRunPolicy.RUN_ONCE,
                "test",
                cron="0 * * * *",
                time_zone="UTC",
            )
        )
        pending = await store.async_add_task(
            NewTask(
                "pending",
                agent,
                "p",
                TaskKind.ONCE,
                now + timedelta(minutes=5),
                600,
                MissedRunPolicy.RUN_ONCE,
                "test",
            )
        )
        result = await store.async_claim_due(now, 10, "old-boot", timedelta(minutes=5))
        assert len(result.claims) == 2
    finally:
        await store.async_close()
    return once.task_id, cron.task_id, pending.task_id


async def test_crash_leftovers_are_abandoned_at_start(
    hass: HomeAssistant,
    test_agent: RecordingAgent,
    config_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Executions left in progress by a killed process become abandoned at once.

    Both interrupted runs are tried again after the first pause, once (the cron
    task's retry comes before its next time); the pending task runs on time.
    """

    freezer.move_to("2026-11-28 10:20:00+00:00")
    now = dt_util.utcnow()
    once, cron, pending = await _seed_crash(
        config_dir / DATABASE_FILE, now, test_agent.agent_id
    )
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        options={**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: test_agent.agent_id},
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    assert runtime(config_entry).scheduler.abandoned_at_start == 2
    executions = await _executions(hass)
    assert {e["status"] for e in executions} == {"abandoned"}
    assert (await _task(hass, once))["status"] == "scheduled"
    assert (await _task(hass, cron))["status"] == "scheduled"
    assert test_agent.calls == []
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 2
    assert (await _task(hass, once))["status"] == "succeeded"
    cron_task = await _task(hass, cron)
    assert (cron_task["status"], cron_task["next_run"]) == (
        "scheduled",
        "2026-11-28T11:00:00+00:00",
    )
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 3
    assert (await _task(hass, pending))["status"] == "succeeded"
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_tasks_survive_reload(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unload and set up again on the same file: tasks are kept and run."""
    task_id = await _schedule(hass, **{"in": {"minutes": 10}})
    await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert (await _task(hass, task_id))["status"] == "scheduled"
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 1


DOWNTIME_CASES = [
    # kind, policy, late by, expected runs at start, expected task status
    ("in", MissedRunPolicy.RUN_ONCE, timedelta(hours=3), 1, "succeeded"),
    ("in", MissedRunPolicy.SKIP, timedelta(hours=3), 0, "missed"),
    ("in", MissedRunPolicy.SKIP, timedelta(minutes=2), 1, "succeeded"),
    ("cron", MissedRunPolicy.RUN_ONCE, timedelta(hours=3), 1, "scheduled"),
    # Back at 13:07: even the latest missed time (13:00) is later than the grace.
    ("cron", MissedRunPolicy.SKIP, timedelta(hours=3, minutes=7), 0, "scheduled"),
    # Back at 13:01: 13:00 is within the grace and runs, for skip too.
    ("cron", MissedRunPolicy.SKIP, timedelta(hours=3, minutes=1), 1, "scheduled"),
]


@pytest.mark.parametrize(("kind", "policy", "late", "runs", "status"), DOWNTIME_CASES)
async def test_missed_runs_after_downtime(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
    kind: str,
    policy: MissedRunPolicy,
    late: timedelta,
    runs: int,
    status: str,
) -> None:
    """Runs missed while stopped follow the policy: one coalesced run, or none."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-11-28 09:59:00+00:00")
    schedule = {"cron": "*/10 * * * *"} if kind == "cron" else {"in": {"minutes": 1}}
    task_id = await _schedule(hass, missed_run_policy=policy.value, **schedule)
    await hass.config_entries.async_unload(entry.entry_id)
    freezer.move_to(dt_util.parse_datetime("2026-11-28 10:00:00+00:00") + late)  # type: ignore[operator]
    await hass.config_entries.async_setup(entry.entry_id)
    await settle(hass)
    assert len(test_agent.calls) == runs
    task = await _task(hass, task_id)
    assert task["status"] == status
    if kind == "cron":
        # The next run is in the future: no backlog burst follows.
        assert dt_util.parse_datetime(task["next_run"]) > dt_util.utcnow()  # type: ignore[operator]
        async_fire_time_changed(hass)
        await settle(hass)
        assert len(test_agent.calls) == runs


async def test_retention_prunes_old_executions(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Executions and finished one-off tasks older than the retention go."""
    # Far from 1 January, when the yearly cron task below would really fall due.
    freezer.move_to("2026-06-15 08:00:00+00:00")
    done = await _schedule(hass, **{"in": {"minutes": 1}})
    cron = await _schedule(hass, cron="0 12 1 1 *")
    await call(hass, "run_task", {"task_id": cron})
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(await _executions(hass)) == 2
    freezer.tick(timedelta(days=31))
    async_fire_time_changed(hass)
    await settle(hass)
    freezer.tick(timedelta(hours=6))
    async_fire_time_changed(hass)
    await settle(hass)
    assert await _executions(hass) == []
    remaining = [t["task_id"] for t in (await call(hass, "list_tasks"))["tasks"]]
    assert remaining == [cron]
    assert done not in remaining


async def test_dst_daily_task_runs_once_per_day_in_berlin(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 02:30 daily task runs once on the spring-forward day, at 03:30 CEST."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to("2026-03-28 12:00:00+00:00")
    await _schedule(hass, cron="30 2 * * *")
    end = dt_util.parse_datetime("2026-03-30 12:00:00+00:00")
    assert end is not None
    while dt_util.utcnow() < end:
        freezer.tick(timedelta(minutes=15))
        async_fire_time_changed(hass)
        await settle(hass)
    local = [dt_util.as_local(c.at).strftime("%m-%d %H:%M") for c in test_agent.calls]
    assert local == ["03-29 03:30", "03-30 02:30"]


async def test_agent_error_without_speech(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """An error answer with no text still names its code."""

    class Silent(RecordingAgent):
        async def async_process(
            self, user_input: conversation.ConversationInput
        ) -> conversation.ConversationResult:
            response = intent.IntentResponse(language=user_input.language)
            response.async_set_error(
                intent.IntentResponseErrorCode.FAILED_TO_HANDLE, ""
            )
            return conversation.ConversationResult(response=response)

    agent_entry = MockConfigEntry(domain="test")
    agent_entry.add_to_hass(hass)
    conversation.async_set_agent(hass, agent_entry, Silent())
    with pytest.raises(AgentError, match=r"^failed_to_handle$"):
        await async_run_agent(hass, agent_entry.entry_id, "x", Context())


async def test_manual_run_source(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Manual runs are logged with their source."""
    task_id = await _schedule(hass, cron="0 0 * * *")
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    assert (await _executions(hass))[0]["source"] == ExecutionSource.MANUAL.value


async def test_vanished_agent_fails_cleanly(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A task whose agent was removed fails with a clear error."""
    task_id = await _schedule(hass, cron="0 0 * * *")
    conversation.async_unset_agent(
        hass,
        hass.config_entries.async_get_entry(test_agent.agent_id),  # type: ignore[arg-type]
    )
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    execution = (await _executions(hass))[0]
    assert execution["status"] == "failed"
    assert execution["error"] == (
        f"Agent error: Conversation agent {test_agent.agent_id} not found"
    )


async def test_runs_as_the_tasks_user(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    hass_admin_user: Any,
) -> None:
    """A task an automation schedules for a person or user runs as that user.

    For a person with no user it runs as the integration's own admin user; never
    as nobody. A user that does not exist is refused and nothing is stored.
    """
    hass.states.async_set("person.dan", "home", {"user_id": hass_admin_user.id})
    hass.states.async_set("person.nobody", "home")
    for user in ("person.dan", hass_admin_user.id, "person.nobody"):
        task_id = await _schedule(hass, user=user, cron="0 0 * * *")
        await call(hass, "run_task", {"task_id": task_id})
        await settle(hass)
    assert [c.user_id for c in test_agent.calls] == [
        hass_admin_user.id,
        hass_admin_user.id,
        runtime(entry).identities.assistant,
    ]
    for user in ("no-such-user", "person.ghost"):
        with pytest.raises(ServiceValidationError) as err:
            await _schedule(hass, user=user, cron="0 0 * * *")
        assert err.value.translation_key == "unknown_user"
    assert len((await call(hass, "list_tasks"))["tasks"]) == 3


async def test_failed_finish_write_is_recorded_at_unload(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The end of a run the database refused is written before the store closes."""
    release = asyncio.Event()

    async def wait(_: Any) -> None:
        await release.wait()

    test_agent.behaviour = wait
    task_id = await _schedule(hass, cron="0 0 * * *")
    await call(hass, "run_task", {"task_id": task_id})
    await wait_until(hass, lambda: test_agent.running == 1)
    store = runtime(entry).store
    await store._call(
        lambda conn: conn.execute("PRAGMA query_only = ON")
    )  # the disk "fails"
    release.set()
    await settle(hass)
    # Refused, and kept to be written (the claim that shared its commit failed too).
    assert "Cannot write the database" in caplog.text
    assert len(runtime(entry).scheduler._unrecorded) == 1
    await store._call(lambda conn: conn.execute("PRAGMA query_only = OFF"))
    await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    execution = (await _executions(hass))[0]
    assert execution["status"] == "succeeded"
    assert (await _task(hass, task_id))["status"] == "scheduled"


async def test_start_failure_closes_the_store(
    hass: HomeAssistant,
    test_agent: RecordingAgent,
    config_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database error during start makes setup retry and releases the file."""
    closed: list[bool] = []
    original_close = TaskStore.async_close

    async def fail(*_: Any) -> int:
        raise StoreError("disk I/O error")

    async def close(self: TaskStore) -> None:
        closed.append(True)
        await original_close(self)

    monkeypatch.setattr(TaskStore, "async_abandon_stale", fail)
    monkeypatch.setattr(TaskStore, "async_close", close)
    config_entry = MockConfigEntry(
        domain=DOMAIN,
        options={**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: test_agent.agent_id},
    )
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert closed == [True]


async def test_unwritable_database_loses_no_run(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While writes fail, due tasks wait and finished runs are kept; then all lands."""
    release = asyncio.Event()

    async def wait(_: Any) -> str:
        await release.wait()
        return "finished while the disk was full"

    test_agent.behaviour = wait
    freezer.move_to("2026-11-28 10:01:00+00:00")
    cron_id = await _schedule(hass, cron="*/5 * * * *")  # 10:05
    once_id = await _schedule(hass, **{"in": {"minutes": 7}})  # 10:08
    freezer.move_to(dt_util.parse_datetime((await _task(hass, cron_id))["next_run"]))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: test_agent.running == 1)
    store = runtime(entry).store
    # SQLite's own read-only switch: every write fails as on a read-only disk.
    await store._call(lambda conn: conn.execute("PRAGMA query_only = ON"))
    release.set()
    await wait_until(hass, lambda: test_agent.running == 0)
    freezer.tick(timedelta(minutes=3))  # the one-off falls due meanwhile
    async_fire_time_changed(hass)
    await settle(hass)
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, "database_unwritable") is not None
    assert (await _executions(hass))[0]["status"] == "in_progress"
    assert (await _task(hass, once_id))["status"] == "scheduled"
    assert len(test_agent.calls) == 1

    await store._call(lambda conn: conn.execute("PRAGMA query_only = OFF"))
    freezer.tick(timedelta(seconds=10))
    async_fire_time_changed(hass)
    await wait_until(hass, lambda: len(test_agent.calls) == 2)
    await settle(hass)
    cron_run = next(e for e in await _executions(hass) if e["task_id"] == cron_id)
    assert cron_run["status"] == "succeeded"
    assert cron_run["response"] == "finished while the disk was full"
    assert (await _task(hass, cron_id))["status"] == "scheduled"  # runs on
    assert (await _task(hass, once_id))["status"] == "succeeded"
    assert issues.async_get_issue(DOMAIN, "database_unwritable") is None
