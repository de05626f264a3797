"""Voice reminders through Assist's built-in agent, with no language model."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant.voice import SENTENCES, parse_duration
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant

from .conftest import add_phone_recipient, call, settle


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10 minutes", 600),
        ("1 minute", 60),
        ("an hour", 3600),
        ("two hours", 7200),
        ("half an hour", 1800),
        ("an hour and a half", 5400),
        ("1 hour and 30 minutes", 5400),
        ("1 hour 30 minutes", 5400),
        ("90 seconds", 90),
        ("1.5 hours", 5400),
        ("a day", 86400),
        ("2 weeks", 1209600),
    ],
)
def test_parse_duration(text: str, seconds: int) -> None:
    """Spoken durations become timedeltas."""
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "text", ["soon", "tomorrow", "", "0 minutes", "many hours", "10 parsecs"]
)
def test_parse_duration_rejects(text: str) -> None:
    """What is not a duration is None."""
    assert parse_duration(text) is None


async def _say(hass: HomeAssistant, text: str, user_id: str) -> str:
    result = await conversation.async_converse(
        hass,
        text,
        None,
        Context(user_id=user_id),
        language="en",
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )
    speech: str = result.response.speech["plain"]["speech"]
    return speech


async def test_sentences_are_installed_without_hand_editing(
    hass: HomeAssistant, entry: MockConfigEntry, config_dir: Path
) -> None:
    """Set-up writes the sentences file Assist reads."""
    path = config_dir / "custom_sentences" / "en" / "dland_assistant.yaml"
    assert path.read_text() == SENTENCES


async def test_remind_list_cancel_by_voice(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """'remind me', 'what reminders', 'cancel' work with the built-in agent."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to("2026-11-28 09:00:00+00:00")
    user = hass_admin_user.id
    assert (
        await _say(hass, "remind me in 10 minutes to check the oven", user)
        == "OK, I will remind you to check the oven at 09:10."
    )
    assert (
        await _say(hass, "remind me to call mum in 2 hours", user)
        == "OK, I will remind you to call mum at 11:00."
    )
    assert await _say(hass, "what reminders do I have", user) == (
        "You have 2 reminders: check the oven at 09:10; call mum at 11:00."
    )
    assert await _say(hass, "cancel the oven reminder", user) == (
        "Cancelled the reminder to check the oven."
    )
    assert await _say(hass, "cancel the dentist reminder", user) == (
        "You have no reminder about dentist."
    )
    assert await _say(hass, "what reminders do I have", user) == (
        "You have 1 reminder: call mum at 11:00."
    )
    assert await _say(hass, "remind me in a jiffy to blink", user) == (
        "Sorry, I did not understand 'a jiffy'."
    )
    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert {(t["name"], t["status"], t["user"], t["action"]) for t in tasks} == {
        ("check the oven", "cancelled", user, "remind"),
        ("call mum", "scheduled", user, "remind"),
    }


async def test_voice_reminder_fires_after_restart_to_the_right_person(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A spoken reminder survives a restart and reaches the speaker's channel."""
    hass.states.async_set("person.dan", "home", {"user_id": hass_admin_user.id})
    phone = add_phone_recipient(hass, entry)
    await hass.async_block_till_done()
    await _say(hass, "remind me in 10 minutes to check the oven", hass_admin_user.id)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await settle(hass)
    assert [c.data["message"] for c in phone] == ["check the oven"]


async def test_ambiguous_cancel_asks_which(
    hass: HomeAssistant, entry: MockConfigEntry, hass_admin_user: Any
) -> None:
    """Two matching reminders: the agent asks which one."""
    user = hass_admin_user.id
    await _say(hass, "remind me in 10 minutes to water the plants", user)
    await _say(hass, "remind me in 20 minutes to water the garden", user)
    assert await _say(hass, "cancel the water reminder", user) == (
        "Which one? water the plants, water the garden."
    )
