"""Each language's voice: its sentences for Assist, and its answers.

A language is one file, ``languages/<code>.yaml``: the sentences (``intents``,
``lists``, ``expansion_rules``: hassil templates, as in Home Assistant's intents
project), the answers (``responses``: Jinja templates, rendered by Home
Assistant's template engine), and the words answers use (``words``: weekdays as
said for "on Monday", months, and the filler words to skip in "cancel the
reminder about the oven").
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.helpers.template import Template
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.yaml import load_yaml_dict

from ..const import DOMAIN
from .when import repeat_of

LANGUAGES_DIR = Path(__file__).parent / "languages"
DEFAULT_LANGUAGE = "en"
# The answers every language has; a test checks each file against this list.
RESPONSES = (
    "remind_set",
    "no_when",
    "time_passed",
    "list_none",
    "list",
    "item",
    "cancel_all_none",
    "cancel_all",
    "cancel_none",
    "cancel_which",
    "cancelled",
    "moment_today",
    "moment_tomorrow",
    "moment_weekday",
    "moment_date",
    "repeating",
    "repeat",
    "moment_arrive",
    "moment_leave",
    "moment_done",
    "no_person",
    "no_device",
)
SENTENCE_KEYS = ("language", "intents", "lists", "expansion_rules")
LANGUAGE_SCHEMA = vol.Schema(
    {
        vol.Required("language"): str,
        vol.Required("intents"): dict,
        vol.Optional("lists", default={}): dict,
        vol.Optional("expansion_rules", default={}): dict,
        vol.Required("responses"): {vol.Required(key): str for key in RESPONSES},
        vol.Required("words"): {
            vol.Required("weekdays"): vol.All([str], vol.Length(min=7, max=7)),
            vol.Required("months"): vol.All([str], vol.Length(min=12, max=12)),
            vol.Optional("fillers", default=[]): [str],
        },
    }
)
DATA_VOICE: HassKey[VoiceLanguages] = HassKey(f"{DOMAIN}_voice")


@dataclass(slots=True)
class VoiceLanguage:
    """One language's sentences, answers and words."""

    hass: HomeAssistant
    code: str
    sentences: dict[str, Any]
    responses: Mapping[str, str]
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    fillers: frozenset[str]
    # Each answer's template, compiled the first time it is said.
    _templates: dict[str, Template] = field(default_factory=dict)

    def say(self, key: str, **values: Any) -> str:
        """Render one answer with its values."""
        if (template := self._templates.get(key)) is None:
            template = self._templates[key] = Template(self.responses[key], self.hass)
        return str(template.async_render(values, parse_result=False)).strip()

    def moment(self, at: datetime, now: datetime) -> str:
        """Say a local moment, with its day when it is not today."""
        days = (at.date() - now.date()).days
        key = (
            "moment_today"
            if days == 0
            else "moment_tomorrow"
            if days == 1
            else "moment_weekday"
            if 1 < days < 7
            else "moment_date"
        )
        return self.say(
            key,
            time=f"{at.hour:02d}:{at.minute:02d}",
            hour=at.hour,
            minute=at.minute,
            weekday=self.weekdays[at.weekday()],
            day=at.day,
            month=self.months[at.month - 1],
            year=at.year if at.year != now.year else None,
        )

    def repeat(self, cron: str) -> str | None:
        """Say a repeat voice can make ("every weekday at 07:30"), else None."""
        if (repeat := repeat_of(cron)) is None:
            return None
        return self.say(
            "repeat",
            time=f"{repeat.hour:02d}:{repeat.minute:02d}",
            hour=repeat.hour,
            every=repeat.every,
            days=list(repeat.days),
            weekdays=list(self.weekdays),
        )


def read_language_files() -> dict[str, dict[str, Any]]:
    """Read and check every language file (in the executor: it reads files)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(LANGUAGES_DIR.glob("*.yaml")):
        data = LANGUAGE_SCHEMA(load_yaml_dict(path))
        found[data["language"]] = data
    return found


class VoiceLanguages:
    """Every language the voice speaks, loaded once at set-up."""

    def __init__(self, hass: HomeAssistant, files: dict[str, dict[str, Any]]) -> None:
        """Hold the languages read by ``read_language_files``."""
        self.by_code = {
            code: VoiceLanguage(
                hass,
                code,
                {key: data[key] for key in SENTENCE_KEYS},
                data["responses"],
                tuple(data["words"]["weekdays"]),
                tuple(data["words"]["months"]),
                frozenset(word.casefold() for word in data["words"]["fillers"]),
            )
            for code, data in files.items()
        }

    @classmethod
    async def async_load(cls, hass: HomeAssistant) -> VoiceLanguages:
        """Read the language files."""
        return cls(hass, await hass.async_add_executor_job(read_language_files))

    def get(self, language: str | None) -> VoiceLanguage:
        """Return a language ("de-CH" speaks "de"), English when we lack it."""
        base = (language or DEFAULT_LANGUAGE).split("-", maxsplit=1)[0].casefold()
        return self.by_code.get(base) or self.by_code[DEFAULT_LANGUAGE]
