"""Spoken when-phrases, parsed against a pinned local time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.dland_assistant.voice.language import VoiceLanguages
from custom_components.dland_assistant.voice.spoken_time import (
    moment_filter,
    parse_when,
    split_request,
)
from homeassistant.core import HomeAssistant

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 14, 0, tzinfo=BERLIN)  # a Thursday


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("said", "at"),
    [
        ("at 7", _at(2026, 11, 26, 19, 0)),  # 07:00 has passed: the evening's
        ("at 15", _at(2026, 11, 26, 15, 0)),
        ("at 13:30", _at(2026, 11, 27, 13, 30)),  # passed today: tomorrow's
        ("at noon", _at(2026, 11, 27, 12, 0)),
        ("at midnight", _at(2026, 11, 27, 0, 0)),
        ("at 5:30 pm", _at(2026, 11, 26, 17, 30)),
        ("at 7 o'clock", _at(2026, 11, 26, 19, 0)),
        ("tonight at 8", _at(2026, 11, 26, 20, 0)),
        ("tomorrow at 7 am", _at(2026, 11, 27, 7, 0)),
        ("at 8 tomorrow", _at(2026, 11, 27, 8, 0)),
        ("the day after tomorrow at 9", _at(2026, 11, 28, 9, 0)),
        ("on thursday at 9", _at(2026, 12, 3, 9, 0)),  # today is Thursday: next
        ("next monday at 7", _at(2026, 11, 30, 7, 0)),
        ("on the 1st at 9", _at(2026, 12, 1, 9, 0)),
        ("on 24 december at 18:00", _at(2026, 12, 24, 18, 0)),
        ("on dec 24th at 18:00", _at(2026, 12, 24, 18, 0)),
        ("on 3 jan at 9", _at(2027, 1, 3, 9, 0)),
        ("on the 31st at 9", _at(2026, 12, 31, 9, 0)),
    ],
)
def test_moments(said: str, at: datetime) -> None:
    """A time, with or without a day, is the next such moment."""
    when = parse_when(said, NOW)
    assert when is not None
    assert when.at == at


@pytest.mark.parametrize(
    ("said", "cron", "words"),
    [
        ("every day at 7", "0 7 * * *", "every day at 07:00"),
        ("every weekday at 7:30", "30 7 * * 1-5", "every weekday at 07:30"),
        ("every weekend at 9", "0 9 * * 0,6", "every weekend day at 09:00"),
        ("every sunday at 10 am", "0 10 * * 0", "every Sunday at 10:00"),
        (
            "every monday, wednesday and friday at 6 pm",
            "0 18 * * 1,3,5",
            "every Monday, Wednesday and Friday at 18:00",
        ),
        ("at 9 every day", "0 9 * * *", "every day at 09:00"),
    ],
)
async def test_repeats(hass: HomeAssistant, said: str, cron: str, words: str) -> None:
    """Repeats become five-field crons, said back in words."""
    when = parse_when(said, NOW)
    assert when is not None
    assert when.cron == cron
    english = (await VoiceLanguages.async_load(hass)).get("en")
    assert english.repeat(cron) == words


async def test_only_crons_voice_makes_have_repeat_words(hass: HomeAssistant) -> None:
    """Other crons are said by the schedule words (cron-descriptor) instead."""
    english = (await VoiceLanguages.async_load(hass)).get("en")
    for cron in ("*/5 * * * *", "0 7 1 * *", "0 7 * * 1-3", "61 7 * * *"):
        assert english.repeat(cron) is None, cron


@pytest.mark.parametrize(
    "said",
    [
        "tomorrow",  # a day with no time
        "at 25",
        "at 13 pm",
        "at 7:75",
        "every fortnight at 7",
        "every monday",
        "on the 32nd at 9",
        "in a jiffy",
        "soon",
        "at the weekend",
        "on 31 february at 9",
    ],
)
def test_what_is_not_a_when(said: str) -> None:
    """Anything else is None, not a guess."""
    assert parse_when(said, NOW) is None


def test_split_keeps_to_and_that_apart_and_finds_the_last_when() -> None:
    """'to go in the garden in 10 minutes' is in 10 minutes, to go in the garden."""
    assert split_request("to go in the garden in 10 minutes", NOW) == (
        parse_when("in 10 minutes", NOW),
        "go in the garden",
        False,
    )
    split = split_request("that the oven is on in 5 mins", NOW)
    assert split is not None
    assert split[0].delay == timedelta(minutes=5)
    assert split[1:] == ("the oven is on", True)
    assert split_request("to water the plants", NOW) is None


def test_a_moment_filter_matches_its_clock_and_day() -> None:
    """'at 9' is 09:00 or 21:00 on any day; 'tomorrow at 9' only tomorrow."""
    any_day = moment_filter("at 9", NOW)
    assert any_day is not None
    assert any_day(_at(2026, 11, 30, 21, 0))
    assert not any_day(_at(2026, 11, 30, 9, 30))
    tomorrow = moment_filter("tomorrow at 9", NOW)
    assert tomorrow is not None
    assert tomorrow(_at(2026, 11, 27, 9, 0))
    assert not tomorrow(_at(2026, 11, 28, 9, 0))
    assert moment_filter("the oven", NOW) is None
