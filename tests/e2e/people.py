"""The owner as a real person on a real hass, with a phone tracker set over REST.

Made over the websocket as the UI makes one; his tracker's state is set over
REST, as a tracker integration would set it.
"""

from typing import Any

from .harness import HassProcess, wait_for

PHONE = "device_tracker.owner_phone"


def set_state(hass: HassProcess, entity_id: str, state: str, **attributes: Any) -> None:
    """Set an entity's state over REST."""
    status, body = hass.request(
        "POST", f"/api/states/{entity_id}", {"state": state, "attributes": attributes}
    )
    assert status in (200, 201), body


def state_of(hass: HassProcess, entity_id: str) -> str:
    """Return an entity's state over REST."""
    status, body = hass.request("GET", f"/api/states/{entity_id}")
    assert status == 200, body
    state: str = body["state"]
    return state


def runs_of(hass: HassProcess, task_id: str) -> list[dict[str, Any]]:
    """Return a task's runs, newest first."""
    status, body = hass.call_service("get_executions", {"task_id": task_id})
    assert status == 200, body
    runs: list[dict[str, Any]] = body["executions"]
    return runs


def ended_runs_of(hass: HassProcess, task_id: str) -> list[dict[str, Any]]:
    """Return a task's runs once none is in progress (empty while one is)."""
    runs = runs_of(hass, task_id)
    return [] if any(run["status"] == "in_progress" for run in runs) else runs


class TrackedPerson:
    """The owner's person, named as asked, with a phone tracker."""

    def __init__(self, hass: HassProcess, name: str) -> None:
        """Name the owner's person (the owner must exist: after onboarding)."""
        self.hass = hass
        self.entity_id = _name_owner(hass, name)

    def state(self) -> str:
        """Where the person is, as the person entity says."""
        return state_of(self.hass, self.entity_id)

    def move(self, where: str) -> None:
        """Put the phone (and so the person) at ``where``: home, not_home, a zone."""
        set_state(self.hass, PHONE, where, source_type="router")
        wait_for(lambda: self.state() == where, 10, f"{self.entity_id} {where}")


def _name_owner(hass: HassProcess, name: str) -> str:
    """Name the owner's person, give it a phone tracker; return its entity id."""
    [owner] = hass.websocket({"type": "auth/current_user"})
    [persons] = hass.websocket({"type": "person/list"})
    [person] = [p for p in persons["storage"] if p["user_id"] == owner["id"]]
    hass.websocket(
        {
            "type": "person/update",
            "person_id": person["id"],
            "name": name,
            "user_id": owner["id"],
            "device_trackers": [PHONE],
        }
    )
    status, states = hass.request("GET", "/api/states")
    assert status == 200, states
    [entity_id] = [
        str(state["entity_id"])
        for state in states
        if state["entity_id"].startswith("person.")
        and state["attributes"].get("id") == person["id"]
    ]
    return entity_id
