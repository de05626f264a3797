"""The execution-finished event entity."""

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.core import HomeAssistant

from .conftest import RecordingAgent, call, entity_state, platform_snapshot, settle


async def test_event_entity_fires_on_every_finished_run(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """The event entity's type is the run's outcome; its data names the task."""
    entity_id = "event.dland_assistant_execution_finished"
    assert "timed_out" in entity_state(hass, entity_id).attributes["event_types"]
    await call(
        hass,
        "wakeup",
        {"agent": test_agent.agent_id, "prompt": "hello", "wait": True},
    )
    await settle(hass)
    state = entity_state(hass, entity_id)
    assert state.attributes["event_type"] == "succeeded"
    assert state.attributes["task_name"] == "Wakeup from service"


async def test_event_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """The execution-finished event entity after the last run."""
    assert platform_snapshot(hass, mission_control, "event") == snapshot
