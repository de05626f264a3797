"""LLM tools and the agent's own tool loop (ReAct) during scheduled runs."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_fire_time_changed,
    async_mock_service,
    mock_integration,
    mock_platform,
)

from custom_components.dland_assistant import llm as dland_llm
from homeassistant.components import conversation
from homeassistant.components.conversation import AssistantContent, ChatLog
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import MATCH_ALL, Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import llm
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .conftest import add_subentry, call, settle


class _ToolAgentFlow(ConfigFlow, domain="test_llm"):
    """Lets the test agent's config entry set up."""

    VERSION = 1


Plan = Callable[[conversation.ConversationInput], list[llm.ToolInput]]


class ToolCallingAgent(conversation.ConversationEntity):
    """A stand-in for an LLM agent: calls the tools its plan names, then answers."""

    _attr_name = "Tool agent"
    _attr_unique_id = "tool_agent"

    def __init__(self) -> None:
        self.plan: Plan = lambda _: []
        self.tool_names: list[str] = []
        self.results: list[Any] = []
        self.system_prompt: str | None = None

    @property
    def supported_languages(self) -> str:
        return MATCH_ALL

    async def _async_handle_message(
        self, user_input: conversation.ConversationInput, chat_log: ChatLog
    ) -> conversation.ConversationResult:
        await chat_log.async_provide_llm_data(
            user_input.as_llm_context("test_llm"),
            llm.LLM_API_ASSIST,
            None,
            user_input.extra_system_prompt,
        )
        assert chat_log.llm_api is not None
        self.tool_names = [tool.name for tool in chat_log.llm_api.tools]
        self.system_prompt = chat_log.content[0].content
        for tool_input in self.plan(user_input):
            async for result in chat_log.async_add_assistant_content(
                AssistantContent(agent_id=self.entity_id, tool_calls=[tool_input])
            ):
                self.results.append(result.result.data)
        chat_log.async_add_assistant_content_without_tools(
            AssistantContent(agent_id=self.entity_id, content="All done")
        )
        return conversation.async_get_result_from_chat_log(user_input, chat_log)


@pytest.fixture
async def tool_agent(hass: HomeAssistant) -> ToolCallingAgent:
    """Set up the tool-calling agent as a conversation entity."""
    agent = ToolCallingAgent()

    async def setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(
            entry, [Platform.CONVERSATION]
        )
        return True

    async def setup_platform(
        hass: HomeAssistant, entry: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([agent])

    mock_integration(hass, MockModule("test_llm", async_setup_entry=setup_entry))
    mock_platform(
        hass, "test_llm.conversation", MockPlatform(async_setup_entry=setup_platform)
    )
    mock_platform(hass, "test_llm.config_flow")
    agent_entry = MockConfigEntry(domain="test_llm")
    agent_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(agent_entry.entry_id)
    await hass.async_block_till_done()
    return agent


def _tool(tool_name: str, **args: Any) -> llm.ToolInput:
    return llm.ToolInput(tool_name=tool_name, tool_args=args)


async def test_scheduled_run_uses_the_agents_own_tool_loop(
    hass: HomeAssistant, entry: MockConfigEntry, tool_agent: ToolCallingAgent
) -> None:
    """A scheduled task's agent calls Home Assistant tools through the LLM API."""
    hass.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen light"})
    turned_on = async_mock_service(hass, "light", "turn_on")
    tool_agent.plan = lambda _: [_tool("intent__HassTurnOn", name="Kitchen light")]
    add_subentry(
        hass,
        entry,
        "agent",
        "Nikki",
        {"conversation_agent": tool_agent.entity_id, "instructions": "You are Nikki."},
    )
    await hass.async_block_till_done()
    task_id = (
        await call(
            hass,
            "schedule_task",
            {
                "agent": "Nikki",
                "prompt": "Lights on",
                "cron": "0 0 1 1 *",
                "deliver": False,
            },
        )
    )["task_id"]
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    assert [c.data["entity_id"] for c in turned_on] == [["light.kitchen"]]
    assert "You are Nikki." in (tool_agent.system_prompt or "")
    execution = (await call(hass, "get_executions"))["executions"][0]
    assert execution["status"] == "succeeded"
    assert execution["response"] == "All done"
    assert {
        "dland_assistant__schedule_task",
        "dland_assistant__list_tasks",
        "dland_assistant__cancel_task",
    } <= set(tool_agent.tool_names)


async def test_llm_reminder_persists_and_reaches_the_asker(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    tool_agent: ToolCallingAgent,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'Remind me in 2 hours to call mum' through the tool survives a restart."""
    hass.states.async_set("person.dan", "home", {"user_id": hass_admin_user.id})
    telegram = async_mock_service(hass, "notify", "telegram_dan")
    add_subentry(
        hass,
        entry,
        "recipient",
        "Dan",
        {
            "person": "person.dan",
            "default_channel": "telegram",
            "telegram": "notify.telegram_dan",
        },
    )
    await hass.async_block_till_done()
    tool_agent.plan = lambda _: [
        _tool(
            "dland_assistant__schedule_task",
            text="Call mum",
            reminder=True,
            in_minutes=120,
        )
    ]
    await conversation.async_converse(
        hass,
        "remind me in 2 hours to call mum",
        None,
        Context(user_id=hass_admin_user.id),
        agent_id=tool_agent.entity_id,
    )
    assert tool_agent.results[0]["scheduled"]["name"] == "Call mum"
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert task["user"] == hass_admin_user.id
    assert task["agent_id"] == tool_agent.entity_id  # the calling agent
    assert task["action"] == "remind"

    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(hours=2))
    async_fire_time_changed(hass)
    await settle(hass)
    assert [c.data["message"] for c in telegram] == ["Call mum"]


async def test_llm_lists_and_cancels_the_users_tasks(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    tool_agent: ToolCallingAgent,
    hass_admin_user: Any,
) -> None:
    """The list and cancel tools see only the asker's tasks."""
    other = await hass.auth.async_create_user("Other")
    await call(
        hass,
        "schedule_task",
        {"prompt": "Someone else's", "in": {"hours": 1}, "user": other.id},
    )
    context = Context(user_id=hass_admin_user.id)
    tool_agent.plan = lambda _: [
        _tool(
            "dland_assistant__schedule_task",
            text="Water the plants",
            at="2099-01-01T08:00",
        ),
        _tool(
            "dland_assistant__schedule_task",
            text="Brief me",
            cron="30 7 * * 1-5",
            name="Briefing",
        ),
        _tool("dland_assistant__list_tasks"),
        _tool("dland_assistant__cancel_task", name="plants"),
        _tool("dland_assistant__cancel_task", name="nothing like it"),
        _tool("dland_assistant__schedule_task", text="x", cron="99 * * * *"),
        _tool("dland_assistant__schedule_task", text="x", at="someday"),
    ]
    await conversation.async_converse(
        hass, "do things", None, context, agent_id=tool_agent.entity_id
    )
    listed = tool_agent.results[2]["tasks"]
    assert [t["name"] for t in listed] == ["Briefing", "Water the plants"] or [
        t["name"] for t in listed
    ] == ["Water the plants", "Briefing"]
    assert tool_agent.results[3]["cancelled"]["name"] == "Water the plants"
    assert tool_agent.results[4] == {
        "cancelled": None,
        "error": "No such task.",
        "candidates": [],
    }
    assert tool_agent.results[5]["error"] == "ServiceValidationError"
    assert "not a valid cron expression" in tool_agent.results[5]["error_text"]
    assert tool_agent.results[6]["error_text"] == "Not a date and time: someday"
    statuses = {
        t["name"]: t["status"] for t in (await call(hass, "list_tasks"))["tasks"]
    }
    assert statuses == {
        "Someone else's": "scheduled",
        "Water the plants": "cancelled",
        "Briefing": "scheduled",
    }


async def test_tools_only_for_assist_while_loaded(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """No tools for other APIs, or when the integration is not loaded."""
    context = llm.LLMContext(
        platform="test",
        context=None,
        language="en",
        assistant="conversation",
        device_id=None,
    )
    tools = dland_llm.async_get_tools(hass, context, llm.LLM_API_ASSIST)
    assert tools is not None
    assert all(tool.name.startswith("dland_assistant__") for tool in tools.tools)
    assert dland_llm.async_get_tools(hass, context, "other_api") is None
    await hass.config_entries.async_unload(entry.entry_id)
    assert dland_llm.async_get_tools(hass, context, llm.LLM_API_ASSIST) is None
