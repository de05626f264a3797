"""Start real Home Assistant processes and talk to them over HTTP only."""

import asyncio
from collections.abc import Callable
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import aiohttp

REPO = Path(__file__).resolve().parents[2]
DEV_CONFIG = REPO / "config" / "configuration.yaml"
FIXTURES = Path(__file__).parent / "fixtures"
HOST = "127.0.0.1"
START_TIMEOUT = 180


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class HassProcess:
    """A Home Assistant process on a config folder of its own."""

    def __init__(self, config_dir: Path, extra_yaml: str = "") -> None:
        self.config_dir = config_dir
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.token: str | None = None
        self.tokens: dict[str, Any] = {}
        self.client_id = ""
        self.process: subprocess.Popen[bytes] | None = None
        # Extra environment for the process, such as a shifted clock (clock.py).
        self.env: dict[str, str] = {}
        config_dir.mkdir(parents=True, exist_ok=True)
        components = config_dir / "custom_components"
        components.mkdir(exist_ok=True)
        for source in (
            REPO / "custom_components" / "dland_assistant",
            *FIXTURES.iterdir(),
        ):
            link = components / source.name
            if not link.exists():
                link.symlink_to(source, target_is_directory=True)
        yaml = DEV_CONFIG.read_text()
        # The port comes from SETUP_PORT: an http: block in YAML would be migrated
        # to a "pending" config that Home Assistant asks to confirm, and reverts.
        yaml += f"\n{extra_yaml}"
        (config_dir / "configuration.yaml").write_text(yaml)
        # What the dev configuration includes for the UI's automations, scripts
        # and scenes (scripts/develop makes the same).
        for name, empty in (
            ("automations.yaml", "[]"),
            ("scripts.yaml", "{}"),
            ("scenes.yaml", "[]"),
        ):
            if not (config_dir / name).exists():
                (config_dir / name).write_text(f"{empty}\n")

    @property
    def log(self) -> str:
        """Return what the process has logged so far."""
        path = self.config_dir / "process.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Start hass and wait until it answers HTTP."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["SETUP_PORT"] = str(self.port)
        env.update(self.env)
        with (self.config_dir / "process.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "homeassistant",
                    "--config",
                    str(self.config_dir),
                    "--skip-pip",
                ],
                cwd=self.config_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hass exited early:\n{self.log[-5000:]}")
            try:
                status, _ = self.request("GET", "/api/onboarding", auth=False)
            except OSError:
                status = 0
            if status == 200:
                return
            time.sleep(0.2)
        raise TimeoutError(f"hass did not start:\n{self.log[-5000:]}")

    def start_onboarded(self, *, long_lived_token: bool = False) -> HassProcess:
        """Start, create the owner, and wait for the integration; return self."""
        self.start()
        self.onboard()
        if long_lived_token:
            self.use_long_lived_token()
        self.wait_for_integration()
        return self

    def onboard(self) -> None:
        """Create the owner through onboarding and keep an access token."""
        client_id = f"{self.base}/"
        status, body = self.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": client_id,
                "name": "Owner",
                "username": "owner",
                "password": "test-pass-123",
                "language": "en",
            },
            auth=False,
        )
        assert status == 200, body
        form = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "code": body["auth_code"],
                "client_id": client_id,
            }
        ).encode()
        request = urllib.request.Request(
            f"{self.base}/auth/token", data=form, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            self.tokens = json.loads(response.read())
        self.token = self.tokens["access_token"]
        self.client_id = client_id

    def finish_onboarding(self) -> None:
        """Complete the remaining onboarding steps, as a person clicking through."""
        for step in ("core_config", "analytics"):
            status, body = self.request("POST", f"/api/onboarding/{step}", {})
            assert status == 200, body
        status, body = self.request(
            "POST",
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": f"{self.base}/?auth_callback=1",
            },
        )
        assert status == 200, body

    def wait_for_integration(self, timeout: float = 120) -> None:
        """Wait until the integration's services answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _ = self.call_service("list_tasks")
            if status == 200:
                return
            time.sleep(0.2)
        raise TimeoutError(f"dland_assistant did not load:\n{self.log[-5000:]}")

    def request(
        self, method: str, path: str, payload: Any = None, *, auth: bool = True
    ) -> tuple[int, Any]:
        """Send a JSON request; return the status and the decoded body."""
        data = None if payload is None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            f"{self.base}{path}", data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as err:
            raw = err.read()
            status = err.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def call_service(
        self, service: str, data: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Call a dland_assistant service with its response."""
        status, body = self.request(
            "POST",
            f"/api/services/dland_assistant/{service}?return_response",
            data or {},
        )
        if status == 200 and isinstance(body, dict):
            return status, body.get("service_response")
        return status, body

    def config_entry_id(self, domain: str) -> str:
        """Return the id of the first config entry of a domain."""
        status, body = self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        assert status == 200, body
        entry_id: str = body[0]["entry_id"]
        return entry_id

    def websocket_answers(
        self, commands: list[dict[str, Any]], token: str | None = None
    ) -> list[dict[str, Any]]:
        """Run websocket commands as the token's user (the owner by default).

        Returns every message received: the failed authentication alone, or each
        command's result (and a subscription's first event).
        """

        async def talk() -> list[dict[str, Any]]:
            answers: list[dict[str, Any]] = []
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(f"{self.base}/api/websocket") as ws,
            ):
                hello = await ws.receive_json(timeout=30)
                assert hello["type"] == "auth_required", hello
                access = self.token if token is None else token
                await ws.send_json({"type": "auth", "access_token": access or ""})
                auth = await ws.receive_json(timeout=30)
                if auth["type"] != "auth_ok":
                    return [auth]
                for number, command in enumerate(commands, start=1):
                    await ws.send_json({"id": number, **command})
                    while True:
                        message = await ws.receive_json(timeout=60)
                        answers.append(message)
                        if message.get("id") != number:
                            continue
                        if message["type"] == "result" and not message["success"]:
                            break
                        # A subscription answers with a result, then its first event.
                        if message["type"] == "event" or not command["type"].endswith(
                            "subscribe"
                        ):
                            break
            return answers

        return asyncio.run(talk())

    def websocket(self, *commands: dict[str, Any]) -> list[Any]:
        """Run websocket commands as the owner; return their results (or raise)."""
        answers = self.websocket_answers(list(commands))
        results = [answer for answer in answers if answer.get("type") == "result"]
        assert len(results) == len(commands), answers
        for result in results:
            assert result["success"], result
        return [result["result"] for result in results]

    def use_long_lived_token(self) -> None:
        """Swap the 30-minute onboarding token for a ten-year one.

        Tests that move the process's clock by hours or months need it, as a person
        would create one in their profile.
        """
        [token] = self.websocket(
            {
                "type": "auth/long_lived_access_token",
                "client_name": "e2e",
                "lifespan": 3650,
            }
        )
        self.token = token

    def set_options(self, **changes: Any) -> None:
        """Change the integration's options through its options flow, as in the UI."""
        status, form = self.request(
            "POST",
            "/api/config/config_entries/options/flow",
            {"handler": self.config_entry_id("dland_assistant")},
        )
        assert status == 200, form
        values = {
            field["name"]: field["description"]["suggested_value"]
            for field in form["data_schema"]
            if "suggested_value" in field.get("description") or {}
        }
        status, result = self.request(
            "POST",
            f"/api/config/config_entries/options/flow/{form['flow_id']}",
            {**values, **changes},
        )
        assert status == 200, result
        assert result["type"] == "create_entry", result
        self.wait_for_integration()  # options apply by reloading the entry

    def kill(self) -> None:
        """SIGKILL the process, as a crash or power cut would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the process gracefully (SIGTERM), or kill it if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
