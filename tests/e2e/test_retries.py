"""Runs keep their promise on a real hass: retries, back-off, quiet check-ins, and
each run's record of the tools its agent called.

One hass process runs Home Assistant's ollama integration against the scripted
model of ``tests/scripted_model.py`` (served from this test process), which can be
told to refuse its next chats with a 500, as a model server that restarts or loads
its model does. Liz's phone is the e2e fixture's push service (``notify.e2e_phone``),
the one part that is on the internet in real life; it can be told to refuse sends.
"""

from collections.abc import Generator
from dataclasses import dataclass
import itertools
import time
from typing import Any

import pytest
import pytest_socket

from custom_components.dland_assistant.const import DOMAIN
from homeassistant.util import dt as dt_util

from ..scripted_model import Chat, ScriptedModel, gullible
from .accounts import add_subentry
from .browser import logged_in_page
from .harness import HassProcess, wait_for
from .test_card_browser import DASHBOARD, SAVE_DASHBOARD, SCREENSHOTS

pytestmark = pytest.mark.e2e

# The first retry after 2 s (then 4 s, 20 s): the policy's shape, at test speed.
RETRY_DELAY = 2


def _answer(chat: Chat) -> dict[str, Any]:
    """The gullible model, which has nothing to report for the family."""
    if "Anything for the kids?" in chat.text:
        return {"content": "NOTHING_TO_REPORT"}
    return gullible(chat)


@dataclass
class Home:
    """The process, the model behind its agent, and Liz's phone."""

    process: HassProcess
    model: ScriptedModel

    def executions(self, **query: Any) -> list[dict[str, Any]]:
        """Return executions, oldest first."""
        status, body = self.process.call_service(
            "get_executions", {"limit": 100, **query}
        )
        assert status == 200, body
        return list(reversed(body["executions"]))

    def notifications(self) -> list[dict[str, Any]]:
        """Return Home Assistant's persistent notifications."""
        [answer] = self.process.websocket({"type": "persistent_notification/get"})
        return list(answer)

    def phone(self) -> dict[str, Any]:
        """Return what Liz's phone received and how many sends it refused."""
        status, body = self.process.request("GET", "/api/e2e_phone")
        assert status == 200, body
        result: dict[str, Any] = body
        return result


def _flow(process: HassProcess, handler: str, data: dict[str, Any]) -> dict[str, Any]:
    status, flow = process.request(
        "POST", "/api/config/config_entries/flow", {"handler": handler}
    )
    assert status == 200, flow
    status, done = process.request(
        "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", data
    )
    assert status == 200, done
    assert done["type"] == "create_entry", done
    result: dict[str, Any] = done["result"]
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Generator[Home]:
    """A hass with ollama on the scripted model, and Liz with her phone."""
    pytest_socket.enable_socket()
    model = ScriptedModel(script=_answer)
    url = model.start_in_thread()
    process = HassProcess(
        tmp_path_factory.mktemp("retries") / "config",
        "e2e_slow_agent:\n  agent: false\n",
    )
    try:
        process.start_onboarded()
        process.finish_onboarding()  # a browser opens its dashboards
        ollama = _flow(process, "ollama", {"url": url})

        def ollama_loaded() -> bool:
            status, body = process.request(
                "GET", "/api/config/config_entries/entry?domain=ollama"
            )
            return status == 200 and body[0]["state"] == "loaded"

        wait_for(ollama_loaded, 60, "ollama to load")
        add_subentry(
            process,
            ollama["entry_id"],
            "conversation",
            {
                "name": "Scripted",
                "model": "scripted:latest",
                "prompt": "Be brief.",
                "llm_hass_api": ["assist"],
            },
        )
        time.sleep(1)  # a new subentry reloads the ollama entry
        wait_for(ollama_loaded, 60, "ollama to load again")
        process.websocket({"type": "person/create", "name": "Liz"})
        entry_id = process.config_entry_id(DOMAIN)
        add_subentry(
            process,
            entry_id,
            "recipient",
            {
                "person": "person.liz",
                "default_channel": "mobile_app",
                "mobile_app": "notify.e2e_phone",
            },
        )
        time.sleep(1)  # a subentry reloads the entry
        process.wait_for_integration()
        process.set_options(retry_delay=RETRY_DELAY)
        yield Home(process, model)
    finally:
        process.stop()
        model.stop_thread()


def _schedule(home: Home, **data: Any) -> str:
    status, body = home.process.call_service(
        "schedule_task", {"in": {"seconds": 1}, **data}
    )
    assert status == 200, body
    task_id: str = body["task_id"]
    return task_id


def _ended(home: Home, task_id: str, count: int) -> list[dict[str, Any]]:
    """Wait until a task has ``count`` executions and none in progress or due."""

    def done() -> list[dict[str, Any]] | None:
        runs = home.executions(task_id=task_id)
        tasks = home.process.call_service("list_tasks")[1]["tasks"]
        [task] = [t for t in tasks if t["task_id"] == task_id]
        # Both reads agree: the task's end and its last run's end share a commit.
        ended = all(run["status"] != "in_progress" for run in runs)
        if (
            len(runs) >= count
            and ended
            and task["status"] not in ("scheduled", "running")
        ):
            return runs
        return None

    runs: list[dict[str, Any]] = wait_for(done, 90, f"{count} runs of {task_id}")
    return runs


def test_an_agent_failing_twice_then_answering_delivers_once(
    home: Home, socket_enabled: None
) -> None:
    """The model server refuses the first two chats: the task is tried again after
    2 s and 4 s and the third try's answer is delivered, once."""
    home.model.failures = 2
    refused_before = home.model.refused
    task_id = _schedule(
        home,
        agent="conversation.scripted",
        prompt="What is on today?",
        name="Day plan",
    )
    runs = _ended(home, task_id, 3)
    assert home.model.refused - refused_before == 2
    assert [(run["status"], run["attempt"]) for run in runs] == [
        ("failed", 1),
        ("failed", 2),
        ("succeeded", 3),
    ]
    assert runs[2]["response"] == "Answer to: What is on today?"
    # Each retry came when the log said it would, after 2 s then 4 s.
    for run, pause in zip(runs[:2], (RETRY_DELAY, 2 * RETRY_DELAY), strict=True):
        finished = dt_util.parse_datetime(run["finished"])
        next_attempt = dt_util.parse_datetime(run["next_attempt"])
        assert finished is not None
        assert next_attempt is not None
        assert (next_attempt - finished).total_seconds() == pytest.approx(pause)
    for run, following in itertools.pairwise(runs):
        started = dt_util.parse_datetime(following["started"])
        due = dt_util.parse_datetime(run["next_attempt"])
        assert started is not None
        assert due is not None
        late = (started - due).total_seconds()
        assert 0 <= late < 1.5, late
    delivered = [n for n in home.notifications() if n["title"] == "Day plan"]
    assert [n["message"] for n in delivered] == ["Answer to: What is on today?"]
    assert not [n for n in home.notifications() if "failed" in n["title"]]
    time.sleep(3)
    assert len(home.executions(task_id=task_id)) == 3  # nothing after the success


def test_a_reminder_reaches_a_phone_that_comes_back(
    home: Home, socket_enabled: None
) -> None:
    """Liz's phone refuses four sends: the first run tries it three times (2 s and
    10 s apart) and fails; a repair issue names the channel; the retry gets
    through on its second send, and the issue goes."""
    status, body = home.process.request(
        "POST", "/api/services/e2e_slow_agent/phone_fails", {"count": 4}
    )
    assert status == 200, body
    before = len(home.phone()["received"])
    task_id = _schedule(home, action="remind", prompt="Buy milk", user="person.liz")

    def issue_raised() -> bool:
        [issues] = home.process.websocket({"type": "repairs/list_issues"})
        return any(
            issue["domain"] == DOMAIN
            and issue["issue_id"].startswith("delivery_failed")
            for issue in issues["issues"]
        )

    wait_for(issue_raised, 40, "the repair issue naming the phone")
    runs = _ended(home, task_id, 2)
    assert [(run["status"], run["attempt"]) for run in runs] == [
        ("failed", 1),
        ("succeeded", 2),
    ]
    assert runs[0]["error"] == "Delivery failed: push service unreachable"
    assert runs[0]["delivery"]["channel"] == "mobile_app"
    received = home.phone()["received"][before:]
    assert [(m["title"], m["message"]) for m in received] == [("Reminder", "Buy milk")]
    assert home.phone()["refused"] >= 4
    assert not issue_raised()


def test_a_check_in_with_nothing_to_report_stays_quiet(
    home: Home, socket_enabled: None
) -> None:
    """The model answers NOTHING_TO_REPORT: the run is quiet with its answer in the
    log, and nothing reaches Liz's phone or the notifications."""
    entry_id = home.process.config_entry_id(DOMAIN)
    add_subentry(
        home.process,
        entry_id,
        "routine",
        {
            "name": "Kids check-in",
            "schedule": "daily",
            "time": "07:30:00",
            "agent": "conversation.scripted",
            "prompt": "Anything for the kids?",
            "user": "person.liz",
            "only_when_needed": True,
            "enabled": True,
        },
    )
    time.sleep(1)
    home.process.wait_for_integration()
    phone_before = len(home.phone()["received"])
    notes_before = len(home.notifications())
    status, body = home.process.call_service(
        "run_routine", {"routine": "Kids check-in"}
    )
    assert status == 200, body
    execution_id = body["execution_id"]

    def ended() -> dict[str, Any] | None:
        for run in home.executions():
            if run["execution_id"] == execution_id and run["status"] != "in_progress":
                return run
        return None

    run = wait_for(ended, 60, "the check-in to end")
    assert (run["status"], run["response"]) == ("quiet", "NOTHING_TO_REPORT"), run
    assert run["delivery"] is None
    time.sleep(1)
    assert len(home.phone()["received"]) == phone_before
    assert len(home.notifications()) == notes_before


def test_a_run_records_the_tools_its_agent_called(
    home: Home, socket_enabled: None
) -> None:
    """Home Assistant's ollama agent calls GetLiveContext for the scripted model;
    the run's details list the call with its result, and who the run acted as."""
    task_id = _schedule(
        home,
        agent="conversation.scripted",
        prompt="How is the home? CALL GetLiveContext {}",
        name="Home check",
    )
    [run] = _ended(home, task_id, 1)
    assert run["status"] == "succeeded", run
    [details] = home.process.websocket(
        {"type": f"{DOMAIN}/execution", "execution_id": run["execution_id"]}
    )
    [called] = details["tool_calls"]["calls"]
    assert called["tool"].endswith("GetLiveContext")
    assert called["arguments"] == "{}"
    assert called["error"] is False
    assert "Kitchen light" in called["result"] or "Live Context" in called["result"]
    assert details["acting_user_name"] == "Owner"
    assert details["name"] == "Home check"

    # The card opens the run to the same call.
    with logged_in_page(home.process) as (page, errors):
        page.goto(f"{home.process.base}/profile")
        page.wait_for_function(
            "document.querySelector('home-assistant')?.hass?.connected === true",
            timeout=60_000,
        )
        page.evaluate(SAVE_DASHBOARD, DASHBOARD)
        page.goto(f"{home.process.base}/mission-control/mission")
        card = page.locator("dland-assistant-card")
        row = card.locator("tr.execution", has_text="Home check")
        row.wait_for(timeout=60_000)
        row.click()
        tool = card.locator("tr.details li.tool")
        tool.wait_for(timeout=30_000)
        assert tool.locator("code").inner_text().endswith("GetLiveContext")
        assert tool.locator(".arguments").inner_text() == "{}"
        assert tool.locator(".result").text_content() == called["result"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "card-tool-calls.png", full_page=True)
        assert errors == []
