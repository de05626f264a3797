"""Voice reminders in each language on a real hass with that language set.

One hass process, under libfaketime. For each language of ``tests/voice``, the
home's language and time zone are set as a user sets them (the core config
websocket command), the clock is put at that file's ``now``, and Assist is
spoken to over REST (``/api/conversation/process``, no language given: the
home's is used): no reminders yet; a reminder for a later day, stored as the
cases say; then "cancel all" twice, answered as the cases' last two lines say;
then a reminder for when the speaker gets home, stored as a moment.
Then impossible slots sent straight to the intent API are refused.
"""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from .clock import ShiftedClock
from .harness import HassProcess

pytestmark = pytest.mark.e2e

CASES_DIR = Path(__file__).parents[1] / "voice"
LANGUAGES = sorted(path.stem for path in CASES_DIR.glob("*.yaml"))


def _say(hass: HassProcess, text: str) -> dict[str, Any]:
    status, body = hass.request("POST", "/api/conversation/process", {"text": text})
    assert status == 200, body
    response: dict[str, Any] = body["response"]
    return response


def _speech(response: dict[str, Any]) -> str:
    speech: str = response["speech"]["plain"]["speech"]
    return speech


def _now(cases: dict[str, Any]) -> datetime:
    zone = ZoneInfo(cases["time_zone"])
    return datetime.fromisoformat(cases["now"]).replace(tzinfo=zone)


def _later_day(cases: dict[str, Any]) -> dict[str, Any]:
    """The first one-off case with an answer due after ``now``'s day."""
    today = cases["now"][:10]
    return next(
        case
        for case in cases["remind"]
        if "answer" in case and "cron" not in case and case["due"][:10] > today
    )


def test_each_language_on_a_real_hass(hass_process: Any, tmp_path: Path) -> None:
    """Set, list and cancel by voice in every language, as its speakers do."""
    every = {
        language: yaml.safe_load((CASES_DIR / f"{language}.yaml").read_text())
        for language in LANGUAGES
    }
    clock = ShiftedClock(tmp_path / "faketime", 0)
    # Onboarded before every language's now (a token must not come from the
    # future), with a token that lasts while the clock visits each language's now.
    clock.move_to(min(_now(cases) for cases in every.values()) - timedelta(minutes=1))
    hass: HassProcess = clock.attach(hass_process())
    hass.start_onboarded(long_lived_token=True)
    spoken: list[str] = []
    for language, cases in every.items():
        zone = ZoneInfo(cases["time_zone"])
        hass.websocket(
            {
                "type": "config/core/update",
                "language": language,
                "time_zone": cases["time_zone"],
            }
        )
        clock.move_to(_now(cases))
        first, *_, cancel_one, cancel_none = cases["conversation"]
        assert _speech(_say(hass, first["say"])) == first["answer"], language

        case = _later_day(cases)
        response = _say(hass, case["say"])
        assert response["response_type"] == "action_done", response
        assert _speech(response) == case["answer"], language
        status, listed = hass.call_service("list_tasks", {"status": ["scheduled"]})
        assert status == 200, listed
        [task] = listed["tasks"]
        due = datetime.fromisoformat(task["next_run"]).astimezone(zone)
        assert (task["prompt"], f"{due:%Y-%m-%d %H:%M}") == (
            case["prompt"],
            case["due"],
        )

        assert _speech(_say(hass, cancel_one["say"])) == cancel_one["answer"]
        assert _speech(_say(hass, cancel_none["say"])) == cancel_none["answer"]
        status, listed = hass.call_service("list_tasks", {"status": ["scheduled"]})
        assert listed["tasks"] == [], language

        # A moment: the owner's person (made at onboarding) coming home.
        arrive = next(case for case in cases["moments"] if case["moment"] == "arrive")
        response = _say(hass, arrive["say"])
        assert response["response_type"] == "action_done", response
        status, listed = hass.call_service("list_tasks", {"status": ["scheduled"]})
        [task] = listed["tasks"]
        assert (task["kind"], task["prompt"]) == ("moment", arrive["prompt"])
        assert task["moment"]["trigger"]["event"] == "enter"
        status, body = hass.request(
            "POST",
            "/api/services/dland_assistant/cancel_task",
            {"task_id": task["task_id"]},
        )
        assert status == 200, body
        spoken.append(language)
    assert spoken == LANGUAGES
    assert {"de", "en", "es", "fr", "it", "nl", "pl"} <= set(spoken)
    # Slots sent straight to the intent (Home Assistant's intent API, any user)
    # are checked as strictly as sentences: refused, nothing stored.
    for slots in (
        {"hour": 99, "what": "x"},
        {"hour": 7, "every": "*/1", "what": "x"},
        {"minutes": 10**30, "what": "x"},
        {"day_offset": 10**9, "hour": 7, "what": "x"},
        {"minutes": 10, "what": "x" * 9000},
    ):
        status, body = hass.request(
            "POST",
            "/api/intent/handle",
            {"name": "DlandAssistantRemind", "data": slots},
        )
        assert status == 200, body
        assert body["response_type"] == "error", body
    status, listed = hass.call_service("list_tasks", {"status": ["scheduled"]})
    assert listed["tasks"] == []
    errors = [line for line in hass.log.splitlines() if " ERROR " in line]
    assert not [line for line in errors if "dland_assistant" in line], errors
    assert "Error handling request" not in hass.log
