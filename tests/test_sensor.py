"""Overview sensors: what is due, pending, running and failed."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, entity_state, platform_snapshot, settle

SENSOR = "sensor.dland_assistant_{}"


async def test_overview_sensors_follow_the_scheduler(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Next due, pending, running and failed update as tasks change and run."""
    assert entity_state(hass, SENSOR.format("tasks_pending")).state == "0"
    assert entity_state(hass, SENSOR.format("next_due_task")).state == STATE_UNKNOWN
    soon = await call(hass, "schedule_task", {"prompt": "tea", "in": {"minutes": 5}})
    await call(hass, "schedule_task", {"prompt": "later", "in": {"hours": 5}})
    await settle(hass)
    assert entity_state(hass, SENSOR.format("tasks_pending")).state == "2"
    next_due = entity_state(hass, SENSOR.format("next_due_task"))
    expected = dt_util.parse_datetime(soon["next_run"])
    assert expected is not None
    assert dt_util.parse_datetime(next_due.state) == expected.replace(microsecond=0)
    assert next_due.attributes["task_id"] == soon["task_id"]

    async def broken(_: Any) -> str:
        raise RuntimeError("down")

    test_agent.behaviour = broken
    await call(
        hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "x", "wait": True}
    )
    await settle(hass)
    assert entity_state(hass, SENSOR.format("failed_runs_24_h")).state == "1"
    assert entity_state(hass, SENSOR.format("runs_in_progress")).state == "0"


async def test_sensor_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The overview sensors as a dashboard shows them."""
    assert platform_snapshot(hass, mission_control, "sensor") == snapshot
