"""Personas: subentries set up in the UI, devices, instructions, sessions."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .conftest import RecordingAgent, add_subentry, call, second_agent, settle


async def _add_persona(
    hass: HomeAssistant, entry: MockConfigEntry, **data: Any
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "agent"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    defaults = {
        "timeout": 600,
        "deliver": False,
        "session_window": 30,
        "instructions": "",
    }
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**defaults, **data}
    )


async def test_two_personas_run_their_own_agents_and_instructions(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Each persona runs its task on its own agent with its own instructions."""
    other = await second_agent(hass)
    hass.states.async_set("person.dan", "home", {"friendly_name": "Dan"})
    nikki = await _add_persona(
        hass,
        entry,
        name="Nikki",
        conversation_agent=test_agent.agent_id,
        instructions="You are Nikki. You help {{ user }} with '{{ task.name }}'.",
    )
    assert nikki["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    lenore = await _add_persona(
        hass,
        entry,
        name="Lenore",
        conversation_agent=other.agent_id,
        instructions="You are Lenore, running the family.",
        language="de",
    )
    assert lenore["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    await call(
        hass,
        "schedule_task",
        {
            "agent": "nikki",
            "prompt": "Check Dan's calendar",
            "name": "Calendar",
            "user": "person.dan",
            "in": {"minutes": 1},
        },
    )
    await call(
        hass,
        "schedule_task",
        {"agent": "LENORE", "prompt": "Plan dinner", "in": {"minutes": 1}},
    )
    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert sorted(t["agent"] for t in tasks) == ["Lenore", "Nikki"]
    assert all(t["agent_id"].startswith("persona:") for t in tasks)

    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await settle(hass)
    [nikki_call] = test_agent.calls
    [lenore_call] = other.calls
    assert nikki_call.text == "Check Dan's calendar"
    assert (
        nikki_call.extra_system_prompt == "You are Nikki. You help Dan with 'Calendar'."
    )
    assert lenore_call.text == "Plan dinner"
    assert lenore_call.extra_system_prompt == "You are Lenore, running the family."


async def test_persona_is_a_service_device(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Each persona gets a device; deleting the persona removes it."""
    await _add_persona(
        hass, entry, name="Oracle", conversation_agent=test_agent.agent_id
    )
    await hass.async_block_till_done()
    registry = dr.async_get(hass)
    [subentry_id] = list(entry.subentries)
    device = registry.async_get_device_by_identifier(
        (DOMAIN, subentry_id), entry.entry_id
    )
    assert device is not None
    assert device.name == "Oracle"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done()
    assert (
        registry.async_get_device_by_identifier((DOMAIN, subentry_id), entry.entry_id)
        is None
    )


async def test_persona_flow_validates(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Names are unique regardless of case; agent and template must be valid."""
    await _add_persona(
        hass, entry, name="Nikki", conversation_agent=test_agent.agent_id
    )
    await hass.async_block_till_done()
    result = await _add_persona(
        hass,
        entry,
        name="NIKKI",
        conversation_agent="conversation.nobody",
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        "name": "name_taken",
        "conversation_agent": "unknown_agent",
    }
    with pytest.raises(InvalidData):
        await _add_persona(
            hass,
            entry,
            name="Other",
            conversation_agent=test_agent.agent_id,
            instructions="{{ broken",
        )
    result = await _add_persona(
        hass, entry, name="  ", conversation_agent=test_agent.agent_id
    )
    assert result["errors"] == {"name": "name_empty"}


async def test_persona_reconfigure_renames_and_keeps_tasks(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Renaming a persona keeps its tasks; the new name resolves."""
    await _add_persona(
        hass, entry, name="Nikki", conversation_agent=test_agent.agent_id
    )
    await hass.async_block_till_done()
    await call(
        hass, "schedule_task", {"agent": "Nikki", "prompt": "x", "in": {"hours": 1}}
    )
    [subentry_id] = list(entry.subentries)
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Nicola",
            "conversation_agent": test_agent.agent_id,
            "timeout": 300,
            "deliver": True,
            "session_window": 10,
            "instructions": "",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert tasks[0]["agent"] == "Nicola"
    await call(
        hass, "schedule_task", {"agent": "nicola", "prompt": "y", "in": {"hours": 1}}
    )
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "schedule_task", {"agent": "Nikki", "prompt": "z", "in": {"hours": 1}}
        )
    assert err.value.translation_key == "unknown_agent"


async def test_deleted_persona_tasks_are_reassigned_not_orphaned(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Deleting a persona moves its pending tasks to the default agent and says so."""
    persona_id = add_subentry(
        hass, entry, "agent", "Oracle", {"conversation_agent": test_agent.agent_id}
    )
    await hass.async_block_till_done()
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"agent": "Oracle", "prompt": "Audit", "cron": "0 * * * *"},
        )
    )["task_id"]
    hass.config_entries.async_remove_subentry(entry, persona_id)
    await hass.async_block_till_done()
    task = (await call(hass, "list_tasks"))["tasks"][0]
    assert task["task_id"] == task_id
    assert task["agent_id"] == test_agent.agent_id
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "persona_tasks_reassigned")
    assert issue is not None
    assert issue.translation_placeholders == {
        "count": "1",
        "agent": test_agent.agent_id,
    }


async def test_session_continues_within_the_window(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Runs for one persona and user within the window continue one conversation."""
    hass.states.async_set("person.dan", "home", {"friendly_name": "Dan"})
    add_subentry(
        hass,
        entry,
        "agent",
        "Nikki",
        {
            "conversation_agent": test_agent.agent_id,
            "session_window": 30,
            "instructions": "Be brief.",
        },
    )
    await hass.async_block_till_done()
    first = (
        await call(
            hass,
            "schedule_task",
            {
                "agent": "Nikki",
                "prompt": "What is 2+2?",
                "cron": "0 0 1 1 *",
                "user": "person.dan",
            },
        )
    )["task_id"]
    second = (
        await call(
            hass,
            "schedule_task",
            {
                "agent": "Nikki",
                "prompt": "And times 3?",
                "cron": "0 0 1 1 *",
                "user": "person.dan",
            },
        )
    )["task_id"]
    await call(hass, "run_task", {"task_id": first})
    await settle(hass)
    freezer.tick(timedelta(minutes=10))
    await call(hass, "run_task", {"task_id": second})
    await settle(hass)
    one, two = test_agent.calls
    assert one.conversation_id is not None
    assert two.conversation_id == one.conversation_id
    assert one.extra_system_prompt == "Be brief."
    assert two.extra_system_prompt == (
        "Be brief.\n\nEarlier in this conversation:\n"
        "User: What is 2+2?\nYou: Done: What is 2+2?"
    )
    executions = (await call(hass, "get_executions"))["executions"]
    assert {e["conversation_id"] for e in executions} == {one.conversation_id}
    # Past the window a new conversation starts.
    freezer.tick(timedelta(minutes=31))
    await call(hass, "run_task", {"task_id": first})
    await settle(hass)
    assert test_agent.calls[2].conversation_id != one.conversation_id
    assert test_agent.calls[2].extra_system_prompt == "Be brief."


async def test_broken_instructions_fail_the_run_clearly(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A template that fails at run time fails the run with the reason."""
    add_subentry(
        hass,
        entry,
        "agent",
        "Nikki",
        {
            "conversation_agent": test_agent.agent_id,
            "instructions": "{{ task.missing.deeper }}",
        },
    )
    await hass.async_block_till_done()
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"agent": "Nikki", "prompt": "x", "cron": "0 0 1 1 *"},
        )
    )["task_id"]
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    execution = (await call(hass, "get_executions"))["executions"][0]
    assert execution["status"] == "failed"
    assert execution["error"].startswith("Agent error: persona instructions:")
    assert test_agent.calls == []


async def test_persona_defaults_apply_to_its_tasks(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A persona's timeout and delivery setting are its tasks' defaults."""
    add_subentry(
        hass,
        entry,
        "agent",
        "Quiet",
        {"conversation_agent": test_agent.agent_id, "timeout": 42, "deliver": False},
    )
    await hass.async_block_till_done()
    await call(
        hass, "schedule_task", {"agent": "Quiet", "prompt": "x", "in": {"hours": 1}}
    )
    task = (await call(hass, "list_tasks"))["tasks"][0]
    assert task["timeout"] == 42
    assert task["deliver"] is False


async def test_persona_subentry_menu_is_offered(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The entry offers persona and recipient subentries."""
    from custom_components.dland_assistant.config_flow import DlandAssistantConfigFlow

    assert set(DlandAssistantConfigFlow.async_get_supported_subentry_types(entry)) == {
        "agent",
        "recipient",
        "trigger",
        "vonage",
        "youtube",
        "whmcs",
        "camera",
        "routine",
    }
