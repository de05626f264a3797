"""When a reminder is due, from the slots a language's sentences fill.

Language-neutral: each language's sentences name the same slots (see
``SLOTS``), so adding a language adds no code. Also the moments and repeats
``spoken_time`` (English, free word order) resolves to.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import re
from typing import Any

# The slots a sentence may fill, by what they say:
# a delay: days, hours, minutes, seconds, and extra_minutes from words such as
# "half an hour" (30) or "an hour and a half" (90), all added up;
# a clock: hour, minute, minute_offset (signed: "half past" +30, "quarter to"
# -15, German "halb acht" -30 from eight) and day_part: "am", "pm", or "night"
# (12 is midnight, 1-5 stay, 6-11 are evening: "eleven at night" is 23:00);
# a day: day_offset (0 today, 1 tomorrow), weekday (0 Monday … 6 Sunday), or
# day_of_month with an optional month (1-12);
# a repeat: every and every_also, cron day-of-week fields ("*", "1-5", "0,6",
# "1" for Monday), at the clock.
DELAY_SLOTS = ("days", "hours", "minutes", "seconds", "extra_minutes")
CLOCK_SLOTS = ("hour", "minute", "minute_offset", "day_part")
DAY_SLOTS = ("day_offset", "weekday", "day_of_month", "month")
REPEAT_SLOTS = ("every", "every_also")
SLOTS = (*DELAY_SLOTS, *CLOCK_SLOTS, *DAY_SLOTS, *REPEAT_SLOTS)
_SECONDS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
_SECONDS["extra_minutes"] = 60
# Cron's day-of-week numbers (0 = Sunday) by Python's weekday() (0 = Monday).
CRON_DAY = (1, 2, 3, 4, 5, 6, 0)
# The crons a voice repeat makes: "M H * * days", days "*", "1-5", "0,6" or a list.
VOICE_CRON = re.compile(r"(\d{1,2}) (\d{1,2}) \* \* (\*|1-5|0,6|[0-6](?:,[0-6])*)")
# What a repeat slot may hold: every day, weekdays, weekends, or one weekday.
_REPEAT_FIELDS = frozenset({"*", "1-5", "0,6", *(str(day) for day in range(7))})
# The longest delay and the farthest date a reminder may be set for by voice.
MAX_DELAY = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class When:
    """A parsed when: exactly one of a delay, a local date and time, or a cron."""

    delay: timedelta | None = None
    at: datetime | None = None
    cron: str | None = None


@dataclass(frozen=True, slots=True)
class Clock:
    """A time of day as said."""

    hour: int
    minute: int
    # "7" said without am/pm or minutes: 07:00 or 19:00, whichever comes first.
    either_half: bool


class NotAWhen(ValueError):
    """The slots name no moment, or one that cannot be (25 o'clock, 31 June)."""


class Passed(ValueError):
    """The moment named is in the past ("today at 8", said at 9)."""


@dataclass(frozen=True, slots=True)
class Repeat:
    """A repeat a voice sentence can make, to be said in words."""

    hour: int
    minute: int
    # "day", "weekday", "weekend" or "days" (then ``days``, Monday first: 0-6).
    every: str
    days: tuple[int, ...]


def repeat_of(cron: str) -> Repeat | None:
    """Return the repeat of a cron voice can make, None for any other cron."""
    if (match := VOICE_CRON.fullmatch(cron)) is None:
        return None
    minute, hour, field = int(match[1]), int(match[2]), match[3]
    if minute > 59 or hour > 23:
        return None
    every = {"*": "day", "1-5": "weekday", "0,6": "weekend"}.get(field, "days")
    days = (
        ()
        if every != "days"
        else tuple(sorted(CRON_DAY.index(int(d)) for d in set(field.split(","))))
    )
    return Repeat(hour, minute, every, days)


def resolve(clock: Clock, day: date | None, now: datetime) -> datetime | None:
    """Return the moment meant: a given day at the time, or the next such time.

    None when the given day's time has passed.
    """
    at = datetime.combine(day or now.date(), time(clock.hour, clock.minute), now.tzinfo)
    if day is not None:
        if at > now:
            return at
        if clock.either_half and clock.hour < 12 and at + timedelta(hours=12) > now:
            return at + timedelta(hours=12)
        return None
    candidates = [at, at + timedelta(days=1)]
    if clock.either_half and clock.hour < 12:
        candidates += [at + timedelta(hours=12)]
    return min(candidate for candidate in candidates if candidate > now)


def next_date(day: int, month: int | None, today: date) -> date | None:
    """Return the next date (today or later) with that day, in that month if given."""
    for year_ahead in range(2):
        for month_ahead in range(13 if month is None else 1):
            candidate_month = month or (today.month + month_ahead - 1) % 12 + 1
            year = (
                today.year
                + year_ahead
                + (1 if month is None and today.month + month_ahead > 12 else 0)
            )
            try:
                candidate = date(year, candidate_month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
    return None


def next_weekday(weekday: int, today: date) -> date:
    """Return the coming such weekday (a week ahead when it is today)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def moment_test(clock: Clock, day: date | None) -> Callable[[datetime], bool]:
    """Return a test of whether a local moment is at that clock (and day)."""
    hours = {clock.hour, clock.hour + 12} if clock.either_half else {clock.hour}

    def matches(moment: datetime) -> bool:
        return (
            moment.hour in hours
            and moment.minute == clock.minute
            and (day is None or moment.date() == day)
        )

    return matches


def _number(slots: Mapping[str, Any], name: str) -> int | None:
    """Return a slot's whole number (hassil gives 8 for "eight", 8.0 for "8")."""
    if (value := slots.get(name)) is None:
        return None
    try:
        number = float(value)
    except ValueError, OverflowError:
        raise NotAWhen(name) from None
    if not number.is_integer():
        raise NotAWhen(name)
    return int(number)


def clock_from_slots(slots: Mapping[str, Any]) -> Clock | None:
    """Return the clock the slots say, None when they say none."""
    hour = _number(slots, "hour")
    if hour is None:
        return None
    minute = _number(slots, "minute")
    offset = _number(slots, "minute_offset") or 0
    if not -720 <= offset <= 720:
        raise NotAWhen("minute_offset")
    part = slots.get("day_part")
    if not 0 <= hour <= 24 or not 0 <= (minute or 0) <= 59:
        raise NotAWhen("hour")
    if part in ("am", "pm") and 1 <= hour <= 12:
        hour = hour % 12 + (12 if part == "pm" else 0)
    elif part == "night" and 1 <= hour <= 12:
        hour = 0 if hour == 12 else hour + (12 if hour >= 6 else 0)
    total = (hour * 60 + (minute or 0) + offset) % 1440
    either = part is None and minute is None and 1 <= hour <= 12
    return Clock(total // 60, total % 60, either_half=either)


def day_from_slots(slots: Mapping[str, Any], today: date) -> date | None:
    """Return the day the slots say, None when they say none."""
    if (offset := _number(slots, "day_offset")) is not None:
        if not 0 <= offset <= MAX_DELAY.days:
            raise NotAWhen("day_offset")
        return today + timedelta(days=offset)
    if (weekday := _number(slots, "weekday")) is not None:
        if not 0 <= weekday <= 6:
            raise NotAWhen("weekday")
        return next_weekday(weekday, today)
    if (day := _number(slots, "day_of_month")) is not None:
        month = _number(slots, "month")
        if not 1 <= day <= 31 or (month is not None and not 1 <= month <= 12):
            raise NotAWhen("day_of_month")
        if (found := next_date(day, month, today)) is None:
            raise NotAWhen("day_of_month")
        return found
    return None


def _cron_days(slots: Mapping[str, Any]) -> str | None:
    """Return the cron day-of-week field of the repeat slots (None: no repeat)."""
    fields = [str(slots[name]) for name in REPEAT_SLOTS if name in slots]
    if not fields:
        return None
    if any(field not in _REPEAT_FIELDS for field in fields):
        raise NotAWhen("every")
    if len(fields) == 1 or not all(field.isdigit() for field in fields):
        return fields[0]
    return ",".join(sorted(set(fields), key=int))


def when_from_slots(slots: Mapping[str, Any], now: datetime) -> When:
    """Return the when the slots say; ``now`` is local and aware.

    Raises NotAWhen when they say none (or an impossible one), Passed when the
    moment has gone.
    """
    if any(name in slots for name in DELAY_SLOTS):
        seconds = sum(
            (_number(slots, name) or 0) * _SECONDS[name] for name in DELAY_SLOTS
        )
        if not 0 < seconds <= MAX_DELAY.total_seconds():
            raise NotAWhen("delay")
        return When(delay=timedelta(seconds=seconds))
    clock = clock_from_slots(slots)
    if clock is None:
        raise NotAWhen("hour")
    if (days := _cron_days(slots)) is not None:
        return When(cron=f"{clock.minute} {clock.hour} * * {days}")
    at = resolve(clock, day_from_slots(slots, now.date()), now)
    if at is None:
        raise Passed("at")
    return When(at=at)


def moment_test_from_slots(
    slots: Mapping[str, Any], today: date
) -> Callable[[datetime], bool] | None:
    """Return a test of a reminder's moment, for choosing one to cancel."""
    if (clock := clock_from_slots(slots)) is None:
        return None
    return moment_test(clock, day_from_slots(slots, today))
