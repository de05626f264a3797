"""Config flow: user set-up, YAML import, single instance and options."""

from pathlib import Path
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import (
    CONF_DEFAULT_AGENT,
    CONF_MAX_CONCURRENT,
    DEFAULT_OPTIONS,
    DOMAIN,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from .conftest import RecordingAgent, runtime


async def test_user_flow_creates_entry_with_defaults(
    hass: HomeAssistant, test_agent: RecordingAgent, config_dir: Path
) -> None:
    """Adding the integration in the UI needs one click."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == DEFAULT_OPTIONS
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is ConfigEntryState.LOADED
    assert (config_dir / "dland_assistant.db").exists()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_single_instance(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A second entry is refused."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "single_instance_allowed"


async def test_yaml_import(
    hass: HomeAssistant, test_agent: RecordingAgent, config_dir: Path
) -> None:
    """`dland_assistant:` in configuration.yaml creates the entry once."""
    config = {DOMAIN: {CONF_DEFAULT_AGENT: test_agent.agent_id, CONF_MAX_CONCURRENT: 4}}
    assert await async_setup_component(hass, DOMAIN, config)
    await hass.async_block_till_done()
    [entry] = hass.config_entries.async_entries(DOMAIN)
    assert entry.options[CONF_DEFAULT_AGENT] == test_agent.agent_id
    assert entry.options[CONF_MAX_CONCURRENT] == 4
    assert runtime(entry).scheduler.settings.max_concurrent == 4  # type: ignore[arg-type]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_flow_validates_agent_and_reloads(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Options reject an unknown agent and apply on save."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    new: dict[str, Any] = {**DEFAULT_OPTIONS, CONF_DEFAULT_AGENT: "conversation.nope"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DEFAULT_AGENT: "unknown_agent"}
    new = {
        **DEFAULT_OPTIONS,
        CONF_DEFAULT_AGENT: test_agent.agent_id,
        CONF_MAX_CONCURRENT: 5,
    }
    result = await hass.config_entries.options.async_configure(result["flow_id"], new)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert runtime(entry).scheduler.settings.max_concurrent == 5


async def test_yaml_import_creates_personas_and_recipients(
    hass: HomeAssistant, test_agent: RecordingAgent, config_dir: Path
) -> None:
    """Personas and recipients in YAML become subentries on the first import."""
    hass.states.async_set("person.dan", "home", {"friendly_name": "Dan"})
    config = {
        DOMAIN: {
            CONF_DEFAULT_AGENT: test_agent.agent_id,
            "personas": [
                {
                    "name": "Nikki",
                    "conversation_agent": test_agent.agent_id,
                    "instructions": "You are Nikki.",
                }
            ],
            "recipients": [
                {"person": "person.dan", "default_channel": "persistent_notification"}
            ],
        }
    }
    assert await async_setup_component(hass, DOMAIN, config)
    await hass.async_block_till_done()
    [entry] = hass.config_entries.async_entries(DOMAIN)
    kinds = {(s.subentry_type, s.title) for s in entry.subentries.values()}
    assert kinds == {
        ("agent", "Nikki"),
        ("recipient", "Dan"),
        # The built-in heartbeat routines come with every new entry.
        ("routine", "Audit"),
        ("routine", "Memory distillation"),
        ("routine", "Work check-in"),
        ("routine", "Family check-in"),
    }
    assert "personas" not in entry.options
    await hass.config_entries.async_unload(entry.entry_id)
