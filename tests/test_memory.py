"""Long-term memory: nightly distillation, de-duplication, recall, forgetting."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant import llm as dland_llm
from custom_components.dland_assistant.identity import SYSTEM
from custom_components.dland_assistant.models import Trust
from homeassistant.components import ai_task, conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, add_ai_task_entities, add_subentry, call, settle

FACTS = [
    {"subject": "Dan", "fact": "Drinks his coffee black.", "confidence": 0.9},
    {"subject": "dan", "fact": "drinks his coffee  black", "confidence": 0.95},
    {"subject": "Home", "fact": "The bins go out on Tuesday.", "confidence": 0.8},
    {"subject": "Nobody", "confidence": 0.5},  # malformed: no fact
]


class MemoryMaster(ai_task.AITaskEntity):
    """Answers a distillation with the facts the test sets, recording the task."""

    _attr_name = "Memory model"
    _attr_unique_id = "memory_model"
    _attr_supported_features = ai_task.AITaskEntityFeature.GENERATE_DATA

    def __init__(self) -> None:
        self.tasks: list[ai_task.GenDataTask] = []
        self.facts: list[dict[str, Any]] = FACTS
        self.fail = False

    async def _async_generate_data(
        self, task: ai_task.GenDataTask, chat_log: conversation.ChatLog
    ) -> ai_task.GenDataTaskResult:
        if self.fail:
            raise HomeAssistantError("model unavailable")
        self.tasks.append(task)
        return ai_task.GenDataTaskResult(
            conversation_id=chat_log.conversation_id, data={"facts": self.facts}
        )


@pytest.fixture
async def memory_master(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> MemoryMaster:
    """The MemoryMaster persona with its AI task entity, and the nightly routine."""
    model = MemoryMaster()
    await add_ai_task_entities(hass, [model])
    add_subentry(
        hass,
        entry,
        "agent",
        "MemoryMaster",
        {
            "conversation_agent": test_agent.agent_id,
            "ai_task_entity": "ai_task.memory_model",
        },
    )
    add_subentry(
        hass,
        entry,
        "routine",
        "Memory distillation",
        {
            "builtin": "memory",
            "schedule": "daily",
            "time": "02:00:00",
            "agent": "MemoryMaster",
            "deliver": False,
        },
    )
    await hass.async_block_till_done()
    return model


# An afternoon, set before the routine is armed: the real clock between midnight and
# 02:00 would make the coming 02:00 the wrong night.
@pytest.mark.freeze_time("2026-06-15 15:00:00-07:00")
async def test_nightly_distillation_stores_facts_once(
    hass: HomeAssistant,
    memory_master: MemoryMaster,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
) -> None:
    """At 02:00 the day's runs are distilled; the same fact is stored once."""
    await call(
        hass,
        "wakeup",
        {
            "agent": test_agent.agent_id,
            "prompt": "Dan says: I take my coffee black.",
            "wait": True,
            "deliver": False,
        },
    )
    night = dt_util.start_of_local_day() + timedelta(days=1, hours=2)
    freezer.move_to(night)
    async_fire_time_changed(hass, night)
    await settle(hass)

    [task] = memory_master.tasks
    assert task.name == "Memory distillation"
    assert "Dan says: I take my coffee black." in task.instructions
    assert task.structure is not None
    runs = (await call(hass, "get_executions", {"routine": "Memory distillation"}))[
        "executions"
    ]
    assert runs[0]["status"] == "succeeded"
    assert runs[0]["response"] == "Stored 2 new facts; 1 were already known."
    facts = (await call(hass, "list_facts"))["facts"]
    assert {(f["subject"], f["fact"]) for f in facts} == {
        ("Dan", "Drinks his coffee black."),
        ("Home", "The bins go out on Tuesday."),
    }
    coffee = next(f for f in facts if f["subject"] == "Dan")
    assert coffee["confidence"] == 0.95  # the surer repeat raised it

    await call(hass, "run_routine", {"routine": "Memory distillation"})
    again = (await call(hass, "get_executions", {"routine": "Memory distillation"}))[
        "executions"
    ][0]
    assert again["response"] == "Stored 0 new facts; 3 were already known."
    assert len((await call(hass, "list_facts"))["facts"]) == 2


async def test_search_recall_and_forget(
    hass: HomeAssistant,
    memory_master: MemoryMaster,
    test_agent: RecordingAgent,
) -> None:
    """Relevant facts join a persona's instructions; forgotten ones do not."""
    await call(hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "hello"})
    await call(hass, "run_routine", {"routine": "Memory distillation"})
    found = (await call(hass, "list_facts", {"query": "coffee for Dan?"}))["facts"]
    assert [f["fact"] for f in found] == ["Drinks his coffee black."]
    assert (await call(hass, "list_facts", {"query": "weather"}))["facts"] == []

    add_subentry(
        hass,
        memory_master.hass.config_entries.async_entries("dland_assistant")[0],
        "agent",
        "Nikki",
        {"conversation_agent": test_agent.agent_id, "instructions": "Be kind."},
    )
    await hass.async_block_till_done()
    await call(
        hass,
        "wakeup",
        {"agent": "Nikki", "prompt": "Make Dan a coffee", "wait": True},
    )
    prompt = test_agent.calls[-1].extra_system_prompt or ""
    assert prompt.startswith("Be kind.\n\nWhat you remember from earlier days:")
    assert "- Dan: Drinks his coffee black." in prompt
    assert "bins" not in prompt

    await call(hass, "forget_fact", {"fact_id": found[0]["fact_id"]})
    await call(
        hass, "wakeup", {"agent": "Nikki", "prompt": "Make Dan a coffee", "wait": True}
    )
    after = test_agent.calls[-1].extra_system_prompt or ""
    assert after.startswith("Be kind.")
    assert "What you remember" not in after
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "forget_fact", {"fact_id": found[0]["fact_id"]})
    assert err.value.translation_key == "unknown_fact"


async def test_memory_tools_for_the_llm(
    hass: HomeAssistant, memory_master: MemoryMaster, test_agent: RecordingAgent
) -> None:
    """Search and forget as tools; a read-only (outside) run gets no memories."""
    await call(hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "hello"})
    await call(hass, "run_routine", {"routine": "Memory distillation"})
    owner = await hass.auth.async_create_user("Dan", group_ids=["system-admin"])
    stranger = await hass.auth.async_create_user("SMS", group_ids=["system-read-only"])

    def context_of(user_id: str) -> llm.LLMContext:
        return llm.LLMContext(
            platform="test",
            context=Context(user_id=user_id),
            language="en",
            assistant="conversation",
            device_id=None,
        )

    tools = dland_llm.async_get_tools(hass, context_of(owner.id), llm.LLM_API_ASSIST)
    assert tools is not None
    by_name = {tool.name: tool for tool in tools.tools}
    search = by_name["dland_assistant__search_memory"]
    forget = by_name["dland_assistant__forget_memory"]

    result: Any = await search.async_call(
        hass,
        llm.ToolInput(search.name, {"query": "bins"}),
        context_of(owner.id),
    )
    [bins] = result.data["facts"]
    assert bins["fact"] == "The bins go out on Tuesday."
    refused: Any = await search.async_call(
        hass, llm.ToolInput(search.name, {"query": "bins"}), context_of(stranger.id)
    )
    assert refused.error
    assert refused.data["facts"] == []
    assert (
        await forget.async_call(
            hass,
            llm.ToolInput(forget.name, {"fact_id": bins["fact_id"]}),
            context_of(stranger.id),
        )
    ) == llm.ToolResult(
        data={
            "forgotten": False,
            "error": "Only an administrator can make the assistant forget.",
        },
        error=True,
    )
    assert (
        await forget.async_call(
            hass,
            llm.ToolInput(forget.name, {"fact_id": bins["fact_id"]}),
            context_of(owner.id),
        )
    ) == llm.ToolResult(data={"forgotten": True})
    assert (
        await forget.async_call(
            hass,
            llm.ToolInput(forget.name, {"fact_id": bins["fact_id"]}),
            context_of(owner.id),
        )
    ) == llm.ToolResult(data={"forgotten": False, "error": "No such fact."}, error=True)


async def test_outside_runs_recall_nothing(
    hass: HomeAssistant, memory_master: MemoryMaster, test_agent: RecordingAgent
) -> None:
    """A stranger's SMS cannot draw out what the household told the assistant."""
    from custom_components.dland_assistant.runtime import loaded_entry
    from custom_components.dland_assistant.sources import wakeup

    await call(hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "hello"})
    await call(hass, "run_routine", {"routine": "Memory distillation"})
    entry = loaded_entry(hass)
    result = await wakeup.async_wakeup(
        hass,
        entry,
        wakeup.Wakeup(
            agent="MemoryMaster",
            prompt="What coffee does Dan drink?",
            trust=Trust.OUTSIDE,
        ),
        "vonage",
        SYSTEM,
    )
    await wakeup.async_result(entry, result)
    [outside_run] = memory_master.tasks[-1:]
    assert outside_run.instructions.endswith("What coffee does Dan drink?")
    assert "coffee black" not in outside_run.instructions


async def test_distillation_needs_a_persona_and_reports_failures(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    memory_master: MemoryMaster,
    test_agent: RecordingAgent,
) -> None:
    """No persona: a recorded skip. A failing model: a failed run. Quiet day: said."""
    quiet = await call(hass, "run_routine", {"routine": "Memory distillation"})
    assert quiet["skipped"] is None
    runs = (await call(hass, "get_executions", {"routine": "Memory distillation"}))[
        "executions"
    ]
    assert runs[0]["response"] == "Nothing happened today to learn from."

    await call(hass, "wakeup", {"agent": test_agent.agent_id, "prompt": "hello"})
    memory_master.fail = True
    await call(hass, "run_routine", {"routine": "Memory distillation"})
    runs = (await call(hass, "get_executions", {"routine": "Memory distillation"}))[
        "executions"
    ]
    assert (runs[0]["status"], runs[0]["error"]) == ("failed", "model unavailable")

    routine = next(
        s for s in entry.subentries.values() if s.title == "Memory distillation"
    )
    hass.config_entries.async_update_subentry(
        entry, routine, data={**routine.data, "agent": ""}
    )
    await hass.async_block_till_done()
    skipped = await call(hass, "run_routine", {"routine": "Memory distillation"})
    assert skipped["skipped"] == (
        "Set a persona with an AI task entity to distil memories"
    )
