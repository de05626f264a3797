"""The dashboard card's file and its live websocket view."""

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.dland_assistant.card import CARD_URL
from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant

from .conftest import RecordingAgent, add_subentry, call, settle


async def test_card_file_is_served(
    hass: HomeAssistant, entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The card's module is served by the integration."""
    client = await hass_client()
    response = await client.get(CARD_URL)
    assert response.status == 200
    body = await response.text()
    assert "dland-assistant-card" in body
    assert "dland_assistant/subscribe" in body


async def test_subscription_pushes_every_change(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Tasks, routines, runs and the breaker arrive now and after each change."""
    add_subentry(
        hass,
        entry,
        "routine",
        "Audit",
        {"builtin": "audit", "schedule": "interval", "interval": 60, "enabled": True},
    )
    await settle(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "dland_assistant/subscribe"})
    assert (await client.receive_json())["success"]
    first: dict[str, Any] = (await client.receive_json())["event"]
    assert first["tasks"] == []
    assert [r["name"] for r in first["routines"]] == ["Audit"]
    assert first["breaker"] == {"state": "closed", "trips": 0, "agents": {}}

    created = await call(
        hass,
        "schedule_task",
        {
            "prompt": "brief me",
            "cron": "0 7 * * *",
            "name": "Briefing",
            "agent": persona,
        },
    )
    await settle(hass)
    view: dict[str, Any] = (await client.receive_json())["event"]
    [task] = view["tasks"]
    assert (task["name"], task["schedule"], task["agent"]) == (
        "Briefing",
        "At 07:00",
        "Nikki",
    )

    await call(hass, "run_task", {"task_id": created["task_id"]})
    await settle(hass)
    latest = view
    while not latest["executions"] or latest["executions"][0]["status"] != "succeeded":
        latest = (await client.receive_json())["event"]
    run = latest["executions"][0]
    assert run["name"] == "Briefing"
    assert run["response"] == "Done: brief me"
    assert run["duration"] is not None

    await call(hass, "set_routine_enabled", {"routine": "Audit", "enabled": False})
    await settle(hass)
    while latest["routines"][0]["enabled"]:
        latest = (await client.receive_json())["event"]
    assert latest["routines"][0]["next_run"] is None


async def test_card_is_added_to_the_frontend(
    hass: HomeAssistant, config_dir: Any, test_agent: RecordingAgent
) -> None:
    """With the frontend running, every dashboard loads the card's module."""
    from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, "dland_assistant", {"dland_assistant": {}})
    await hass.async_block_till_done()
    urls = hass.data[DATA_EXTRA_MODULE_URL].urls
    assert any(url.startswith(f"{CARD_URL}?v=") for url in urls)


async def test_subscription_needs_the_integration_loaded(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Subscribing while the entry is unloaded is a clear error."""
    await hass.config_entries.async_unload(entry.entry_id)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "dland_assistant/subscribe"})
    response = await client.receive_json()
    assert not response["success"]
    assert response["error"]["code"] == "not_loaded"


async def test_a_household_member_sees_their_own(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    hass_admin_user: User,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Not an admin: their own tasks and runs, no routines, no error."""
    add_subentry(
        hass,
        entry,
        "routine",
        "Audit",
        {"builtin": "audit", "schedule": "interval", "interval": 60, "enabled": True},
    )
    liz = await hass.auth.async_create_user("Liz", group_ids=["system-users"])
    refresh = await hass.auth.async_create_refresh_token(liz, "https://example.com/")
    for name, user in (("Owner's", hass_admin_user), ("Liz's", liz)):
        await hass.services.async_call(
            "dland_assistant",
            "schedule_task",
            {"prompt": name, "name": name, "in": {"hours": 1}},
            blocking=True,
            return_response=True,
            context=Context(user_id=user.id),
        )
    await hass.services.async_call(
        "dland_assistant",
        "wakeup",
        {"agent": test_agent.agent_id, "prompt": "the owner's run"},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    await settle(hass)
    client = await hass_ws_client(hass, hass.auth.async_create_access_token(refresh))
    await client.send_json_auto_id({"type": "dland_assistant/subscribe"})
    assert (await client.receive_json())["success"]
    view: dict[str, Any] = (await client.receive_json())["event"]
    assert [task["name"] for task in view["tasks"]] == ["Liz's"]
    assert view["routines"] == []
    assert view["executions"] == []
    assert view["admin"] is False
    assert (view["running"], view["failed_24h"]) == (0, 0)


async def test_view_says_schedules_in_the_callers_language(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A card whose user reads German gets the schedules in German; without a
    language, in Home Assistant's (English here)."""
    await call(
        hass,
        "schedule_task",
        {"prompt": "bins", "cron": "30 7 * * *", "name": "Bins", "action": "remind"},
    )
    await settle(hass)
    client = await hass_ws_client(hass)
    schedules = {}
    for language in ("de", None):
        await client.send_json_auto_id(
            {"type": "dland_assistant/subscribe"}
            | ({"language": language} if language else {})
        )
        assert (await client.receive_json())["success"]
        view = (await client.receive_json())["event"]
        [task] = view["tasks"]
        schedules[language] = task["schedule"]
    assert schedules == {"de": "Um 07:30", None: "At 07:30"}
