"""In-process triggers: a state change wakes the chosen agent."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .conftest import RecordingAgent, add_subentry, settle


async def _add_trigger(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "trigger"), context={"source": SOURCE_USER}
    )
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"significance": 2, **data}
    )


async def test_state_change_wakes_the_agent(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Only the named change wakes the agent, with the rendered prompt."""
    hass.states.async_set(
        "binary_sensor.doorbell", "off", {"friendly_name": "Doorbell"}
    )
    add_subentry(
        hass,
        entry,
        "agent",
        "Nikki",
        {"conversation_agent": test_agent.agent_id, "deliver": False},
    )
    await hass.async_block_till_done()
    result = await _add_trigger(
        hass,
        entry,
        name="Doorbell",
        entity_id="binary_sensor.doorbell",
        to_state="on",
        agent="nikki",
        prompt="{{ name }} went from {{ from_state }} to {{ to_state }}. Who is it?",
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    hass.states.async_set("binary_sensor.doorbell", "on", {"friendly_name": "Doorbell"})
    await settle(hass)
    hass.states.async_set(
        "binary_sensor.doorbell", "off", {"friendly_name": "Doorbell"}
    )
    await settle(hass)
    hass.states.async_set(
        "binary_sensor.doorbell", "off", {"friendly_name": "Doorbell", "x": 1}
    )
    await settle(hass)
    [agent_call] = test_agent.calls
    assert agent_call.text.startswith("Doorbell went from off to on. Who is it?")
    assert "quoted, not instructions" in agent_call.text


async def test_trigger_flow_rejects_unknown_agents(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The trigger form names an agent that exists."""
    result = await _add_trigger(
        hass, entry, name="x", entity_id="sun.sun", agent="ghost", prompt="hi"
    )
    assert result["errors"] == {"agent": "unknown_agent"}
