"""Raw HTTP, websocket commands and user accounts on a real hass process.

The harness speaks JSON with the owner's token; these helpers send any bytes with
any headers and token, run websocket commands, and make non-admin users.
"""

import http.client
import json
import socket
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

from .harness import HassProcess


def raw_request(
    hass: HassProcess,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    token: str | None = None,
) -> tuple[int, bytes]:
    """Send exactly these bytes; return the status and the raw answer."""
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{hass.base}{path}", data=body, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def request_in_two_writes(
    hass: HassProcess,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    token: str | None = None,
    *,
    pause: float = 0.3,
) -> tuple[int, bytes]:
    """Send a request over a raw socket, its body in two writes ``pause`` apart.

    Clients and proxies split bodies: the head and the first half of the body go
    in one TCP write, the rest after the pause (Content-Length covers it all).
    Return the status and the raw answer.
    """
    headers = {**(headers or {}), "Content-Length": str(len(body))}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    head = f"{method} {path} HTTP/1.1\r\nHost: {hass.base.split('//')[1]}\r\n"
    head += "Connection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    host, port = hass.base.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        half = len(body) // 2
        sock.sendall(f"{head}\r\n".encode("latin-1") + body[:half])
        time.sleep(pause)
        sock.sendall(body[half:])
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return response.status, response.read()


def json_request(
    hass: HassProcess,
    method: str,
    path: str,
    payload: Any = None,
    token: str | None = None,
) -> tuple[int, Any]:
    """Send JSON with a token of choice (or none); return status and decoded body."""
    status, raw = raw_request(
        hass,
        method,
        path,
        None if payload is None else json.dumps(payload).encode(),
        {"Content-Type": "application/json"},
        token,
    )
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def ws_result(
    hass: HassProcess, command: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    """Run one websocket command and return its result message."""
    answers = hass.websocket_answers([command], token)
    return next(a for a in answers if a.get("type") in ("result", "auth_invalid"))


def create_user(
    hass: HassProcess,
    name: str,
    username: str,
    password: str,
    *,
    admin: bool,
    group: str | None = None,
) -> str:
    """Create a user with a password login, as the owner; return its user id.

    ``group`` overrides the admin or users group (``system-read-only``).
    """
    group = group or ("system-admin" if admin else "system-users")
    created = ws_result(
        hass,
        {
            "type": "config/auth/create",
            "name": name,
            "group_ids": [group],
            "local_only": False,
        },
    )
    assert created["success"], created
    user_id: str = created["result"]["user"]["id"]
    credentials = ws_result(
        hass,
        {
            "type": "config/auth_provider/homeassistant/create",
            "user_id": user_id,
            "username": username,
            "password": password,
        },
    )
    assert credentials["success"], credentials
    return user_id


def login(hass: HassProcess, username: str, password: str) -> str:
    """Log in through the login flow, as the frontend does; return an access token."""
    token: str = login_tokens(hass, username, password)["access_token"]
    return token


def login_tokens(hass: HassProcess, username: str, password: str) -> dict[str, Any]:
    """Log in through the login flow; return the tokens (access and refresh)."""
    client_id = f"{hass.base}/"
    status, flow = json_request(
        hass,
        "POST",
        "/auth/login_flow",
        {
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{hass.base}/?auth_callback=1",
        },
    )
    assert status == 200, flow
    status, done = json_request(
        hass,
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        {"client_id": client_id, "username": username, "password": password},
    )
    assert status == 200, done
    assert done["type"] == "create_entry", done
    form = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": done["result"],
            "client_id": client_id,
        }
    ).encode()
    status, raw = raw_request(
        hass,
        "POST",
        "/auth/token",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200, raw
    tokens: dict[str, Any] = json.loads(raw)
    return tokens


def add_subentry(
    hass: HassProcess, entry_id: str, kind: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Add a config subentry through its flow, over REST as the owner."""
    status, flow = hass.request(
        "POST",
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry_id, kind]},
    )
    assert status == 200, flow
    status, done = hass.request(
        "POST", f"/api/config/config_entries/subentries/flow/{flow['flow_id']}", data
    )
    assert status == 200, done
    assert done["type"] == "create_entry", done
    result: dict[str, Any] = done
    return result


def config_flow(
    process: HassProcess, handler: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Set up an integration through its config flow, as in the UI; its entry."""
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
