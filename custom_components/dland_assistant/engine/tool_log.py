"""The tools an agent called during a run, from Home Assistant's chat logs.

Every conversation and AI task run through Home Assistant's LLM pipeline writes
its tool calls and their results to a chat log, and the conversation integration
tells subscribers about each tool's result as it is added, synchronously, in the
task that runs the agent (the call's arguments are read from that chat log). A
run sets its own ``ToolLog`` in a context variable, so the one subscriber finds
the run a result belongs to however many runs go at once (and whatever
conversation id the agent chose).

Bounded: at most MAX_CALLS calls per run, each argument and result cut to
MAX_TEXT characters of JSON.
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
import json
from typing import Any, Final

from homeassistant.components.conversation.chat_log import (
    AssistantContent,
    async_subscribe_chat_logs,
    current_chat_log,
)
from homeassistant.components.conversation.const import ChatLogEventType
from homeassistant.core import HomeAssistant, callback

MAX_CALLS: Final = 50
MAX_TEXT: Final = 2000

_current: ContextVar[ToolLog | None] = ContextVar("dland_tool_log", default=None)


def _cut(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


@dataclass(slots=True)
class ToolLog:
    """The tool calls of one run, in the order their results came."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0

    def called(self, tool: str, arguments: Any, result: dict[str, Any]) -> None:
        """Note a call the agent made, and what the tool answered."""
        if len(self.calls) >= MAX_CALLS:
            self.dropped += 1
            return
        self.calls.append(
            {
                "tool": tool,
                "arguments": _cut(arguments),
                "result": _cut(result.get("data")),
                "error": bool(result.get("error")),
            }
        )

    def as_json(self) -> str | None:
        """Return the calls as stored (None when there were none)."""
        if not self.calls:
            return None
        return json.dumps(
            {"calls": self.calls, "dropped": self.dropped}, ensure_ascii=False
        )


def start_tool_log() -> ToolLog:
    """Give the run being done in this task (and tasks it starts) a tool log."""
    log = ToolLog()
    _current.set(log)
    return log


def end_tool_log() -> None:
    """End the run's tool log here: tasks started from now on keep none alive."""
    _current.set(None)


def _arguments(call_id: str) -> Any:
    """Return a call's arguments, from the chat log being written in this task."""
    chat_log = current_chat_log.get()
    for content in reversed(chat_log.content if chat_log else ()):
        if isinstance(content, AssistantContent):
            for tool_call in content.tool_calls or ():
                if tool_call.id == call_id:
                    return tool_call.tool_args
    return None


@callback
def _on_chat_log(_conversation_id: str, kind: str, data: dict[str, Any]) -> None:
    # The pipeline announces each tool's result (with the call's id and the
    # tool's name); the call itself is read from the chat log.
    if kind != ChatLogEventType.CONTENT_ADDED or (log := _current.get()) is None:
        return
    content = data.get("content") or {}
    if content.get("role") == "tool_result":
        log.called(
            content["tool_name"],
            _arguments(content["tool_call_id"]),
            content.get("result") or {},
        )


@callback
def async_follow_tool_calls(hass: HomeAssistant) -> Callable[[], None]:
    """Listen to Home Assistant's chat logs; return how to stop."""
    return async_subscribe_chat_logs(hass, _on_chat_log)
