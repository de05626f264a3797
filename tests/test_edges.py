"""Edge paths: empty answers, tools outside a chat, unwritable sentence folders."""

from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant import llm as dland_llm
from custom_components.dland_assistant.voice.language import VoiceLanguages
from custom_components.dland_assistant.voice.sentences import async_install_sentences
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import llm

from .conftest import RecordingAgent, call


async def test_no_reminders_by_voice(
    hass: HomeAssistant, entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    """With nothing pending the built-in agent says so."""
    result = await conversation.async_converse(
        hass,
        "what reminders do I have",
        None,
        Context(user_id=hass_admin_user.id),
        language="en",
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )
    assert result.response.speech["plain"]["speech"] == "You have no reminders."


async def test_tool_called_outside_a_chat_uses_the_default_agent(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Called with no chat log (no calling agent), a task gets the default agent."""
    tool = dland_llm.ScheduleTool()
    context = llm.LLMContext(
        platform="telegram",
        context=Context(),
        language="en",
        assistant="conversation",
        device_id=None,
    )
    result = await tool.async_call(
        hass,
        llm.ToolInput(tool_name=tool.name, tool_args={"text": "x", "in_minutes": 5}),
        context,
    )
    assert result.data["scheduled"]["kind"] == "once"
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert task["agent_id"] == test_agent.agent_id
    assert task["platform"] == "telegram"  # a known channel is kept


async def test_unwritable_sentences_folder_is_a_warning(
    hass: HomeAssistant, config_dir: Path, caplog: Any
) -> None:
    """If the sentences cannot be written, the warning says why."""
    (config_dir / "custom_sentences").write_text("a file where a folder should be")
    await async_install_sentences(hass, await VoiceLanguages.async_load(hass))
    assert "Could not install the voice reminder sentences" in caplog.text


async def test_people_leaving_and_coming_without_a_welcome_persona(
    hass: HomeAssistant, test_agent: RecordingAgent, config_dir: Path
) -> None:
    """Presence works without a welcome persona; unrelated changes are ignored."""
    from datetime import timedelta

    from custom_components.dland_assistant.const import (
        CONF_DEFAULT_AGENT,
        DEFAULT_OPTIONS,
        DOMAIN,
    )
    from homeassistant.util import dt as dt_util

    from .conftest import runtime, settle

    hass.states.async_set("person.eve", "home")
    entry = MockConfigEntry(
        domain=DOMAIN,
        options={**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: test_agent.agent_id},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    hass.states.async_set("person.eve", "home", {"battery": 50})
    hass.states.async_set("person.eve", "work")
    hass.states.async_set("person.eve", "not_home")
    hass.states.async_set("person.eve", "home")
    await settle(hass)
    events = await runtime(entry).store.async_list_events(
        dt_util.utcnow() - timedelta(days=1)
    )
    assert [e.type for e in events] == ["departure", "arrival"]
    assert test_agent.calls == []
    await hass.config_entries.async_unload(entry.entry_id)
