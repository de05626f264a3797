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

from custom_components.dland_assistant.voice.language import DATA_VOICE
from custom_components.dland_assistant.voice.sentences import sentences_text
from custom_components.dland_assistant.voice.spoken_time import parse_duration
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.util import dt as dt_util

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
        ("5 mins", 300),
        ("2 hrs", 7200),
        ("a few minutes", 180),
        ("a couple of hours", 7200),
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


async def _converse(
    hass: HomeAssistant, text: str, user_id: str
) -> conversation.ConversationResult:
    return await conversation.async_converse(
        hass,
        text,
        None,
        Context(user_id=user_id),
        language="en",
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )


async def _say(hass: HomeAssistant, text: str, user_id: str) -> str:
    result = await _converse(hass, text, user_id)
    speech: str = result.response.speech["plain"]["speech"]
    return speech


async def test_sentences_are_installed_without_hand_editing(
    hass: HomeAssistant, entry: MockConfigEntry, config_dir: Path
) -> None:
    """Set-up writes the sentences file Assist reads."""
    path = config_dir / "custom_sentences" / "en" / "dland_assistant.yaml"
    english = hass.data[DATA_VOICE].get("en")
    assert path.read_text() == sentences_text(english.sentences)
    assert "DlandAssistantRemind" in path.read_text()


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
        == "OK, I will remind you to check the oven today at 09:10."
    )
    assert (
        await _say(hass, "remind me to call mum in 2 hours", user)
        == "OK, I will remind you to call mum today at 11:00."
    )
    assert await _say(hass, "what reminders do I have", user) == (
        "You have 2 reminders: check the oven today at 09:10; call mum today at 11:00."
    )
    assert await _say(hass, "cancel the oven reminder", user) == (
        "Cancelled the reminder to check the oven today at 09:10."
    )
    result = await _converse(hass, "cancel the dentist reminder", user)
    assert result.response.response_type is intent.IntentResponseType.ERROR
    assert result.response.speech["plain"]["speech"] == (
        "You have no reminder about dentist."
    )
    assert await _say(hass, "what reminders do I have", user) == (
        "You have 1 reminder: call mum today at 11:00."
    )
    result = await _converse(hass, "remind me in a jiffy to blink", user)
    assert result.response.response_type is intent.IntentResponseType.ERROR
    assert result.response.speech["plain"]["speech"].startswith(
        "Sorry, I could not tell when to remind you."
    )
    tasks = (await call(hass, "list_tasks"))["tasks"]
    assert {(t["name"], t["status"], t["user"], t["action"]) for t in tasks} == {
        ("check the oven", "cancelled", user, "remind"),
        ("call mum", "scheduled", user, "remind"),
    }


# Thursday 26 November 2026, 14:00 in Berlin.
NOW = "2026-11-26 13:00:00+00:00"


@pytest.mark.parametrize(
    ("said", "answer", "kind", "due"),
    [
        (
            "remind me at 5 pm to call mum",
            "OK, I will remind you to call mum today at 17:00.",
            "once",
            "2026-11-26T17:00:00+01:00",
        ),
        (
            "remind me tomorrow at 8 to water the plants",
            "OK, I will remind you to water the plants tomorrow at 08:00.",
            "once",
            "2026-11-27T08:00:00+01:00",
        ),
        (
            "remind me every monday at 7 to put the bins out",
            "OK, I will remind you to put the bins out every Monday at 07:00.",
            "cron",
            "2026-11-30T07:00:00+01:00",
        ),
        (
            "every weekday at 7:30 remind me to take the pills",
            "OK, I will remind you to take the pills every weekday at 07:30.",
            "cron",
            "2026-11-27T07:30:00+01:00",
        ),
        (
            "remind me in 10 minutes that the oven is on",
            "OK, I will remind you that the oven is on today at 14:10.",
            "once",
            "2026-11-26T14:10:00+01:00",
        ),
        (
            "remind me in five mins to stir",
            "OK, I will remind you to stir today at 14:05.",
            "once",
            "2026-11-26T14:05:00+01:00",
        ),
        (
            "remind me in 2 hrs to stretch",
            "OK, I will remind you to stretch today at 16:00.",
            "once",
            "2026-11-26T16:00:00+01:00",
        ),
        (
            "remind me in 3 days to call the vet",
            "OK, I will remind you to call the vet on Sunday at 14:00.",
            "once",
            "2026-11-29T14:00:00+01:00",
        ),
        (
            "remind me on 24 december at 18:00 to light the candles",
            "OK, I will remind you to light the candles on 24 December at 18:00.",
            "once",
            "2026-12-24T18:00:00+01:00",
        ),
        (
            "remind me on january 3rd at 9 to pay the tax",
            "OK, I will remind you to pay the tax on 3 January 2027 at 09:00.",
            "once",
            "2027-01-03T09:00:00+01:00",
        ),
        (
            "set a reminder for 10 minutes",
            "OK, I will remind you today at 14:10.",
            "once",
            "2026-11-26T14:10:00+01:00",
        ),
        (
            "set a reminder for 10 minutes to check the oven",
            "OK, I will remind you to check the oven today at 14:10.",
            "once",
            "2026-11-26T14:10:00+01:00",
        ),
        (
            "remind me to go to the shop at 7",
            "OK, I will remind you to go to the shop today at 19:00.",
            "once",
            "2026-11-26T19:00:00+01:00",
        ),
    ],
)
async def test_the_ways_people_ask(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
    said: str,
    answer: str,
    kind: str,
    due: str,
) -> None:
    """Times, days, dates, repeats, 'that', abbreviations and 'set a reminder'
    (not Home Assistant's timers) reach the reminder intent and are stored so."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(NOW)
    result = await _converse(hass, said, hass_admin_user.id)
    assert result.response.response_type is intent.IntentResponseType.ACTION_DONE
    assert result.response.speech["plain"]["speech"] == answer
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert (task["kind"], task["action"]) == (kind, "remind")
    assert dt_util.parse_datetime(task["next_run"]) == dt_util.parse_datetime(due)


async def test_lists_name_the_day_and_cancel_chooses_by_time_or_order(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Same words twice: the answer lists both with their days; the time or the
    order picks one; 'cancel all my reminders' says how many went."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(NOW)
    user = hass_admin_user.id
    await _say(hass, "remind me tomorrow at 9 to check the oven", user)
    await _say(hass, "remind me at 16:00 to check the oven", user)
    await _say(hass, "remind me every monday at 7 to put the bins out", user)
    assert await _say(hass, "what reminders do I have", user) == (
        "You have 3 reminders: check the oven today at 16:00; check the oven"
        " tomorrow at 09:00; put the bins out on Monday at 07:00 (every Monday at"
        " 07:00)."
    )
    assert await _say(hass, "cancel the oven reminder", user) == (
        "Which one? 1: check the oven today at 16:00; 2: check the oven tomorrow at"
        ' 09:00. Say its time, or for example "cancel the first oven reminder".'
    )
    assert await _say(hass, "cancel the oven reminder at 9", user) == (
        "Cancelled the reminder to check the oven tomorrow at 09:00."
    )
    await _say(hass, "remind me tomorrow at 10 to check the oven", user)
    assert await _say(hass, "cancel the second oven reminder", user) == (
        "Cancelled the reminder to check the oven tomorrow at 10:00."
    )
    assert await _say(hass, "cancel all my reminders", user) == "Cancelled 2 reminders."
    assert await _say(hass, "what reminders do I have", user) == (
        "You have no reminders."
    )


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
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two matching reminders: the agent asks which one, with their times."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    freezer.move_to(NOW)
    user = hass_admin_user.id
    await _say(hass, "remind me in 10 minutes to water the plants", user)
    await _say(hass, "remind me in 20 minutes to water the garden", user)
    assert await _say(hass, "cancel the water reminder", user) == (
        "Which one? 1: water the plants today at 14:10; 2: water the garden today at"
        ' 14:20. Say its time, or for example "cancel the first water reminder".'
    )
