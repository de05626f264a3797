"""The dev configuration on a real hass: REST calls schedule tasks that really act."""

from collections.abc import Callable
import time
from typing import Any

import pytest

from homeassistant.util import dt as dt_util

from .harness import HassProcess, wait_for

pytestmark = pytest.mark.e2e


def test_rest_scheduled_task_switches_a_light_on_time(
    hass_process: Callable[..., HassProcess],
) -> None:
    """schedule_task over REST; the built-in agent switches the light on time."""
    hass = hass_process()
    hass.start_onboarded()

    status, light = hass.request("GET", "/api/states/light.kitchen_light")
    assert status == 200
    assert light["state"] == "off"

    status, scheduled = hass.call_service(
        "schedule_task",
        {
            "agent": "nikki",  # the dev config's persona, on the built-in agent
            "prompt": "turn on the kitchen light",
            "in": {"seconds": 3},
            "name": "Kitchen on",
        },
    )
    assert status == 200, scheduled
    due = dt_util.parse_datetime(scheduled["next_run"])
    assert due is not None

    status, listed = hass.call_service("list_tasks")
    assert status == 200
    assert [t["name"] for t in listed["tasks"]] == ["Kitchen on"]
    assert listed["tasks"][0]["agent"] == "Nikki"
    assert listed["tasks"][0]["status"] == "scheduled"

    def light_on() -> bool:
        return bool(
            hass.request("GET", "/api/states/light.kitchen_light")[1]["state"] == "on"
        )

    wait_for(light_on, 30, "the kitchen light")
    status, light = hass.request("GET", "/api/states/light.kitchen_light")
    switched = dt_util.parse_datetime(light["last_changed"])
    assert switched is not None
    delay = (switched - due).total_seconds()
    # On time: not before the due time, and not waiting for the 10 s safety tick.
    assert 0 <= delay < 2, delay

    def finished() -> bool:
        executions = hass.call_service("get_executions")[1]["executions"]
        return bool(executions) and executions[0]["status"] != "in_progress"

    wait_for(finished, 30, "the execution to finish")
    status, executions = hass.call_service("get_executions")
    [execution] = executions["executions"]
    assert execution["status"] == "succeeded"
    assert execution["response"]  # the built-in agent's confirmation
    # Dan's default channel: a persistent notification.
    assert execution["delivery"]["channel"] == "persistent_notification"
    assert execution["delivery"]["status"] == "sent"
    assert "ERROR (MainThread) [custom_components.dland_assistant" not in hass.log


def test_sigkill_mid_run_loses_nothing(
    hass_process: Callable[..., HassProcess],
) -> None:
    """SIGKILL mid-run; after restart nothing is lost or left in progress, and
    each interrupted one-off run is tried again exactly once, after the pause."""
    hass = hass_process("e2e_slow_agent:\n  delay: 4\n")
    hass.start_onboarded()
    hass.set_options(retry_delay=3)
    slow = hass.config_entry_id("e2e_slow_agent")

    running_ids = []
    for number in range(3):
        status, body = hass.call_service(
            "schedule_task",
            {"agent": slow, "prompt": f"slow {number}", "in": {"seconds": 1}},
        )
        assert status == 200, body
        running_ids.append(body["task_id"])
    pending_ids = []
    for number in range(5):
        status, body = hass.call_service(
            "schedule_task",
            {
                "agent": "conversation.home_assistant",
                "prompt": "turn on the living room light",
                "in": {"seconds": 20 + number},
                "name": f"pending {number}",
            },
        )
        assert status == 200, body
        pending_ids.append(body["task_id"])

    def two_running() -> bool:
        body = hass.call_service("get_executions", {"status": "in_progress"})[1]
        return len(body["executions"]) == 2

    wait_for(two_running, 20, "two executions in progress")
    hass.kill()

    hass.start()
    started = time.monotonic()
    hass.wait_for_integration()
    status, body = hass.call_service("get_executions")
    abandoned = [e for e in body["executions"] if e["status"] == "abandoned"]
    assert len(abandoned) == 2
    assert time.monotonic() - started < 60

    def all_done() -> bool:
        tasks = hass.call_service("list_tasks")[1]["tasks"]
        return all(t["status"] not in ("scheduled", "running") for t in tasks)

    wait_for(all_done, 60, "every task to end")
    tasks = {t["task_id"]: t for t in hass.call_service("list_tasks")[1]["tasks"]}
    assert set(tasks) == set(running_ids) | set(pending_ids)  # no task lost
    assert {tasks[t]["status"] for t in running_ids} == {"succeeded"}
    assert {tasks[t]["status"] for t in pending_ids} == {"succeeded"}

    executions = hass.call_service("get_executions", {"limit": 100})[1]["executions"]
    runs: dict[str, list[dict[str, Any]]] = {}
    for execution in reversed(executions):  # oldest first
        runs.setdefault(execution["task_id"], []).append(execution)
    interrupted = [t for t in running_ids if len(runs[t]) > 1]
    assert len(interrupted) == 2
    for task_id in interrupted:
        # Abandoned at the start, then tried once more when the log said.
        abandoned, retried = runs[task_id]
        assert (abandoned["status"], abandoned["attempt"]) == ("abandoned", 1)
        assert (retried["status"], retried["attempt"]) == ("succeeded", 2)
        assert retried["started"] >= abandoned["next_attempt"]
    # Every other task ran once.
    assert {len(runs[t]) for t in set(runs) - set(interrupted)} == {1}
    assert not [e for e in executions if e["status"] == "in_progress"]
    # The pending tasks ran on time after the restart.
    for task_id in pending_ids:
        execution = next(e for e in executions if e["task_id"] == task_id)
        due = dt_util.parse_datetime(tasks[task_id]["next_run"])
        started_at = dt_util.parse_datetime(execution["started"])
        assert due is not None
        assert started_at is not None
        assert 0 <= (started_at - due).total_seconds() < 1


BLUEPRINTS = {
    "morning_briefing": {"agent": "nikki"},
    "doorbell_ask_agent": {
        "doorbell": "binary_sensor.front_doorbell",
        "agent": "nikki",
    },
    "notify_task_failed": {"notify_entity": "notify.persistent_notification"},
    "voice_reminder": {},
}


def test_every_blueprint_becomes_an_automation(
    hass_process: Callable[..., HassProcess],
) -> None:
    """The dev configuration loads automations made in the UI from each of the
    integration's blueprints, as the automation editor saves them."""
    hass = hass_process()
    hass.start_onboarded()
    for name, inputs in BLUEPRINTS.items():
        status, body = hass.request(
            "POST",
            f"/api/config/automation/config/{name}",
            {
                "alias": f"Try {name}",
                "description": "",
                "use_blueprint": {
                    "path": f"dland_assistant/{name}.yaml",
                    "input": inputs,
                },
            },
        )
        assert status == 200, body

    def automations() -> dict[str, str]:
        states = hass.request("GET", "/api/states")[1]
        return {
            state["entity_id"]: state["state"]
            for state in states
            if state["entity_id"].startswith("automation.")
        }

    wait_for(lambda: len(automations()) == len(BLUEPRINTS), 30, "the automations")
    assert automations() == {f"automation.try_{name}": "on" for name in BLUEPRINTS}
