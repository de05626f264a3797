"""When, as people say it (English): durations, times, days and repeats.

"in 10 mins", "at 5 pm", "tomorrow at 8", "on Monday at 7:30", "on 24 December at
18:00", "every weekday at 7:30", "every Monday and Thursday at 7". Each phrase is
matched whole, so a request can be split where its when-part parses (see
``split_request``). Pure functions of the text and the current local time.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
import re

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
_ORDINAL = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
# Cron's day-of-week numbers (0 = Sunday) by Python's weekday() (0 = Monday).
_CRON_DAY = (1, 2, 3, 4, 5, 6, 0)
LINKS = ("to", "that", "about", "for")


@dataclass(frozen=True, slots=True)
class When:
    """A parsed when: exactly one of a delay, a local date and time, or a cron."""

    delay: timedelta | None = None
    at: datetime | None = None
    cron: str | None = None
    # For a cron: its words ("every weekday at 07:30").
    repeat: str | None = None


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


@dataclass(frozen=True, slots=True)
class _Clock:
    hour: int
    minute: int
    # "7" said without am/pm or minutes: 07:00 or 19:00, whichever comes first.
    either_half: bool


def _parse_clock(text: str) -> _Clock | None:
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    if word := match["word"]:
        return _Clock(0 if word == "midnight" else 12, 0, either_half=False)
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
    return _Clock(hour, minute, either_half=either)


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
        if wanted is None:
            return None
        ahead = (wanted - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
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


def _repeat_days(text: str) -> tuple[str, str] | None:
    """Return the cron day-of-week field and the words of 'weekday', 'monday'."""
    if text in ("day", "morning", "evening", "night"):
        return "*", "every day"
    if text in ("weekday", "work day", "workday", "weekday morning"):
        return "1-5", "every weekday"
    if text in ("weekend", "weekend day"):
        return "0,6", "every weekend day"
    days = [_weekday(word) for word in re.split(r"\s*(?:,|\band\b)\s*", text) if word]
    if not days or None in days:
        return None
    ordered = sorted({day for day in days if day is not None})
    names = [WEEKDAYS[day].capitalize() for day in ordered]
    field = ",".join(str(_CRON_DAY[day]) for day in ordered)
    return field, f"every {_and_list(names)}"


def _and_list(names: list[str]) -> str:
    """Return 'Monday', 'Monday and Friday', 'Monday, Wednesday and Friday'."""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _resolve(clock: _Clock, day: date | None, now: datetime) -> datetime | None:
    """Return the moment meant: a given day at the time, or the next such time."""
    at = datetime.combine(day or now.date(), time(clock.hour, clock.minute), now.tzinfo)
    if day is not None:
        return at if at > now else None
    candidates = [at, at + timedelta(days=1)]
    if clock.either_half and clock.hour < 12:
        candidates += [at + timedelta(hours=12)]
    return min(candidate for candidate in candidates if candidate > now)


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
        field, words = days
        return When(
            cron=f"{clock.minute} {clock.hour} * * {field}",
            repeat=f"{words} at {clock.hour:02d}:{clock.minute:02d}",
        )
    if text.startswith("every "):
        return None
    if (at := _parse_at(text, now.date())) is not None:
        clock, day, day_text = at
        return _once(clock, day, day_text, now)
    return None


def _parse_at(text: str, today: date) -> tuple[_Clock, date | None, str | None] | None:
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
    clock: _Clock, day: date | None, day_text: str | None, now: datetime
) -> When | None:
    if (
        day_text in ("tonight", "this evening")
        and clock.either_half
        and clock.hour < 12
    ):
        clock = _Clock(clock.hour + 12, clock.minute, either_half=False)
    at = _resolve(clock, day, now)
    return When(at=at) if at else None


def moment_filter(text: str, now: datetime) -> Callable[[datetime], bool] | None:
    """Parse 'at 14:00', 'tomorrow at 9', 'at 7 on friday' into a test of a moment.

    For choosing a reminder by its time; None when the text is not such a phrase.
    """
    if (at := _parse_at(_normal(text), now.date())) is None:
        return None
    clock, day, _ = at
    hours = {clock.hour, clock.hour + 12} if clock.either_half else {clock.hour}

    def matches(moment: datetime) -> bool:
        return (
            moment.hour in hours
            and moment.minute == clock.minute
            and (day is None or moment.date() == day)
        )

    return matches


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


def describe_moment(at: datetime, now: datetime) -> str:
    """Say a moment with its day when it is not today: 'tomorrow at 08:00'."""
    clock = f"{at.hour:02d}:{at.minute:02d}"
    days = (at.date() - now.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if 1 < days < 7:
        return f"on {WEEKDAYS[at.weekday()].capitalize()} at {clock}"
    month = MONTHS[at.month - 1].capitalize()
    year = f" {at.year}" if at.year != now.year else ""
    return f"on {at.day} {month}{year} at {clock}"
