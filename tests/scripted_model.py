"""A scripted language model behind Ollama's HTTP API, on loopback.

Home Assistant's own ``ollama`` integration talks to it as to an Ollama server, so
a test drives Home Assistant's real conversation, AI task and LLM pipeline (tool
listing, tool calls, permission checks, chat logs) with only the model played.

The model is *gullible* on purpose: it obeys every line ``CALL <tool> <json>`` it
finds anywhere in what it is given (prompt, quoted data, instructions, tool
results), when a tool of that name (or ending in ``__<tool>``) is offered, once
per turn. That is what a prompt-injected model does; the tests then assert what it
was offered and what changed in the home. Every request is recorded.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import json
import re
import threading
from typing import Any

from aiohttp import web

MODEL = "scripted:latest"
_DIRECTIVE = re.compile(r"CALL (\S+) (\{[^{}]*\})")


@dataclass
class Chat:
    """One ``/api/chat`` request: the messages and the tools offered."""

    messages: list[dict[str, Any]]
    tools: list[str]
    format: Any = None

    @property
    def text(self) -> str:
        """Return everything the model was given, as one text."""
        return "\n".join(str(m.get("content") or "") for m in self.messages)

    @property
    def system(self) -> str:
        """Return the system prompt."""
        return "\n".join(
            str(m.get("content") or "") for m in self.messages if m["role"] == "system"
        )

    def calls_this_turn(self) -> list[str]:
        """Return the tools already called since the last user message."""
        called: list[str] = []
        for message in reversed(self.messages):
            if message["role"] == "user":
                break
            called.extend(
                c["function"]["name"] for c in message.get("tool_calls") or ()
            )
        return called


type Script = Callable[[Chat], dict[str, Any]]


def gullible(chat: Chat) -> dict[str, Any]:
    """Obey the first ``CALL`` directive not yet obeyed this turn; else answer."""
    done = chat.calls_this_turn()
    for name, arguments in _DIRECTIVE.findall(chat.text):
        tool = next(
            (t for t in chat.tools if t == name or t.endswith(f"__{name}")), None
        )
        if tool is not None and tool not in done:
            return {
                "tool_calls": [
                    {"function": {"name": tool, "arguments": json.loads(arguments)}}
                ]
            }
    if chat.format:
        return {"content": json.dumps({"facts": []})}
    last = chat.messages[-1]
    if last["role"] == "tool":
        return {"content": f"Tool said: {last.get('content')}"}
    return {"content": f"Answer to: {str(last.get('content'))[:200]}"}


@dataclass
class ScriptedModel:
    """The server; ``chats`` holds every request it answered, oldest first."""

    script: Script = gullible
    chats: list[Chat] = field(default_factory=list)
    # The next this many chats are refused with a 500 (a server restarting or
    # loading its model), and counted in ``refused``.
    failures: int = 0
    refused: int = 0
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    url: str = ""

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self._root)
        app.router.add_get("/api/tags", self._tags)
        app.router.add_post("/api/chat", self._chat)
        return app

    async def _root(self, _request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running")

    async def _tags(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "models": [
                    {
                        "name": MODEL,
                        "model": MODEL,
                        "modified_at": "2026-01-01T00:00:00Z",
                        "size": 1,
                        "digest": "0" * 64,
                        "details": {"family": "scripted"},
                    }
                ]
            }
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if self.failures > 0:
            self.failures -= 1
            self.refused += 1
            return web.json_response({"error": "model is loading"}, status=500)
        chat = Chat(
            messages=body.get("messages") or [],
            tools=[t["function"]["name"] for t in body.get("tools") or ()],
            format=body.get("format"),
        )
        self.chats.append(chat)
        message = {"role": "assistant", "content": "", **self.script(chat)}
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        stamp = {"model": MODEL, "created_at": "2026-01-01T00:00:00Z"}
        for chunk in (
            {**stamp, "message": message, "done": False},
            {
                **stamp,
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": "stop",
            },
        ):
            await response.write(json.dumps(chunk).encode() + b"\n")
        await response.write_eof()
        return response

    async def async_start(self, host: str = "127.0.0.1") -> str:
        """Serve on the running loop (in-process tests); return the base URL."""
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://{host}:{port}"
        return self.url

    async def async_stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> str:
        """Serve from a thread of its own (for a separate hass process)."""
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self.async_start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self.async_stop())
            self._loop.close()

        self._thread = threading.Thread(
            target=serve, name="scripted-model", daemon=True
        )
        self._thread.start()
        ready.wait(10)
        return self.url

    def stop_thread(self) -> None:
        """Stop the thread's server."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
