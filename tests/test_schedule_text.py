"""Schedules in words: the same on the card, entities, calendar, list and voice."""

from datetime import datetime, timedelta
import itertools
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import DOMAIN
from custom_components.dland_assistant.schedule_text import ScheduleText, locale_for
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .conftest import (
    RecordingAgent,
    add_tidy_up_routine,
    call,
    entity_state,
    runtime,
    settle,
    task_entity,
)


@pytest.mark.parametrize(
    ("language", "weekdays", "quarter", "first_of_january"),
    [
        (
            "en",
            "At 07:30, Monday through Friday",
            "Every 15 minutes",
            "At 08:00, on day 1 of the month, only in January",
        ),
        (
            "de",
            "Um 07:30, Montag bis Freitag",
            "Alle 15 Minuten",
            "Um 08:00, am 1 Tag des Monats, nur im Januar",
        ),
        (
            "fr",
            "À 07:30, de lundi à vendredi",
            "Toutes les 15 minutes",
            "À 08:00, le 1 du mois, uniquement en janvier",
        ),
        (
            "es",
            "A las 07:30, de lunes a viernes",
            "Cada 15 minutos",
            "A las 08:00, el día 1 del mes, sólo en enero",
        ),
        (
            "nl",
            "Om 07:30, maandag t/m vrijdag",
            "Elke 15 minuten",
            "Om 08:00, op dag 1 van de maand, alleen in januari",
        ),
        (
            "it",
            "Alle 07:30, lunedì al venerdì",
            "Ogni 15 minuti",
            "Alle 08:00, il giorno 1 del mese, solo in gennaio",
        ),
        (
            "pl",
            "O 07:30, od poniedziałek do piątek",
            "Co 15 minut",
            "O 08:00, 1-ego dnia miesiąca, tylko styczeń",
        ),
    ],
)
async def test_crons_in_words_in_each_language(
    hass: HomeAssistant,
    language: str,
    weekdays: str,
    quarter: str,
    first_of_january: str,
) -> None:
    """cron-descriptor's words, with weekday and month names in the language."""
    words = await ScheduleText.async_load(hass, language)
    assert words.cron("30 7 * * 1-5") == weekdays
    assert words.cron("*/15 * * * *") == quarter
    assert words.cron("0 8 1 1 *") == first_of_january
    assert words.cron("30 7 * * 1-5", inline=True) == weekdays[0].lower() + weekdays[1:]


def test_languages_find_their_locale() -> None:
    """Home Assistant's language tags map to the library's locales."""
    available = {"en_US", "de_DE", "pt_PT", "pt_BR", "zh_CN", "zh_TW", "nb_NO"}
    assert locale_for("en", available) == "en_US"
    assert locale_for("en-GB", available) == "en_US"
    assert locale_for("de-CH", available) == "de_DE"
    assert locale_for("pt-BR", available) == "pt_BR"
    assert locale_for("pt", available) == "pt_PT"
    assert locale_for("zh-Hant", available) == "zh_TW"
    assert locale_for("nb", available) == "nb_NO"
    assert locale_for("tlh", available) == "en_US"


async def test_routines_and_one_offs_in_words(hass: HomeAssistant) -> None:
    """A routine's rhythm is said as the cron it stands for; an odd one as is."""
    words = await ScheduleText.async_load(hass, "en")
    assert words.routine({"schedule": "daily", "time": "07:30:00"}) == "At 07:30"
    assert words.routine({"schedule": "interval", "interval": 120}) == "Every 2 hours"
    assert words.routine({"schedule": "interval", "interval": 90}) == (
        "Every 90 minutes"
    )
    assert words.routine({"schedule": "cron", "cron": "0 9 * * 1"}) == (
        "At 09:00, only on Monday"
    )
    assert words.cron("not a cron") == "not a cron"
    assert words.once() == "Once"
    assert (await ScheduleText.async_load(hass, "de")).once() == "Einmalig"


async def test_describing_reads_no_file_on_the_event_loop(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The translation is read once, in the executor; describing touches no file."""
    words = await ScheduleText.async_load(hass, "fr")

    def no_files(*_: Any, **__: Any) -> None:
        raise AssertionError("a file was opened")

    monkeypatch.setattr(Path, "open", no_files)
    assert words.cron("0 18 * * 5") == "À 18:00, uniquement le vendredi"


async def test_everywhere_says_the_same_words(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    freezer: FrozenDateTimeFactory,
) -> None:
    """list_tasks, the task's and routine's entities and the calendar's events."""
    freezer.move_to("2026-06-15 10:00:00+00:00")
    task_id = (
        await call(
            hass,
            "schedule_task",
            {"prompt": "Brief me", "name": "Briefing", "cron": "30 7 * * 1-5"},
        )
    )["task_id"]
    once_id = (await call(hass, "schedule_task", {"prompt": "x", "in": {"hours": 1}}))[
        "task_id"
    ]
    add_tidy_up_routine(hass, entry, persona)
    await settle(hass)
    tasks = {t["task_id"]: t for t in (await call(hass, "list_tasks"))["tasks"]}
    assert tasks[task_id]["schedule_text"] == "At 07:30, Monday through Friday"
    assert tasks[once_id]["schedule_text"] == "Once"
    switch = task_entity(hass, "switch", task_id, "enabled")
    assert entity_state(hass, switch).attributes["schedule"] == (
        "At 07:30, Monday through Friday"
    )
    events = await _calendar_events(hass, timedelta(days=2))
    assert events["Briefing"] == "At 07:30, Monday through Friday"
    assert events["Tidy-up"] == "At 09:00"


async def _calendar_events(hass: HomeAssistant, span: timedelta) -> dict[str, str]:
    start = dt_util.utcnow()
    result = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": "calendar.dland_assistant_runs",
            "start_date_time": start,
            "end_date_time": start + span,
        },
        blocking=True,
        return_response=True,
    )
    assert result is not None
    return {
        event["summary"]: event.get("description")
        for event in result["calendar.dland_assistant_runs"]["events"]  # type: ignore[index, union-attr]
    }


async def test_the_words_follow_home_assistants_language(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """Switching Home Assistant to German says the schedules in German."""
    task_id = (
        await call(hass, "schedule_task", {"prompt": "x", "cron": "0 8 * * 6,0"})
    )["task_id"]
    await settle(hass)
    switch = task_entity(hass, "switch", task_id, "enabled")
    assert entity_state(hass, switch).attributes["schedule"] == (
        "At 08:00, only on Saturday and Sunday"
    )
    await hass.config.async_update(language="de")
    await settle(hass)
    assert entity_state(hass, switch).attributes["schedule"] == (
        "Um 08:00, nur am Samstag und Sonntag"
    )
    assert runtime(entry).schedule_texts.default.language == "de"


async def test_the_editor_previews_a_schedule_and_stores_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, hass_ws_client: Any
) -> None:
    """One command gives the words and the next five runs; an invalid cron is the
    same translated error as schedule_task's, and nothing is stored."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/preview_schedule", "cron": "0 7 1 1 *"}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    preview = answer["result"]
    assert (
        preview["schedule_text"] == "At 07:00, on day 1 of the month, only in January"
    )
    runs = [datetime.fromisoformat(run) for run in preview["next_runs"]]
    assert len(runs) == 5
    assert [(r.month, r.day, r.hour, r.minute) for r in runs] == [(1, 1, 7, 0)] * 5
    assert [b.year - a.year for a, b in itertools.pairwise(runs)] == [1] * 4

    await client.send_json_auto_id(
        {
            "type": f"{DOMAIN}/preview_schedule",
            "cron": "0 7 * * 1-5",
            "language": "nl",
        }
    )
    dutch = (await client.receive_json())["result"]
    assert dutch["schedule_text"] == "Om 07:00, maandag t/m vrijdag"

    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/preview_schedule", "in": {"minutes": 10}}
    )
    once = (await client.receive_json())["result"]
    assert once["schedule_text"] == "Once"
    assert len(once["next_runs"]) == 1

    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/preview_schedule", "cron": "61 7 * * *"}
    )
    refused = await client.receive_json()
    assert not refused["success"]
    assert refused["error"]["translation_key"] == "invalid_cron"
    assert "61 7 * * *" in refused["error"]["message"]
    assert (await call(hass, "list_tasks"))["tasks"] == []
    await client.close()


async def test_made_up_languages_load_nothing_new(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A preview may name any language: unknown ones share the English words, so
    the words kept stay one per locale the library has."""
    texts = runtime(entry).schedule_texts
    for number in range(100):
        words = await texts.async_get(f"x{number}")
        assert words.cron("*/5 * * * *") == "Every 5 minutes"
    assert (await texts.async_get("de-AT")).cron(
        "0 8 * * 0"
    ) == "Um 08:00, nur am Sonntag"
    assert len(texts._by_locale) <= 2
