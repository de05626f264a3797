"""Reminders on moments on a real hass: a person's tracker, a restart, a washer.

Dan is a real person (made over the websocket, as the UI makes one) with a phone
tracker whose state is set over REST, as a tracker integration would set it.
A reminder for when he gets home runs once when he does, never again; after a
restart his tracker loads late (unknown, then home), which is not an arrival;
the next real arrival is. A washer going running → idle is done, once. An LLM
agent sets one with its tool call. On a shifted clock, a daily window and an
expiry hold.
"""

from datetime import datetime
import json
from pathlib import Path
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ..scripted_model import ScriptedModel
from .accounts import add_subentry, config_flow
from .clock import ShiftedClock
from .harness import HassProcess, wait_for
from .people import TrackedPerson, ended_runs_of, runs_of, set_state

pytestmark = pytest.mark.e2e


def _remind(
    hass: HassProcess,
    dan: TrackedPerson,
    prompt: str,
    when: dict[str, Any],
    **extra: Any,
) -> str:
    status, body = hass.call_service(
        "schedule_task",
        {"prompt": prompt, "action": "remind", "user": dan.entity_id, "when": when}
        | extra,
    )
    assert status == 200, body
    assert body["next_run"] is None
    task_id: str = body["task_id"]
    return task_id


def test_moments_on_a_real_hass(hass_process: Any) -> None:
    """Home once, never twice; a late tracker after a restart is no arrival; a
    washer done once."""
    hass: HassProcess = hass_process().start_onboarded(long_lived_token=True)
    dan = TrackedPerson(hass, "Dan")
    dan.move("not_home")
    home = {"trigger": "zone", "entity_id": dan.entity_id, "event": "enter"}
    laundry = _remind(hass, dan, "take the laundry out", home)
    dan.move("home")
    runs = wait_for(lambda: ended_runs_of(hass, laundry), 15, "the reminder's run")
    assert [run["response"] for run in runs] == ["Dan came home: take the laundry out"]
    dan.move("not_home")
    dan.move("home")
    dan.move("not_home")
    plants = _remind(hass, dan, "water the plants", home)

    hass.stop()
    hass.start()
    hass.wait_for_integration()
    assert dan.state() in ("unknown", "not_home"), dan.state()
    dan.move("home")  # the tracker loads late: not an arrival
    dan.move("not_home")
    assert runs_of(hass, plants) == []
    dan.move("home")
    runs = wait_for(
        lambda: ended_runs_of(hass, plants), 15, "the second reminder's run"
    )
    assert [run["response"] for run in runs] == ["Dan came home: water the plants"]
    assert len(runs_of(hass, laundry)) == 1

    set_state(hass, "sensor.washer", "running", friendly_name="Washer")
    washer = _remind(
        hass,
        dan,
        "hang the washing",
        {"trigger": "state", "entity_id": "sensor.washer", "from": "running"},
    )
    set_state(hass, "sensor.washer", "idle", friendly_name="Washer")
    runs = wait_for(
        lambda: ended_runs_of(hass, washer), 15, "the washer reminder's run"
    )
    set_state(hass, "sensor.washer", "running", friendly_name="Washer")
    set_state(hass, "sensor.washer", "idle", friendly_name="Washer")
    assert [run["response"] for run in runs_of(hass, washer)] == [
        "Washer is no longer running: hang the washing"
    ]
    errors = [line for line in hass.log.splitlines() if " ERROR " in line]
    assert not [line for line in errors if "dland_assistant" in line], errors


def test_an_llm_agent_sets_a_moment_on_a_real_hass(hass_process: Any) -> None:
    """Home Assistant's ollama integration on the scripted model: the model calls
    the schedule tool with when=arrive; the owner's arrival then reminds once."""
    model = ScriptedModel()
    url = model.start_in_thread()
    try:
        hass: HassProcess = hass_process().start_onboarded(long_lived_token=True)
        dan = TrackedPerson(hass, "Dan")
        dan.move("not_home")
        ollama = config_flow(hass, "ollama", {"url": url})
        wait_for(lambda: _loaded(hass), 60, "ollama to load")
        add_subentry(
            hass,
            ollama["entry_id"],
            "conversation",
            {
                "name": "Scripted",
                "model": "scripted:latest",
                "prompt": "You run a home.",
                "llm_hass_api": ["assist"],
            },
        )
        time.sleep(1)  # a new subentry reloads the ollama entry
        wait_for(lambda: _loaded(hass), 60, "ollama to load again")
        call = {"text": "take the laundry out", "reminder": True, "when": "arrive"}
        status, body = hass.request(
            "POST",
            "/api/conversation/process",
            {
                "text": "remind me when I get home to take the laundry out "
                f"CALL schedule_task {json.dumps(call)}",
                "agent_id": "conversation.scripted",
            },
        )
        assert status == 200, body
        status, listed = hass.call_service("list_tasks", {"status": ["scheduled"]})
        [task] = listed["tasks"]
        trigger = task["moment"]["trigger"]
        assert (task["kind"], task["prompt"], trigger["entity_id"]) == (
            "moment",
            "take the laundry out",
            dan.entity_id,
        )
        dan.move("home")
        runs = wait_for(
            lambda: ended_runs_of(hass, task["task_id"]), 15, "the reminder's run"
        )
        dan.move("not_home")
        dan.move("home")
        assert [run["response"] for run in runs_of(hass, task["task_id"])] == [
            "Dan came home: take the laundry out"
        ]
        assert len(runs) == 1
    finally:
        model.stop_thread()


def _loaded(hass: HassProcess) -> bool:
    status, body = hass.request("GET", "/api/config/config_entries/entry?domain=ollama")
    return status == 200 and bool(body) and body[0]["state"] == "loaded"


def _status(hass: HassProcess, task_id: str) -> str:
    statuses = ["scheduled", "running", "succeeded", "missed", "cancelled", "failed"]
    status, listed = hass.call_service("list_tasks", {"status": statuses})
    assert status == 200, listed
    [task] = [task for task in listed["tasks"] if task["task_id"] == task_id]
    state: str = task["status"]
    return state


def test_a_window_and_an_expiry_on_a_real_hass(
    hass_process: Any, tmp_path: Path
) -> None:
    """On the home's clock (libfaketime, Berlin): 'after 17:00' ignores a 15:31
    arrival and takes the 18:00 one; 'until 15:30' ends missed at 15:30."""
    clock = ShiftedClock(tmp_path / "faketime", 0)
    clock.move_to(_berlin("2027-01-11 15:00:00"))
    hass: HassProcess = clock.attach(hass_process())
    hass.start_onboarded(long_lived_token=True)
    dan = TrackedPerson(hass, "Dan")
    dan.move("not_home")
    home = {"trigger": "zone", "entity_id": dan.entity_id, "event": "enter"}
    evening = _remind(hass, dan, "lock up", home, after="17:00:00")
    parcel = _remind(
        hass, dan, "bring the parcel in", home, until="2027-01-11 15:30:00"
    )
    clock.move_to(_berlin("2027-01-11 15:31:00"))
    wait_for(lambda: _status(hass, parcel) == "missed", 30, "the expiry")
    dan.move("home")  # 15:31: before the window, after the expiry
    time.sleep(1)
    assert runs_of(hass, evening) == []
    assert runs_of(hass, parcel) == []
    dan.move("not_home")
    clock.move_to(_berlin("2027-01-11 18:00:00"))
    dan.move("home")
    runs = wait_for(lambda: ended_runs_of(hass, evening), 15, "the evening reminder")
    assert [run["response"] for run in runs] == ["Dan came home: lock up"]
    assert _status(hass, evening) == "succeeded"


def _berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin"))
