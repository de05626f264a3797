"""Who may do what, on a real hass: every endpoint and service, three callers.

Each is tried with no token, with a non-admin user's token and with the owner's
(admin) token, and must answer as the matrix below says. Service calls over REST
need a token; any user may schedule, list and wake, but a user's tasks and runs
are their own (another's task does not exist for them: 400), and routines, facts
and audits are admin services (401 for users, as Home Assistant answers). The
webhooks that outside services call (YouTube, Vonage) take no token but their own
signature, which a token does not replace; the card is a public static file;
Mission Control's live websocket feed and the diagnostics download are admin only.
"""

from collections.abc import Callable, Generator
from dataclasses import dataclass
import json
import time
from typing import Any
import urllib.parse

import pytest
import pytest_socket

from .accounts import create_user, login, raw_request
from .harness import HassProcess, wait_for
from .webhooks import (
    DOMAIN,
    VONAGE_SECRET,
    YT_SECRET,
    YT_TOPIC,
    add_webhook_sources,
    atom,
    hub_signature,
    vonage_sign,
)

pytestmark = pytest.mark.e2e

CALLERS = ("none", "user", "admin")


@dataclass
class Hass:
    """The process and a token per caller."""

    process: HassProcess
    tokens: dict[str, str | None]
    entry_id: str


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Generator[Hass]:
    """One hass with YouTube and Vonage set up and a non-admin user."""
    # pytest-homeassistant-custom-component blocks sockets before each test; the
    # tests take socket_enabled, and this module-scoped setup lifts it the same way.
    pytest_socket.enable_socket()
    process = HassProcess(tmp_path_factory.mktemp("authz") / "config")
    try:
        process.start_onboarded()
        entry_id = add_webhook_sources(process)
        create_user(process, "Guest", "guest", "guest-pass-123", admin=False)
        tokens = {
            "none": None,
            "user": login(process, "guest", "guest-pass-123"),
            "admin": process.token,
        }
        yield Hass(process, tokens, entry_id)
    finally:
        process.stop()


def _new_task(hass: Hass) -> str:
    status, body = hass.process.call_service(
        "schedule_task", {"prompt": "what time is it", "in": {"hours": 5}}
    )
    assert status == 200, body
    task_id: str = body["task_id"]
    return task_id


type Data = Callable[[Hass], dict[str, Any]]

# service, data (made fresh for each caller), and the answer: no token, user, admin.
SERVICES: list[tuple[str, Data, tuple[int, int, int]]] = [
    (
        "schedule_task",
        lambda h: {"prompt": "what time is it", "in": {"hours": 5}, "enabled": False},
        (401, 200, 200),
    ),
    # The owner's tasks: not the guest's to see or steer.
    ("cancel_task", lambda h: {"task_id": _new_task(h)}, (401, 400, 200)),
    (
        "update_task",
        lambda h: {"task_id": _new_task(h), "name": "Renamed"},
        (401, 400, 200),
    ),
    ("run_task", lambda h: {"task_id": _new_task(h)}, (401, 400, 200)),
    (
        "set_task_enabled",
        lambda h: {"task_id": _new_task(h), "enabled": False},
        (401, 400, 200),
    ),
    ("list_tasks", lambda h: {}, (401, 200, 200)),
    ("get_executions", lambda h: {"limit": 5}, (401, 200, 200)),
    (
        "wakeup",
        lambda h: {"agent": "Nikki", "prompt": "what time is it"},
        (401, 200, 200),
    ),
    ("run_routine", lambda h: {"routine": "Audit"}, (401, 401, 200)),
    (
        "set_routine_enabled",
        lambda h: {"routine": "Work check-in", "enabled": False},
        (401, 401, 200),
    ),
    ("list_facts", lambda h: {"query": "tea"}, (401, 401, 200)),
    # No fact can be made over REST: an unknown one is refused to the admin.
    ("forget_fact", lambda h: {"fact_id": "nope"}, (401, 401, 400)),
    ("get_audits", lambda h: {}, (401, 401, 200)),
]
NO_RESPONSE = ("cancel_task", "forget_fact", "set_routine_enabled")


@pytest.mark.parametrize(
    ("service", "data", "expected"), SERVICES, ids=[row[0] for row in SERVICES]
)
def test_service_authorization(
    target: Hass,
    socket_enabled: None,
    service: str,
    data: Data,
    expected: tuple[int, int, int],
) -> None:
    """Every service over REST: 401 without a token; users and admins alike."""
    query = "" if service in NO_RESPONSE else "?return_response"
    for caller, status in zip(CALLERS, expected, strict=True):
        answer_status, answer = raw_request(
            target.process,
            "POST",
            f"/api/services/{DOMAIN}/{service}{query}",
            json.dumps(data(target)).encode(),
            {"Content-Type": "application/json"},
            target.tokens[caller],
        )
        assert answer_status == status, (caller, answer[:300])
        if status == 200 and query:
            assert "service_response" in json.loads(answer), answer[:300]


def _vonage(signed: bool) -> Callable[[], tuple[str, str, bytes, dict[str, str]]]:
    def make() -> tuple[str, str, bytes, dict[str, str]]:
        params = {
            "msisdn": "447700900001",
            "to": "447700900000",
            "messageId": f"m-{time.monotonic_ns()}",
            "text": "hello",
            "timestamp": str(int(time.time())),
        }
        if signed:
            params["sig"] = vonage_sign(params)
        return (
            "POST",
            "/api/events/vonage/inbound",
            urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    return make


def _youtube_notification() -> tuple[str, str, bytes, dict[str, str]]:
    body = atom(f"v{time.monotonic_ns()}", "A video")
    return (
        "POST",
        "/api/events/youtube",
        body,
        {
            "Content-Type": "application/atom+xml",
            "X-Hub-Signature": hub_signature(body),
        },
    )


def _json(path: str, payload: dict[str, Any]) -> Callable[[], Any]:
    return lambda: (
        "POST",
        path,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
    )


def _get(path: str) -> Callable[[], Any]:
    return lambda: ("GET", path, None, {})


CHALLENGE = "/api/events/youtube?" + urllib.parse.urlencode(
    {"hub.mode": "subscribe", "hub.topic": YT_TOPIC, "hub.challenge": "c-1"}
)
# endpoint, request (made fresh for each caller), answer: no token, user, admin.
ENDPOINTS: list[tuple[str, Callable[[], Any], tuple[int, int, int]]] = [
    (
        "POST /api/wakeup",
        _json("/api/wakeup", {"agent": "Nikki", "prompt": "what time is it"}),
        (401, 202, 202),
    ),
    (
        "POST /api/events/ha",
        _json("/api/events/ha", {"type": "test", "summary": "A test event"}),
        (401, 202, 202),
    ),
    ("GET /api/events/youtube (hub check)", _get(CHALLENGE), (200, 200, 200)),
    ("POST /api/events/youtube (signed)", _youtube_notification, (202, 202, 202)),
    ("POST /api/events/vonage/inbound (signed)", _vonage(True), (200, 200, 200)),
    ("POST /api/events/vonage/inbound (unsigned)", _vonage(False), (401, 401, 401)),
    (
        "GET /dland_assistant/dland-assistant-card.js",
        _get(f"/{DOMAIN}/dland-assistant-card.js"),
        (200, 200, 200),
    ),
]


@pytest.mark.parametrize(
    ("endpoint", "request_", "expected"), ENDPOINTS, ids=[row[0] for row in ENDPOINTS]
)
def test_endpoint_authorization(
    target: Hass,
    socket_enabled: None,
    endpoint: str,
    request_: Callable[[], Any],
    expected: tuple[int, int, int],
) -> None:
    """Every HTTP endpoint answers each caller as documented."""
    for caller, status in zip(CALLERS, expected, strict=True):
        method, path, body, headers = request_()
        answer_status, answer = raw_request(
            target.process, method, path, body, headers, target.tokens[caller]
        )
        assert answer_status == status, (endpoint, caller, answer[:300])
        if path == CHALLENGE:
            assert answer == b"c-1"


def test_diagnostics_are_admin_only(target: Hass, socket_enabled: None) -> None:
    """The config entry diagnostics: 401 without a token and for a non-admin."""
    path = f"/api/diagnostics/config_entry/{target.entry_id}"
    answers = {
        caller: raw_request(target.process, "GET", path, token=target.tokens[caller])
        for caller in CALLERS
    }
    assert answers["none"][0] == 401
    assert answers["user"][0] == 401
    assert answers["admin"][0] == 200, answers["admin"][1][:300]
    diagnostics = json.loads(answers["admin"][1])
    assert diagnostics["data"]
    assert VONAGE_SECRET not in answers["admin"][1].decode()
    assert YT_SECRET not in answers["admin"][1].decode()


def test_live_feed_shows_each_user_their_own(
    target: Hass, socket_enabled: None
) -> None:
    """dland_assistant/subscribe: no token cannot connect; a user gets their own
    tasks and runs and no routines; the admin gets everything."""
    owners = _new_task(target)
    command = {"type": f"{DOMAIN}/subscribe"}
    [anonymous] = target.process.websocket_answers([command], token="")
    assert anonymous["type"] == "auth_invalid"

    def view(caller: str) -> dict[str, Any]:
        answers = target.process.websocket_answers(
            [command], token=target.tokens[caller]
        )
        result = next(a for a in answers if a["type"] == "result")
        assert result["success"] is True, result
        event: dict[str, Any] = next(a for a in answers if a["type"] == "event")
        return event["event"]

    users = view("user")
    assert users["admin"] is False
    assert owners not in {task["task_id"] for task in users["tasks"]}
    assert users["routines"] == []

    # The view follows changes a moment later (the coordinator's debounce).
    def admins_with_the_task() -> dict[str, Any] | None:
        got = view("admin")
        return got if owners in {task["task_id"] for task in got["tasks"]} else None

    admins = wait_for(admins_with_the_task, 10, "the owner's task in the admin's view")
    assert admins["admin"] is True
    assert admins["routines"]


def test_a_user_steers_their_own_tasks_only(target: Hass, socket_enabled: None) -> None:
    """The guest schedules, lists and cancels their own; sees none of the owner's."""

    def service(caller: str, name: str, data: dict[str, Any]) -> tuple[int, Any]:
        query = "" if name in NO_RESPONSE else "?return_response"
        status, raw = raw_request(
            target.process,
            "POST",
            f"/api/services/{DOMAIN}/{name}{query}",
            json.dumps(data).encode(),
            {"Content-Type": "application/json"},
            target.tokens[caller],
        )
        return status, json.loads(raw) if raw else None

    owners = _new_task(target)
    status, body = service(
        "user", "schedule_task", {"prompt": "what time is it", "in": {"hours": 2}}
    )
    assert status == 200, body
    mine = body["service_response"]["task_id"]
    status, body = service("user", "list_tasks", {})
    listed = {t["task_id"] for t in body["service_response"]["tasks"]}
    assert mine in listed
    assert owners not in listed
    status, body = service("admin", "list_tasks", {})
    assert {mine, owners} <= {t["task_id"] for t in body["service_response"]["tasks"]}
    assert service("user", "cancel_task", {"task_id": mine})[0] == 200
    assert service("user", "cancel_task", {"task_id": owners})[0] == 400


def test_run_details_and_previews_over_the_websocket(
    target: Hass, socket_enabled: None
) -> None:
    """dland_assistant/execution opens the caller's own runs only (another's is
    unknown); dland_assistant/preview_schedule is anybody's and stores nothing."""
    status, body = target.process.call_service(
        "wakeup", {"agent": "Nikki", "prompt": "what time is it", "wait": True}
    )
    assert status == 200, body
    execution_id = body["execution_id"]
    details = {"type": f"{DOMAIN}/execution", "execution_id": execution_id}
    preview = {"type": f"{DOMAIN}/preview_schedule", "cron": "30 7 * * 1-5"}
    [anonymous] = target.process.websocket_answers([details], token="")
    assert anonymous["type"] == "auth_invalid"

    def result(caller: str, command: dict[str, Any]) -> dict[str, Any]:
        answers = target.process.websocket_answers(
            [command], token=target.tokens[caller]
        )
        found: dict[str, Any] = next(a for a in answers if a["type"] == "result")
        return found

    guests = result("user", details)
    assert guests["success"] is False
    assert guests["error"]["translation_key"] == "unknown_execution"
    admins = result("admin", details)
    assert admins["success"] is True, admins
    assert admins["result"]["execution_id"] == execution_id
    for caller in ("user", "admin"):
        answer = result(caller, preview)
        assert answer["success"] is True, answer
        assert answer["result"]["schedule_text"] == "At 07:30, Monday through Friday"
