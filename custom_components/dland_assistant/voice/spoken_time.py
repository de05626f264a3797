"""When, as people say it in English, in any word order.

"in 10 mins", "at 5 pm", "tomorrow at 8", "on Monday at 7:30", "on 24 December at
18:00", "every weekday at 7:30", "every Monday and Thursday at 7". Each phrase is
matched whole, so a request can be split where its when-part parses (see
``split_request``): English sentences take the rest of a request as one wildcard.
Pure functions of the text and the current local time; other languages fill
slots in their sentences instead (``when``).
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
import re

from .when import (
    CRON_DAY,
    Clock,
    When,
    moment_test,
    next_date,
    next_weekday,
    resolve,
)

_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "fifty": 50, "sixty": 60, "ninety": 90, "couple": 2, "few": 3,
}  # fmt: skip
_UNITS = {
    "second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60,
    "hour": 3600, "hr": 3600, "h": 3600, "day": 86400, "week": 604800,
}  # fmt: skip
_PART = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)?|[a-z-]+)\s*"
    r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|[smh])\b"
)
WEEKDAYS = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
)  # fmt: skip
_WEEKDAY = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?"
    r"|wednesday|tuesday|thursday|saturday"
)
_MONTH = "|".join([*MONTHS, *(m[:3] for m in MONTHS), "sept"])
_CLOCK = re.compile(
    r"(?P<word>noon|midday|midnight)|(?P<hour>\d{1,2}|[a-z]+)(?:[:.](?P<minute>\d{2}))?"
    r"\s*(?P<ampm>am|pm)?(?:\s+o'?clock)?"
)
# "half past seven", "a quarter to eight": minutes from the hour said.
_PAST_OR_TO = re.compile(
    r"(?:a\s+)?(?P<part>half|quarter|\d{1,2}|[a-z-]+)(?:\s+minutes?)?\s+"
    r"(?P<way>past|after|to|before)\s+(?P<clock>.+)"
)
_PARTS = {"half": 30, "quarter": 15}
_ORDINAL = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
LINKS = ("to", "that", "about", "for")


def _normal(text: str) -> str:
    text = text.casefold().replace("a.m.", "am").replace("p.m.", "pm")
    return " ".join(re.sub(r"[?!,]+$|[?!]", "", text).split())


def parse_duration(text: str) -> timedelta | None:
    """Parse '10 minutes', '5 mins', '2 hrs', 'an hour and a half', 'half an hour'."""
    spoken = _normal(text)
    spoken = spoken.replace("half an hour", "30 minutes").replace(
        "half a minute", "30 seconds"
    )
    spoken = re.sub(r"\ba (couple|few)(?: of)?\b", r"\1", spoken)
    extra = 0.0
    if spoken.endswith(("and a half", "and half")):
        spoken = spoken.rsplit(" and", 1)[0]
        extra = 0.5
    seconds = 0.0
    matched = 0
    for part in _PART.finditer(spoken):
        word = part["number"]
        number = (
            _NUMBERS.get(word)
            if not word[0].isdigit()
            else float(word.replace(",", "."))
        )
        if number is None:
            return None
        unit = part["unit"].rstrip("s") if len(part["unit"]) > 1 else part["unit"]
        seconds += (number + extra) * _UNITS[unit]
        extra = 0.0
        matched += len(part[0])
    leftover = _PART.sub("", spoken).replace("and", "").strip(" ,")
    if not matched or leftover or seconds <= 0:
        return None
    return timedelta(seconds=seconds)


def _parse_clock(text: str) -> Clock | None:
    if (around := _PAST_OR_TO.fullmatch(text)) is not None:
        return _from_the_hour(around)
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    if word := match["word"]:
        return Clock(0 if word == "midnight" else 12, 0, either_half=False)
    raw = match["hour"]
    hour = int(raw) if raw.isdigit() else _NUMBERS.get(raw)
    if hour is None or raw in ("a", "an", "couple", "few"):
        return None
    minute = int(match["minute"] or 0)
    ampm = match["ampm"]
    if minute > 59 or hour > 23 or (ampm and not 1 <= hour <= 12):
        return None
    if ampm:
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    either = ampm is None and match["minute"] is None and 1 <= hour <= 12
    return Clock(hour, minute, either_half=either)


def _from_the_hour(match: re.Match[str]) -> Clock | None:
    """Return the clock of 'half past seven', 'twenty to nine', 'a quarter to 8 pm'."""
    part = match["part"]
    minutes = _PARTS.get(part) or (int(part) if part.isdigit() else _NUMBERS.get(part))
    clock = _parse_clock(match["clock"])
    if not minutes or minutes >= 60 or clock is None or clock.minute:
        return None
    sign = -1 if match["way"] in ("to", "before") else 1
    total = (clock.hour * 60 + sign * minutes) % 1440
    return Clock(total // 60, total % 60, either_half=clock.either_half)


def _weekday(word: str) -> int | None:
    for index, name in enumerate(WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def _month(word: str) -> int | None:
    for index, name in enumerate(MONTHS, start=1):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def _parse_day(text: str, today: date) -> date | None:
    """Parse 'today', 'tomorrow', '(on|next) monday', 'on 24 december', 'on the 3rd'."""
    if text in ("today", "tonight", "this evening"):
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text == "the day after tomorrow":
        return today + timedelta(days=2)
    if match := re.fullmatch(rf"(?:(?:on|next|this)\s+)?({_WEEKDAY})", text):
        wanted = _weekday(match[1])
        return None if wanted is None else next_weekday(wanted, today)
    day: int | None = None
    month: int | None = None
    if match := re.fullmatch(
        rf"on\s+(?:the\s+)?{_ORDINAL}(?:\s+(?:of\s+)?({_MONTH}))?", text
    ):
        day = int(match["day"])
        month = _month(match[2]) if match[2] else None
    elif match := re.fullmatch(rf"on\s+({_MONTH})\s+(?:the\s+)?{_ORDINAL}", text):
        day = int(match["day"])
        month = _month(match[1])
    if day is None:
        return None
    return next_date(day, month, today)


def _repeat_days(text: str) -> str | None:
    """Return the cron day-of-week field of 'weekday', 'monday and friday'."""
    if text in ("day", "morning", "evening", "night"):
        return "*"
    if text in ("weekday", "work day", "workday", "weekday morning"):
        return "1-5"
    if text in ("weekend", "weekend day"):
        return "0,6"
    days = [_weekday(word) for word in re.split(r"\s*(?:,|\band\b)\s*", text) if word]
    if not days or None in days:
        return None
    ordered = sorted({day for day in days if day is not None})
    return ",".join(str(CRON_DAY[day]) for day in ordered)


def parse_when(text: str, now: datetime) -> When | None:
    """Parse a whole when-phrase, or return None. ``now`` is local and aware."""
    text = _normal(text)
    if match := re.fullmatch(r"(?:in|for|after)\s+(.+)", text):
        delay = parse_duration(match[1])
        return When(delay=delay) if delay else None
    repeat = re.fullmatch(r"every\s+(.+?)\s+at\s+(.+)", text) or re.fullmatch(
        r"at\s+(.+?)\s+every\s+(.+)", text
    )
    if repeat is not None:
        days_text, clock_text = (
            (repeat[1], repeat[2])
            if text.startswith("every")
            else (repeat[2], repeat[1])
        )
        days = _repeat_days(days_text)
        clock = _parse_clock(clock_text)
        if days is None or clock is None:
            return None
        return When(cron=f"{clock.minute} {clock.hour} * * {days}")
    if text.startswith("every "):
        return None
    if (at := _parse_at(text, now.date())) is not None:
        clock, day, day_text = at
        return _once(clock, day, day_text, now)
    return None


def _parse_at(text: str, today: date) -> tuple[Clock, date | None, str | None] | None:
    """Parse '(day) at clock' or 'at clock day': the clock, the day, its words."""
    match = re.fullmatch(r"(?:(.+?)\s+)?at\s+(.+)", text)
    if match is None:
        return None
    day_text, clock_text = match[1], match[2]
    if day_text is None:
        # "at 8 tomorrow": the day after the time.
        parts = clock_text.split()
        for cut in range(1, len(parts)):
            clock = _parse_clock(" ".join(parts[:cut]))
            late_text = " ".join(parts[cut:])
            if clock is not None and (late := _parse_day(late_text, today)):
                return clock, late, late_text
    clock = _parse_clock(clock_text)
    day = _parse_day(day_text, today) if day_text else None
    if clock is None or (day_text and day is None):
        return None
    return clock, day, day_text


def _once(
    clock: Clock, day: date | None, day_text: str | None, now: datetime
) -> When | None:
    if (
        day_text in ("tonight", "this evening")
        and clock.either_half
        and clock.hour < 12
    ):
        clock = Clock(clock.hour + 12, clock.minute, either_half=False)
    at = resolve(clock, day, now)
    return When(at=at) if at else None


def moment_filter(text: str, now: datetime) -> Callable[[datetime], bool] | None:
    """Parse 'at 14:00', 'tomorrow at 9', 'at 7 on friday' into a test of a moment.

    For choosing a reminder by its time; None when the text is not such a phrase.
    """
    if (at := _parse_at(_normal(text), now.date())) is None:
        return None
    clock, day, _ = at
    return moment_test(clock, day)


def split_request(text: str, now: datetime) -> tuple[When, str, bool] | None:
    """Split 'in 10 minutes to check the oven', 'that the oven is on at 5 pm'.

    Returns the when, what to remind of, and whether it was said as "that …"
    (reminded *that* the oven is on, not *to*); None when no part is a when.
    """
    words = _normal(text).split()
    # When first: "tomorrow at 8 to water the plants", "for 10 minutes".
    for end in range(len(words), 0, -1):
        rest = words[end:]
        if rest and rest[0] not in LINKS:
            continue
        if (when := parse_when(" ".join(words[:end]), now)) is not None:
            return when, *_what(rest)
    # What first: "to call mum at 5 pm", "that the oven is on in 10 mins".
    if words and words[0] in LINKS:
        for start in range(2, len(words)):
            if (when := parse_when(" ".join(words[start:]), now)) is not None:
                return when, *_what(words[:start])
    return None


def _what(words: list[str]) -> tuple[str, bool]:
    if not words:
        return "", False
    link, *rest = words
    return " ".join(rest), link == "that"


_DONE = r"(?:the |my )?(?P<device>.+?) is (?:done|finished|ready)"
_MOMENTS = (
    re.compile(rf"when {_DONE} (?:to|that) (?P<what>.+)"),
    re.compile(rf"(?:to|that) (?P<what>.+?) when {_DONE}"),
)


def split_moment(text: str) -> tuple[str, str] | None:
    """Split 'when the washer is done to hang the washing' into device and what.

    English sentences give a request with two parts to one wildcard (Assist
    prefers the sentence with fewer wildcards), so the device is found here.
    """
    said = _normal(text)
    for pattern in _MOMENTS:
        if (match := pattern.fullmatch(said)) is not None:
            return match["device"], match["what"]
    return None
