"""A run opens to what it did: its answer, who it acted as, and each tool call."""

import json
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dland_assistant.const import DOMAIN
from custom_components.dland_assistant.engine import tool_log
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import add_ollama, call, runtime, settle
from .scripted_model import ScriptedModel

HALL = "input_boolean.hall_light"


async def _run_with_a_tool_call(
    hass: HomeAssistant, entry: MockConfigEntry, model: ScriptedModel
) -> dict[str, Any]:
    """Run a task whose (scripted) model switches the hall light on by a tool."""
    ollama = await add_ollama(hass, model)
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"hall_light": {"name": "Hall"}}}
    )
    async_expose_entity(hass, "conversation", HALL, True)
    task_id = (
        await call(
            hass,
            "schedule_task",
            {
                "agent": ollama.conversation,
                "name": "Evening",
                "prompt": 'Light the hall. CALL HassTurnOn {"name": "Hall"}',
                "cron": "0 0 1 1 *",
            },
        )
    )["task_id"]
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    [execution] = (await call(hass, "get_executions", {"task_id": task_id}))[
        "executions"
    ]
    return dict(execution)


async def test_a_run_keeps_the_tools_its_agent_called(
    hass: HomeAssistant, entry: MockConfigEntry, scripted_model: ScriptedModel
) -> None:
    """Home Assistant's real LLM pipeline: the model's call of HassTurnOn, its
    arguments and the result are stored with the run, and the hall is lit."""
    execution = await _run_with_a_tool_call(hass, entry, scripted_model)
    assert execution["status"] == "succeeded"
    assert hass.states.get(HALL).state == "on"  # type: ignore[union-attr]
    [called] = execution["tool_calls"]["calls"]
    assert called["tool"].endswith("HassTurnOn")
    assert json.loads(called["arguments"]) == {"name": "Hall"}
    assert called["error"] is False
    assert "Hall" in called["result"]
    assert execution["tool_calls"]["dropped"] == 0
    assert execution["acting_user"] == runtime(entry).identities.assistant


async def test_the_details_of_a_run_for_its_owner_only(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    scripted_model: ScriptedModel,
    hass_ws_client: Any,
    hass_read_only_access_token: str,
) -> None:
    """An admin opens the run to its full answer and tool calls; another user
    is told there is no such run."""
    execution = await _run_with_a_tool_call(hass, entry, scripted_model)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": f"{DOMAIN}/execution", "execution_id": execution["execution_id"]}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    details = answer["result"]
    assert details["name"] == "Evening"
    assert details["response"] == execution["response"]
    assert details["tool_calls"] == execution["tool_calls"]
    assert details["trust"] == "trusted"
    assert details["attempt"] == 1
    assert details["acting_user_name"]
    await client.close()

    stranger = await hass_ws_client(hass, hass_read_only_access_token)
    await stranger.send_json_auto_id(
        {"type": f"{DOMAIN}/execution", "execution_id": execution["execution_id"]}
    )
    refused = await stranger.receive_json()
    assert not refused["success"]
    assert refused["error"]["translation_key"] == "unknown_execution"
    await stranger.close()


def test_the_tool_log_is_bounded() -> None:
    """At most 50 calls are kept (the rest counted), each cut to 2,000 characters."""
    log = tool_log.ToolLog()
    for _ in range(60):
        log.called(
            "GetLiveContext",
            {"text": "x" * 5000},
            {"data": {"text": "y" * 5000}, "error": False},
        )
    stored = json.loads(log.as_json() or "")
    assert len(stored["calls"]) == tool_log.MAX_CALLS
    assert stored["dropped"] == 10
    assert max(len(call["arguments"]) for call in stored["calls"]) == tool_log.MAX_TEXT
    assert max(len(call["result"]) for call in stored["calls"]) == tool_log.MAX_TEXT
    assert tool_log.ToolLog().as_json() is None
