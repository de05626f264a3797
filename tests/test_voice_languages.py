"""Voice reminders in every language, through Assist's real built-in agent.

Each language has its cases in ``tests/voice/<language>.yaml``, as Home
Assistant's intents project keeps its tests: what is said, and the reminder
that must be stored (its prompt, its next run in the home's time zone, its cron)
and the answer. ``conversation`` cases are said one after another (set, list,
cancel). The clock is pinned to each file's ``now``.
"""

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol
import yaml

from custom_components.dland_assistant.voice.language import (
    DATA_VOICE,
    LANGUAGE_SCHEMA,
    LANGUAGES_DIR,
    RESPONSES,
    read_language_files,
)
from custom_components.dland_assistant.voice.sentences import variants
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.util import dt as dt_util

from .conftest import call

CASES_DIR = Path(__file__).parent / "voice"
LANGUAGES = sorted(path.stem for path in LANGUAGES_DIR.glob("*.yaml"))
CASE_SCHEMA = vol.Schema(
    {
        vol.Required("language"): str,
        vol.Required("time_zone"): str,
        vol.Required("now"): str,
        vol.Required("remind"): [
            {
                vol.Required("say"): str,
                vol.Required("prompt"): str,
                vol.Required("due"): str,
                vol.Optional("cron"): str,
                vol.Optional("answer"): str,
            }
        ],
        vol.Required("refuse"): [
            {vol.Required("say"): str, vol.Required("answer"): str}
        ],
        vol.Required("conversation"): [
            {vol.Required("say"): str, vol.Optional("answer"): str}
        ],
        vol.Required("device"): str,
        vol.Required("moments"): [
            {
                vol.Required("say"): str,
                vol.Required("prompt"): str,
                vol.Required("moment"): vol.In(["arrive", "leave", "done"]),
                vol.Optional("answer"): str,
            }
        ],
    }
)


def _cases(language: str) -> dict[str, Any]:
    path = CASES_DIR / f"{language}.yaml"
    cases: dict[str, Any] = CASE_SCHEMA(yaml.safe_load(path.read_text()))
    return cases


def _params(kind: str) -> list[Any]:
    """Each language's cases of a kind ("remind", "moments"), as test parameters.

    A language without cases fails test_every_language_has_cases_…, not collection.
    """
    return [
        pytest.param(language, case, id=f"{language}-{case['say']}")
        for language in LANGUAGES
        if (CASES_DIR / f"{language}.yaml").exists()
        for case in _cases(language)[kind]
    ]


async def _pin(hass: HomeAssistant, freezer: FrozenDateTimeFactory, cases: Any) -> None:
    await hass.config.async_set_time_zone(cases["time_zone"])
    zone = ZoneInfo(cases["time_zone"])
    freezer.move_to(datetime.fromisoformat(cases["now"]).replace(tzinfo=zone))


async def _converse(
    hass: HomeAssistant, text: str, language: str, user_id: str
) -> intent.IntentResponse:
    result = await conversation.async_converse(
        hass,
        text,
        None,
        Context(user_id=user_id),
        language=language,
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )
    return result.response


def _speech(response: intent.IntentResponse) -> str:
    speech: str = response.speech["plain"]["speech"]
    return speech


def _local(moment: str) -> str:
    return dt_util.as_local(datetime.fromisoformat(moment)).strftime("%Y-%m-%d %H:%M")


def test_every_language_has_cases_and_every_answer() -> None:
    """Each language file passes its schema, and each has a file of cases."""
    files = read_language_files()
    assert sorted(files) == LANGUAGES
    assert {"en", "de", "fr", "es", "nl", "it", "pl"} <= set(LANGUAGES)
    for language in LANGUAGES:
        assert set(files[language]["responses"]) == set(RESPONSES)
        assert (CASES_DIR / f"{language}.yaml").exists(), language


def test_a_language_file_missing_an_answer_is_refused() -> None:
    """The schema names the answer a contributor forgot."""
    data = yaml.safe_load((LANGUAGES_DIR / "de.yaml").read_text())
    del data["responses"]["cancelled"]
    with pytest.raises(vol.Invalid, match="cancelled"):
        LANGUAGE_SCHEMA(data)


def test_sentences_go_to_each_variant_assist_knows() -> None:
    """de-CH reads its own folder, so German is written there too."""
    assert variants("de", ["de", "de-CH", "en", "pt-BR"]) == ["de", "de-CH"]
    assert variants("pl", ["de", "pl"]) == ["pl"]


async def test_sentences_are_installed_per_language(
    hass: HomeAssistant, entry: MockConfigEntry, config_dir: Path
) -> None:
    """Set-up writes every language's sentences (not its answers) for Assist."""
    for language in LANGUAGES:
        path = config_dir / "custom_sentences" / language / "dland_assistant.yaml"
        written = yaml.safe_load(path.read_text())
        assert written["language"] == language
        assert "DlandAssistantRemind" in written["intents"]
        assert "responses" not in written
    assert (config_dir / "custom_sentences" / "de-CH" / "dland_assistant.yaml").exists()


@pytest.mark.parametrize(("language", "case"), _params("remind"))
async def test_remind(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
    language: str,
    case: dict[str, Any],
) -> None:
    """Each way of setting a reminder stores the reminder meant, and says so."""
    await _pin(hass, freezer, _cases(language))
    response = await _converse(hass, case["say"], language, hass_admin_user.id)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE, _speech(
        response
    )
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert task["prompt"] == case["prompt"]
    assert task["action"] == "remind"
    assert _local(task["next_run"]) == case["due"]
    assert task.get("cron") == case.get("cron")
    if "answer" in case:
        assert _speech(response) == case["answer"]


@pytest.mark.parametrize(("language", "case"), _params("moments"))
async def test_remind_on_a_moment(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
    language: str,
    case: dict[str, Any],
) -> None:
    """'Remind me when I get home', '… when the washer is done': stored as the
    speaker's arrival or departure or the device done, answered, and run once
    when it happens."""
    cases = _cases(language)
    await _pin(hass, freezer, cases)
    dan = {"friendly_name": "Dan", "user_id": hass_admin_user.id}
    at_start = "home" if case["moment"] == "leave" else "not_home"
    hass.states.async_set("person.dan", at_start, dan)
    hass.states.async_set(
        "sensor.washer", "running", {"friendly_name": cases["device"]}
    )
    response = await _converse(hass, case["say"], language, hass_admin_user.id)
    assert response.response_type is intent.IntentResponseType.ACTION_DONE, _speech(
        response
    )
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert (task["prompt"], task["kind"], task["next_run"]) == (
        case["prompt"],
        "moment",
        None,
    )
    trigger = task["moment"]["trigger"]
    if case["moment"] == "done":
        assert (trigger["entity_id"], "running" in trigger["from"]) == (
            "sensor.washer",
            True,
        )
        hass.states.async_set(
            "sensor.washer", "idle", {"friendly_name": cases["device"]}
        )
    else:
        event = "enter" if case["moment"] == "arrive" else "leave"
        assert trigger == {
            "trigger": "zone",
            "entity_id": "person.dan",
            "zone": "zone.home",
            "event": event,
        }
        hass.states.async_set(
            "person.dan", "not_home" if at_start == "home" else "home", dan
        )
    if "answer" in case:
        assert _speech(response) == case["answer"]
    await hass.async_block_till_done(wait_background_tasks=True)
    [task] = (await call(hass, "list_tasks", {"status": ["succeeded"]}))["tasks"]
    assert task["prompt"] == case["prompt"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_refusals(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
    language: str,
) -> None:
    """A when that cannot be is refused in the language spoken; nothing is stored."""
    cases = _cases(language)
    await _pin(hass, freezer, cases)
    for case in cases["refuse"]:
        response = await _converse(hass, case["say"], language, hass_admin_user.id)
        assert response.response_type is intent.IntentResponseType.ERROR
        assert _speech(response) == case["answer"]
    assert (await call(hass, "list_tasks"))["tasks"] == []


@pytest.mark.parametrize("language", LANGUAGES)
async def test_set_list_and_cancel(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
    language: str,
) -> None:
    """Reminders are set, listed and cancelled by voice, answered in the language."""
    cases = _cases(language)
    await _pin(hass, freezer, cases)
    # The end-to-end test relies on how a conversation starts and ends.
    voice = hass.data[DATA_VOICE].get(language)
    first, *_, cancel_one, cancel_none = cases["conversation"]
    assert first["answer"] == voice.say("list_none")
    assert cancel_one["answer"] == voice.say("cancel_all", count=1)
    assert cancel_none["answer"] == voice.say("cancel_all_none")
    for case in cases["conversation"]:
        response = await _converse(hass, case["say"], language, hass_admin_user.id)
        assert response.intent is not None, case["say"]
        if "answer" in case:
            assert _speech(response) == case["answer"], case["say"]
    assert (await call(hass, "list_tasks", {"status": ["scheduled"]}))["tasks"] == []


async def test_moments_are_said_with_their_day(hass: HomeAssistant) -> None:
    """Today, tomorrow, a weekday within the week, else the date (and its year)."""
    from custom_components.dland_assistant.voice.language import VoiceLanguages

    voices = await VoiceLanguages.async_load(hass)
    zone = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 11, 26, 14, 0, tzinfo=zone)  # a Thursday

    def said(language: str, *args: int) -> str:
        return voices.get(language).moment(datetime(*args, tzinfo=zone), now)  # type: ignore[misc]

    assert said("en", 2026, 11, 26, 18, 0) == "today at 18:00"
    assert said("en", 2026, 11, 27, 8, 5) == "tomorrow at 08:05"
    assert said("en", 2026, 11, 30, 7, 0) == "on Monday at 07:00"
    assert said("en", 2026, 12, 24, 18, 0) == "on 24 December at 18:00"
    assert said("en", 2027, 1, 3, 9, 0) == "on 3 January 2027 at 09:00"
    assert said("de", 2026, 12, 24, 18, 0) == "am 24. Dezember um 18:00"
    assert said("de-CH", 2026, 11, 30, 7, 0) == "am Montag um 07:00"
    # A language we do not speak answers in English.
    assert said("xx", 2026, 11, 27, 8, 5) == "tomorrow at 08:05"
    assert hass.data.get(DATA_VOICE) is None


async def test_a_reminder_past_the_prompt_bound_is_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The action's bounds hold by voice too: refused with its message, not stored."""
    await _pin(hass, freezer, _cases("de"))
    said = "erinnere mich in zehn Minuten an " + "den Ofen " * 1000
    response = await _converse(hass, said, "de", hass_admin_user.id)
    assert response.response_type is intent.IntentResponseType.ERROR
    assert "8192" in _speech(response) or "8 KB" in _speech(response), _speech(response)
    assert (await call(hass, "list_tasks"))["tasks"] == []


async def test_moment_reminders_are_listed_and_cancelled_by_voice(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reminder waiting for a moment is listed after the timed ones, as its
    sentence says it, and cancelled by name."""
    await _pin(hass, freezer, _cases("de"))
    user = hass_admin_user.id
    hass.states.async_set("person.dan", "not_home", {"user_id": user})
    for said in (
        "erinnere mich, wenn ich nach Hause komme, an die Wäsche",
        "erinnere mich morgen um acht an den Ofen",
    ):
        await _converse(hass, said, "de", user)
    listed = await _converse(hass, "welche Erinnerungen habe ich", "de", user)
    assert _speech(listed) == (
        "Du hast 2 Erinnerungen: den Ofen morgen um 08:00; die Wäsche wenn du nach"
        " Hause kommst."
    )
    cancelled = await _converse(hass, "lösche die Erinnerung an die Wäsche", "de", user)
    assert _speech(cancelled) == (
        "Die Erinnerung „die Wäsche“ wenn du nach Hause kommst ist gelöscht."
    )
    refused = await _converse(
        hass, "erinnere mich, wenn der Toaster fertig ist, an das Brot", "de", user
    )
    assert _speech(refused) == "Ich finde kein Gerät namens toaster."
    hass.states.async_set("person.dan", "not_home", {})  # nobody's person
    nobody = await _converse(
        hass, "erinnere mich, wenn ich nach Hause komme, an die Post", "de", user
    )
    assert nobody.response_type is intent.IntentResponseType.ERROR
