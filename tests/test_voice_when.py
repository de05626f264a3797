"""Slots to a when, as every language's sentences fill them (pinned clock)."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.dland_assistant.voice.when import (
    NotAWhen,
    Passed,
    moment_test_from_slots,
    repeat_of,
    when_from_slots,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=BERLIN)  # a Saturday


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({"minutes": 10}, timedelta(minutes=10)),
        ({"hours": 2.0, "minutes": 15}, timedelta(hours=2, minutes=15)),
        ({"extra_minutes": 90}, timedelta(minutes=90)),
        ({"days": 1, "seconds": 30}, timedelta(days=1, seconds=30)),
    ],
)
def test_delays_add_up(slots: dict[str, Any], expected: timedelta) -> None:
    """Every delay slot said is added."""
    assert when_from_slots(slots, NOW).delay == expected


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({"hour": 8, "minute_offset": -30}, _at(2026, 11, 28, 19, 30)),  # halb acht
        ({"hour": 7, "minute_offset": 15, "day_offset": 1}, _at(2026, 11, 29, 7, 15)),
        ({"hour": 7, "day_part": "pm"}, _at(2026, 11, 28, 19, 0)),
        ({"hour": 12, "day_part": "night"}, _at(2026, 11, 29, 0, 0)),
        ({"hour": 11, "day_part": "night"}, _at(2026, 11, 28, 23, 0)),
        ({"hour": 2, "day_part": "night", "day_offset": 1}, _at(2026, 11, 29, 2, 0)),
        ({"hour": 12, "day_part": "am", "day_offset": 1}, _at(2026, 11, 29, 0, 0)),
        ({"hour": 7, "minute": 45, "weekday": 0}, _at(2026, 11, 30, 7, 45)),
        ({"hour": 18, "day_of_month": 24, "month": 12}, _at(2026, 12, 24, 18, 0)),
        ({"hour": 9, "day_of_month": 3}, _at(2026, 12, 3, 9, 0)),
        ({"hour": 8, "day_offset": 0}, _at(2026, 11, 28, 20, 0)),  # 8 has gone: 20:00
    ],
)
def test_moments(slots: dict[str, Any], expected: datetime) -> None:
    """A clock, with or without a day, is the next such moment."""
    assert when_from_slots(slots, NOW).at == expected


@pytest.mark.parametrize(
    ("slots", "cron"),
    [
        ({"hour": 7, "minute": 30, "every": "1-5"}, "30 7 * * 1-5"),
        ({"hour": 7, "every": "4", "every_also": "1"}, "0 7 * * 1,4"),
        ({"hour": 21, "every": "*"}, "0 21 * * *"),
    ],
)
def test_repeats(slots: dict[str, Any], cron: str) -> None:
    """Repeats become the crons their words describe."""
    assert when_from_slots(slots, NOW).cron == cron
    assert repeat_of(cron) is not None


@pytest.mark.parametrize(
    "slots",
    [
        {},
        {"minutes": 0},
        {"days": 400},
        {"minutes": 1.5},
        {"minutes": "ten"},
        {"minutes": 10**400},
        {"hour": 25},
        {"hour": 7, "minute": 60},
        {"hour": 7, "minute_offset": 5000},
        {"hour": 7, "weekday": 7},
        {"hour": 7, "day_offset": 10**9},
        {"hour": 7, "day_of_month": 31, "month": 2},
        {"hour": 7, "day_of_month": 32},
        {"hour": 7, "every": "*/5"},
        {"hour": 7, "every": "1", "every_also": "1; DROP"},
    ],
)
def test_impossible_whens_are_refused(slots: dict[str, Any]) -> None:
    """What names no moment (or an impossible one, from any caller) is refused."""
    with pytest.raises(NotAWhen):
        when_from_slots(slots, NOW)


def test_a_moment_gone_today_is_passed() -> None:
    """'today at 8:30' said at 09:00 has gone."""
    with pytest.raises(Passed):
        when_from_slots({"hour": 8, "minute": 30, "day_offset": 0}, NOW)


def test_moment_tests_for_cancelling() -> None:
    """'at 9' matches 09:00 and 21:00; 'tomorrow at 9' only tomorrow."""
    assert moment_test_from_slots({}, NOW.date()) is None
    any_day = moment_test_from_slots({"hour": 9}, NOW.date())
    assert any_day is not None
    assert any_day(_at(2026, 12, 1, 21, 0))
    tomorrow = moment_test_from_slots({"hour": 9, "day_offset": 1}, NOW.date())
    assert tomorrow is not None
    assert tomorrow(_at(2026, 11, 29, 9, 0))
    assert not tomorrow(_at(2026, 11, 30, 9, 0))
