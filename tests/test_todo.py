"""The pending-tasks to-do list: items are tasks with a due time."""

from datetime import timedelta

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, entity_state, platform_snapshot, settle


async def test_pending_tasks_todo_list(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Adding an item with a due time schedules a task; deleting cancels it."""
    due = dt_util.now() + timedelta(hours=2)
    await hass.services.async_call(
        "todo",
        "add_item",
        {"item": "Call mum", "due_datetime": due.replace(microsecond=0)},
        target={"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
    )
    await settle(hass)
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert (task["name"], task["prompt"], task["agent_id"]) == (
        "Call mum",
        "Call mum",
        test_agent.agent_id,
    )
    assert entity_state(hass, "todo.dland_assistant_pending_tasks").state == "1"
    items = await hass.services.async_call(
        "todo",
        "get_items",
        {},
        target={"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
        return_response=True,
    )
    [item] = items["todo.dland_assistant_pending_tasks"]["items"]
    assert item["uid"] == task["task_id"]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "todo",
            "add_item",
            {"item": "No time given"},
            target={"entity_id": "todo.dland_assistant_pending_tasks"},
            blocking=True,
        )
    assert err.value.translation_key == "due_time_required"
    await hass.services.async_call(
        "todo",
        "remove_item",
        {"item": "Call mum"},
        target={"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
    )
    await settle(hass)
    [cancelled] = (await call(hass, "list_tasks"))["tasks"]
    assert cancelled["status"] == "cancelled"
    assert entity_state(hass, "todo.dland_assistant_pending_tasks").state == "0"


async def test_todo_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The pending-tasks list and its count."""
    assert platform_snapshot(hass, mission_control, "todo") == snapshot
