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

pytestmark = pytest.mark.e2e

PHONE = "device_tracker.dan_phone"
DAN = "person.dan"  # the owner's person; its id is read once it exists


def _set_state(
    hass: HassProcess, entity_id: str, state: str, **attributes: Any
) -> None:
    status, body = hass.request(
        "POST", f"/api/states/{entity_id}", {"state": state, "attributes": attributes}
    )
    assert status in (200, 201), body


def _person(hass: HassProcess) -> str:
    status, body = hass.request("GET", f"/api/states/{DAN}")
    assert status == 200, body
    state: str = body["state"]
    return state


def _runs(hass: HassProcess, task_id: str) -> list[dict[str, Any]]:
    status, body = hass.call_service("get_executions", {"task_id": task_id})
    assert status == 200, body
    runs: list[dict[str, Any]] = body["executions"]
    return runs


def _remind(hass: HassProcess, prompt: str, when: dict[str, Any], **extra: Any) -> str:
    status, body = hass.call_service(
        "schedule_task",
        {"prompt": prompt, "action": "remind", "user": DAN, "when": when, **extra},
    )
    assert status == 200, body
    assert body["next_run"] is None
    task_id: str = body["task_id"]
    return task_id


def _move(hass: HassProcess, where: str) -> None:
    _set_state(hass, PHONE, where, source_type="router")
    wait_for(lambda: _person(hass) == where, 10, f"{DAN} {where}")


def _make_dan(hass: HassProcess) -> None:
    """Name the owner's person Dan and give it a phone tracker."""
    [owner] = hass.websocket({"type": "auth/current_user"})
    [persons] = hass.websocket({"type": "person/list"})
    [person] = [p for p in persons["storage"] if p["user_id"] == owner["id"]]
    hass.websocket(
        {
            "type": "person/update",
            "person_id": person["id"],
            "name": "Dan",
            "user_id": owner["id"],
            "device_trackers": [PHONE],
        }
    )
    global DAN
    status, states = hass.request("GET", "/api/states")
    assert status == 200, states
    [DAN] = [
        state["entity_id"]
        for state in states
        if state["entity_id"].startswith("person.")
        and state["attributes"].get("id") == person["id"]
    ]


def test_moments_on_a_real_hass(hass_process: Any) -> None:
    """Home once, never twice; a late tracker after a restart is no arrival; a
    washer done once."""
    hass: HassProcess = hass_process().start_onboarded(long_lived_token=True)
    _make_dan(hass)
    _move(hass, "not_home")
    home = {"trigger": "zone", "entity_id": DAN, "event": "enter"}
    laundry = _remind(hass, "take the laundry out", home)
    _move(hass, "home")
    runs = wait_for(lambda: _runs(hass, laundry), 15, "the reminder's run")
    assert [run["response"] for run in runs] == ["Dan came home: take the laundry out"]
    _move(hass, "not_home")
    _move(hass, "home")
    _move(hass, "not_home")
    plants = _remind(hass, "water the plants", home)

    hass.stop()
    hass.start()
    hass.wait_for_integration()
    assert _person(hass) in ("unknown", "not_home"), _person(hass)
    _move(hass, "home")  # the tracker loads late: not an arrival
    _move(hass, "not_home")
    assert _runs(hass, plants) == []
    _move(hass, "home")
    runs = wait_for(lambda: _runs(hass, plants), 15, "the second reminder's run")
    assert [run["response"] for run in runs] == ["Dan came home: water the plants"]
    assert len(_runs(hass, laundry)) == 1

    _set_state(hass, "sensor.washer", "running", friendly_name="Washer")
    washer = _remind(
        hass,
        "hang the washing",
        {"trigger": "state", "entity_id": "sensor.washer", "from": "running"},
    )
    _set_state(hass, "sensor.washer", "idle", friendly_name="Washer")
    runs = wait_for(lambda: _runs(hass, washer), 15, "the washer reminder's run")
    _set_state(hass, "sensor.washer", "running", friendly_name="Washer")
    _set_state(hass, "sensor.washer", "idle", friendly_name="Washer")
    assert [run["response"] for run in _runs(hass, washer)] == [
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
        _make_dan(hass)
        _move(hass, "not_home")
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
            DAN,
        )
        _move(hass, "home")
        runs = wait_for(lambda: _runs(hass, task["task_id"]), 15, "the reminder's run")
        _move(hass, "not_home")
        _move(hass, "home")
        assert [run["response"] for run in _runs(hass, task["task_id"])] == [
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
    _make_dan(hass)
    _move(hass, "not_home")
    home = {"trigger": "zone", "entity_id": DAN, "event": "enter"}
    evening = _remind(hass, "lock up", home, after="17:00:00")
    parcel = _remind(hass, "bring the parcel in", home, until="2027-01-11 15:30:00")
    clock.move_to(_berlin("2027-01-11 15:31:00"))
    wait_for(lambda: _status(hass, parcel) == "missed", 30, "the expiry")
    _move(hass, "home")  # 15:31: before the window, after the expiry
    time.sleep(1)
    assert _runs(hass, evening) == []
    assert _runs(hass, parcel) == []
    _move(hass, "not_home")
    clock.move_to(_berlin("2027-01-11 18:00:00"))
    _move(hass, "home")
    runs = wait_for(lambda: _runs(hass, evening), 15, "the evening reminder")
    assert [run["response"] for run in runs] == ["Dan came home: lock up"]
    assert _status(hass, evening) == "succeeded"


def _berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin"))
