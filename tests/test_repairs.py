"""Diagnostics download, and the repair issues that appear and clear."""

from pathlib import Path

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import (
    CONF_DEFAULT_AGENT,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .conftest import RecordingAgent, add_subentry, call, runtime, settle


async def test_missing_persona_agent_raises_and_clears(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A persona whose agent disappears gets an issue until the agent is back."""
    persona_id = add_subentry(
        hass, entry, "agent", "Nikki", {"conversation_agent": test_agent.agent_id}
    )
    await hass.async_block_till_done()
    issue_id = f"persona_agent_missing_{persona_id}"
    registry = ir.async_get(hass)
    agent_entry = hass.config_entries.async_get_entry(test_agent.agent_id)
    assert agent_entry is not None
    conversation.async_unset_agent(hass, agent_entry)
    runtime(entry).coordinator.async_changed()
    await settle(hass)
    issue = registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "persona": "Nikki",
        "agent": test_agent.agent_id,
    }
    conversation.async_set_agent(hass, agent_entry, test_agent)
    runtime(entry).coordinator.async_changed()
    await settle(hass)
    assert registry.async_get_issue(DOMAIN, issue_id) is None


async def test_corrupt_database_is_moved_aside_and_recreated(
    hass: HomeAssistant, config_dir: Path, test_agent: RecordingAgent
) -> None:
    """A damaged file is kept, a new database works, and an issue says so."""
    garbage = b"this is not an SQLite database" * 100
    (config_dir / "dland_assistant.db").write_bytes(garbage)
    broken = MockConfigEntry(
        domain=DOMAIN,
        options={**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: test_agent.agent_id},
        minor_version=2,
    )
    broken.add_to_hass(hass)
    assert await hass.config_entries.async_setup(broken.entry_id)
    await hass.async_block_till_done()
    assert broken.state is ConfigEntryState.LOADED
    [aside] = await hass.async_add_executor_job(
        lambda: list(config_dir.glob("dland_assistant.db.corrupt-*"))
    )
    assert await hass.async_add_executor_job(aside.read_bytes) == garbage
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "database_recreated")
    assert issue is not None
    assert issue.translation_placeholders["path"] == str(aside)
    created = await call(hass, "schedule_task", {"prompt": "hi", "in": {"hours": 1}})
    assert created["task_id"]
    await hass.config_entries.async_unload(broken.entry_id)
