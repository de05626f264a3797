"""Structured output for personas goes through ai_task.async_generate_data."""

from typing import Any

from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)
import voluptuous as vol

from custom_components.dland_assistant.personas import (
    async_generate_structured,
    find_persona,
)
from homeassistant.components import ai_task, conversation
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component

from .conftest import RecordingAgent, add_subentry


class _AITaskFlow(ConfigFlow, domain="test_ai_task"):
    VERSION = 1


class FactsEntity(ai_task.AITaskEntity):
    """Answers every data task with fixed facts, recording what it was asked."""

    _attr_name = "Facts"
    _attr_unique_id = "facts"
    _attr_supported_features = ai_task.AITaskEntityFeature.GENERATE_DATA

    def __init__(self) -> None:
        self.tasks: list[ai_task.GenDataTask] = []

    async def _async_generate_data(
        self, task: ai_task.GenDataTask, chat_log: conversation.ChatLog
    ) -> ai_task.GenDataTaskResult:
        self.tasks.append(task)
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id,
            data={
                "facts": [{"subject": "Dan", "fact": "likes tea", "confidence": 0.9}]
            },
        )


async def test_persona_structured_output(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """The persona's instructions and the structure reach its AI task entity."""
    assert await async_setup_component(hass, "ai_task", {})
    facts_entity = FactsEntity()

    async def setup_entry(hass: HomeAssistant, config_entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(
            config_entry, [Platform.AI_TASK]
        )
        return True

    async def setup_platform(
        hass: HomeAssistant,
        config_entry: ConfigEntry,
        add: AddConfigEntryEntitiesCallback,
    ) -> None:
        add([facts_entity])

    mock_integration(hass, MockModule("test_ai_task", async_setup_entry=setup_entry))
    mock_platform(
        hass, "test_ai_task.ai_task", MockPlatform(async_setup_entry=setup_platform)
    )
    mock_platform(hass, "test_ai_task.config_flow")
    ai_entry = MockConfigEntry(domain="test_ai_task")
    ai_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(ai_entry.entry_id)
    await hass.async_block_till_done()

    add_subentry(
        hass,
        entry,
        "agent",
        "MemoryMaster",
        {
            "conversation_agent": test_agent.agent_id,
            "instructions": "You are {{ persona }}, keeper of memories.",
            "ai_task_entity": facts_entity.entity_id,
        },
    )
    await hass.async_block_till_done()
    persona = find_persona(entry, "memorymaster")
    assert persona is not None
    structure = vol.Schema({vol.Required("facts"): list})
    data: Any = await async_generate_structured(
        hass,
        persona,
        task_name="distil",
        instructions="Return durable facts.",
        structure=structure,
    )
    assert data["facts"][0]["fact"] == "likes tea"
    [task] = facts_entity.tasks
    assert task.name == "distil"
    assert task.instructions == (
        "You are MemoryMaster, keeper of memories.\n\nReturn durable facts."
    )
    assert task.structure is structure
