"""Schedules in words, in Home Assistant's language.

Cron expressions are described by `cron-descriptor` (its translations cover more
than thirty languages); one-off tasks and routines' rhythms are turned into the
cron they stand for first, so the card, the entities, the calendar, ``list_tasks``
and the voice answers all say the same words. The library loads its translation
file on every use, so one is loaded per language in the executor and reused:
describing then costs about 0.1 ms on the event loop (cached per expression).

The library takes weekday and month names from the process's locale (English in
Home Assistant); they are put in the user's language after it, for the languages
whose names are below. Other languages keep the English names.
"""

from collections import OrderedDict
from datetime import time
from pathlib import Path
import re
from typing import Any, Final, override

import cron_descriptor
from cron_descriptor import (
    CasingTypeEnum,
    ExpressionDescriptor,
    FormatException,
    MissingFieldException,
    Options,
)
from cron_descriptor.ExpressionParser import ExpressionParser
from cron_descriptor.GetText import GetText

from homeassistant.core import HomeAssistant

from .const import (
    CONF_CRON,
    CONF_INTERVAL,
    CONF_SCHEDULE,
    CONF_TIME,
    SCHEDULE_CRON,
    SCHEDULE_DAILY,
)
from .models import Task, TaskKind
from .moments.words import MomentWords, async_load_strings

# Descriptions kept per language: far more than the crons a home has.
CACHE_SIZE: Final = 512
_LOCALES = Path(cron_descriptor.__file__).parent / "locale"
_ENGLISH_DAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Weekday and month names (CLDR), Monday and January first.
_NAMES: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "de": (
        (
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
            "Sonntag",
        ),
        (
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ),
    ),
    "fr": (
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        (
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
    ),
    "es": (
        ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        (
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ),
    ),
    "nl": (
        (
            "maandag",
            "dinsdag",
            "woensdag",
            "donderdag",
            "vrijdag",
            "zaterdag",
            "zondag",
        ),
        (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),
    ),
    "it": (
        ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
        (
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ),
    ),
    "pl": (
        (
            "poniedziałek",
            "wtorek",
            "środa",
            "czwartek",
            "piątek",
            "sobota",
            "niedziela",
        ),
        (
            "styczeń",
            "luty",
            "marzec",
            "kwiecień",
            "maj",
            "czerwiec",
            "lipiec",
            "sierpień",
            "wrzesień",
            "październik",
            "listopad",
            "grudzień",
        ),
    ),
}
# "Once", for one-off tasks.
_ONCE: Final = {
    "en": "Once",
    "de": "Einmalig",
    "fr": "Une fois",
    "es": "Una vez",
    "nl": "Eenmalig",
    "it": "Una volta",
    "pl": "Jednorazowo",
}
# Home Assistant's language tags whose locale is not simply ``xx_XX``.
_SPECIAL = {"zh-Hans": "zh_CN", "zh-Hant": "zh_TW", "nb": "nb_NO", "en": "en_US"}


def locale_for(language: str, available: set[str]) -> str:
    """Return the library's locale for a Home Assistant language (en_US if none)."""
    if language in _SPECIAL:
        return _SPECIAL[language]
    region = language.replace("-", "_")
    if region in available:
        return region
    base = language.split("-", maxsplit=1)[0]
    for candidate in (f"{base}_{base.upper()}", *sorted(available)):
        if candidate in available and candidate.split("_")[0] == base:
            return candidate
    return "en_US"


def _available_locales() -> set[str]:
    """Return the locales the library has a translation for (reads a folder)."""
    return {path.stem for path in _LOCALES.glob("*.mo")}


class _Descriptor(ExpressionDescriptor):
    """The library's descriptor with a translation loaded beforehand (no I/O)."""

    @override
    def __init__(  # pylint: disable=super-init-not-called
        self, expression: str, options: Options, get_text: GetText
    ) -> None:
        self._expression = expression
        self._options = options
        self.get_text = get_text
        self._expression_parts = ExpressionParser(expression, options).parse()


class ScheduleText:
    """Says schedules in words in one language."""

    def __init__(
        self,
        language: str,
        get_text: GetText,
        locale: str,
        moments: MomentWords | None = None,
    ) -> None:
        """Use a translation loaded by ``async_load``."""
        self.language = language.split("-", maxsplit=1)[0]
        self.moments = moments
        self.locale = locale
        self._get_text = get_text
        self._options = Options(
            CasingTypeEnum.Sentence, locale_code=locale, use_24hour_time_format=True
        )
        self._cache: OrderedDict[tuple[str, bool], str] = OrderedDict()
        names = _NAMES.get(self.language)
        self._names: dict[str, str] = {}
        if names is not None:
            self._names = dict(zip(_ENGLISH_DAYS, names[0], strict=True)) | dict(
                zip(_ENGLISH_MONTHS, names[1], strict=True)
            )
        self._pattern = (
            re.compile(r"\b(" + "|".join(self._names) + r")\b") if self._names else None
        )

    @classmethod
    async def async_load(
        cls, hass: HomeAssistant, language: str, available: set[str] | None = None
    ) -> ScheduleText:
        """Load the words of a language (its translation file, in the executor).

        ``available``: the library's locales when known (else the folder is read).
        """

        def load() -> tuple[GetText, str]:
            locale = locale_for(language, available or _available_locales())
            return GetText(locale), locale

        get_text, locale = await hass.async_add_executor_job(load)
        moments = MomentWords(hass, await async_load_strings(hass, language))
        return cls(language, get_text, locale, moments)

    def cron(self, expression: str, *, inline: bool = False) -> str:
        """Return a cron expression in words ("At 07:30, Monday through Friday").

        ``inline`` gives it in lower case, for the middle of a sentence. An
        expression the library cannot read is returned as it is.
        """
        key = (expression, inline)
        if (cached := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return cached
        try:
            text = _Descriptor(
                expression, self._options, self._get_text
            ).get_description()
        except FormatException, MissingFieldException, ValueError, IndexError:
            # Stored crons were checked when saved; this is only a safety net.
            text = expression
        else:
            if self._pattern is not None:
                text = self._pattern.sub(lambda match: self._names[match[0]], text)
            if inline:
                text = text[:1].lower() + text[1:]
        self._cache[key] = text
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return text

    def once(self) -> str:
        """Return the word for a one-off schedule."""
        return _ONCE.get(self.language, _ONCE["en"])

    def task(self, task: Task) -> str:
        """Return a task's schedule in words."""
        if task.kind is TaskKind.CRON and task.cron:
            return self.cron(task.cron)
        if task.moment is not None and self.moments is not None:
            return self.moments.schedule(task.moment)
        return self.once()

    def routine(self, data: dict[str, Any]) -> str:
        """Return a routine's rhythm in words (daily, cron or every N minutes)."""
        kind = data.get(CONF_SCHEDULE)
        if kind == SCHEDULE_DAILY:
            at = time.fromisoformat(str(data.get(CONF_TIME) or "00:00:00"))
            return self.cron(f"{at.minute} {at.hour} * * *")
        if kind == SCHEDULE_CRON:
            return self.cron(str(data.get(CONF_CRON) or ""))
        minutes = int(data.get(CONF_INTERVAL) or 60)
        if minutes % 60 == 0 and minutes < 24 * 60:
            return self.cron(f"0 */{minutes // 60} * * *")
        return self.cron(f"*/{minutes} * * * *")


class ScheduleTexts:
    """The words of each language asked for, loaded once each.

    ``default`` speaks Home Assistant's language (entities, the calendar,
    ``list_tasks``); a voice answer asks for the language it was spoken in.
    """

    def __init__(
        self, hass: HomeAssistant, default: ScheduleText, available: set[str]
    ) -> None:
        """Start with the words of Home Assistant's language."""
        self.hass = hass
        self.default = default
        # One per locale the library has (about thirty), whatever is asked for.
        self._available = available
        self._by_locale = {(default.locale, default.language): default}

    @classmethod
    async def async_load(cls, hass: HomeAssistant) -> ScheduleTexts:
        """Load the words of Home Assistant's language."""
        available = await hass.async_add_executor_job(_available_locales)
        default = await ScheduleText.async_load(hass, hass.config.language, available)
        return cls(hass, default, available)

    async def async_get(self, language: str) -> ScheduleText:
        """Return the words of a language (loaded the first time).

        Languages the library does not have share the English words, so asking
        for any number of made-up ones loads nothing new.
        """
        locale = locale_for(language, self._available)
        base = language.split("-", maxsplit=1)[0] if locale != "en_US" else "en"
        if (text := self._by_locale.get((locale, base))) is None:
            text = await ScheduleText.async_load(self.hass, language, self._available)
            self._by_locale[(locale, base)] = text
        return text

    async def async_follow_language(self) -> bool:
        """Speak Home Assistant's language again; True when it changed."""
        text = await self.async_get(self.hass.config.language)
        changed = text is not self.default
        self.default = text
        return changed
