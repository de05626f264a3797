"""Delivery: results reach the right person on the right channel, or say why not."""

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)

from custom_components.dland_assistant.const import DOMAIN
from homeassistant.components import persistent_notification
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .conftest import RecordingAgent, add_phone_recipient, add_subentry, call, settle


@pytest.fixture
def dan(hass: HomeAssistant, hass_admin_user: Any) -> str:
    """A person linked to the admin user."""
    hass.states.async_set(
        "person.dan", "home", {"friendly_name": "Dan", "user_id": hass_admin_user.id}
    )
    return "person.dan"


async def _run(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    task_id = (
        await call(hass, "schedule_task", {"prompt": "Hi", "cron": "0 0 1 1 *", **data})
    )["task_id"]
    await call(hass, "run_task", {"task_id": task_id})
    await settle(hass)
    executions = (await call(hass, "get_executions", {"task_id": task_id}))[
        "executions"
    ]
    return executions[0]


async def test_result_goes_to_the_users_default_channel(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str, hass_admin_user: Any
) -> None:
    """A run for a user (by person or user id) reaches their default channel."""
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()
    execution = await _run(hass, user=dan, name="Morning")
    assert execution["delivery"] == {
        "channel": "mobile_app",
        "target": "notify.mobile_app_dans_phone",
        "status": "sent",
        "error": None,
    }
    assert phone[0].data == {"message": "Done: Hi", "title": "Morning"}
    # The user id finds the same person.
    await _run(hass, user=hass_admin_user.id)
    assert len(phone) == 2


async def test_platform_picks_the_channel(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """A task's platform overrides the default: a notify entity and a TTS speaker."""
    hass.states.async_set("notify.telegram_dan", "unknown")
    sent = async_mock_service(hass, "notify", "send_message")
    spoken = async_mock_service(hass, "tts", "speak")
    add_subentry(
        hass,
        entry,
        "recipient",
        "Dan",
        {
            "person": dan,
            "default_channel": "persistent_notification",
            "telegram": "notify.telegram_dan",
            "tts": "media_player.kitchen",
            "tts_engine": "tts.piper",
        },
    )
    await hass.async_block_till_done()
    execution = await _run(hass, user=dan, platform="telegram")
    assert execution["delivery"]["status"] == "sent"
    assert sent[0].data["entity_id"] == "notify.telegram_dan"
    assert sent[0].data["message"] == "Done: Hi"
    execution = await _run(hass, user=dan, platform="tts")
    assert execution["delivery"]["target"] == "media_player.kitchen"
    assert spoken[0].data["media_player_entity_id"] == "media_player.kitchen"
    assert spoken[0].data["entity_id"] == "tts.piper"


async def test_failed_delivery_is_tried_three_times_then_recorded(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """A failing channel is tried three times; the run itself still succeeded (its
    agent is not asked again), and a repair issue names the channel."""
    attempts: list[ServiceCall] = []

    async def broken(call_: ServiceCall) -> None:
        attempts.append(call_)
        raise HomeAssistantError("phone unreachable")

    hass.services.async_register("notify", "mobile_app_dans_phone", broken)
    add_subentry(
        hass,
        entry,
        "recipient",
        "Dan",
        {
            "person": dan,
            "default_channel": "mobile_app",
            "mobile_app": "notify.mobile_app_dans_phone",
        },
    )
    await hass.async_block_till_done()
    execution = await _run(hass, user=dan)
    assert len(attempts) == 3
    assert execution["status"] == "succeeded"
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, "delivery_failed_mobile_app_notify_mobile_app_dans_phone"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["channel"] == "mobile_app"
    assert execution["delivery"] == {
        "channel": "mobile_app",
        "target": "notify.mobile_app_dans_phone",
        "status": "failed",
        "error": "phone unreachable",
    }


async def test_unconfigured_channel_fails_delivery(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """Asking for a channel the person lacks, or having no recipient, is recorded."""
    add_subentry(
        hass,
        entry,
        "recipient",
        "Dan",
        {"person": dan, "default_channel": "persistent_notification"},
    )
    await hass.async_block_till_done()
    execution = await _run(hass, user=dan, platform="whatsapp")
    assert execution["delivery"]["status"] == "failed"
    assert execution["delivery"]["error"] == "person.dan has no whatsapp channel"
    execution = await _run(hass, user=dan, platform="tts")
    assert execution["delivery"]["error"] == "person.dan has no TTS player and engine"
    hass.states.async_set("person.stranger", "not_home")
    execution = await _run(hass, user="person.stranger", platform="sms")
    assert execution["delivery"]["error"] == "No recipient is set up for channel sms"


async def test_without_recipient_a_persistent_notification_is_shown(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """With nobody to deliver to, the result shows up in Home Assistant."""
    execution = await _run(hass, name="Briefing")
    assert execution["delivery"]["channel"] == "persistent_notification"
    assert execution["delivery"]["status"] == "sent"
    notifications = persistent_notification._async_get_or_create_notifications(hass)
    assert [(n["title"], n["message"]) for n in notifications.values()] == [
        ("Briefing", "Done: Hi")
    ]


async def test_deliver_false_sends_nothing(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """deliver: false keeps the result in the log only."""
    execution = await _run(hass, deliver=False)
    assert execution["delivery"] is None
    assert persistent_notification._async_get_or_create_notifications(hass) == {}


async def test_reminder_delivers_its_text_without_an_agent(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent, dan: str
) -> None:
    """A reminder is delivered as written; failing to deliver it fails the run."""
    phone = add_phone_recipient(hass, entry, dan)
    await hass.async_block_till_done()
    execution = await _run(
        hass, user=dan, action="remind", prompt="Call mum", name="Call mum"
    )
    assert test_agent.calls == []
    assert execution["status"] == "succeeded"
    assert execution["response"] == "Call mum"
    # Titled as what it is, not with its own text again.
    assert phone[0].data == {"message": "Call mum", "title": "Reminder"}
    execution = await _run(hass, user=dan, action="remind", platform="sms")
    assert execution["status"] == "failed"
    assert execution["error"] == "Delivery failed: person.dan has no sms channel"


async def test_unknown_channel_is_rejected(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A platform that is no channel is refused before anything is stored."""
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "schedule_task",
            {"prompt": "x", "in": {"hours": 1}, "platform": "pigeon"},
        )
    assert err.value.translation_key == "unknown_channel"
    assert (await call(hass, "list_tasks"))["tasks"] == []


async def _recipient_flow(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


async def test_recipient_flow_validates_and_creates(
    hass: HomeAssistant, entry: MockConfigEntry, dan: str
) -> None:
    """The recipient form checks targets and creates the mapping."""
    async_mock_service(hass, "notify", "mobile_app_dans_phone")
    result = await _recipient_flow(
        hass,
        entry,
        {
            "person": dan,
            "default_channel": "telegram",
            "mobile_app": "notify.nothing",
            "tts": "media_player.kitchen",
        },
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {
        "mobile_app": "unknown_notify_target",
        "default_channel": "default_channel_not_set",
        "tts_engine": "tts_engine_required",
    }
    result = await _recipient_flow(
        hass,
        entry,
        {
            "person": dan,
            "default_channel": "mobile_app",
            "mobile_app": "notify.mobile_app_dans_phone",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Dan"
    await hass.async_block_till_done()
    result = await _recipient_flow(
        hass, entry, {"person": dan, "default_channel": "persistent_notification"}
    )
    assert result["errors"] == {"person": "person_taken"}
    # Editing keeps the person and changes the channel.
    [subentry_id] = [
        s for s, sub in entry.subentries.items() if sub.subentry_type == "recipient"
    ]
    result = await entry.start_subentry_reconfigure_flow(hass, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"person": dan, "default_channel": "persistent_notification"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert (
        entry.subentries[subentry_id].data["default_channel"]
        == "persistent_notification"
    )


async def test_empty_platform_means_the_default_channel(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """An empty platform (as automations send it) is no platform, as for wakeups."""
    created = await call(
        hass, "schedule_task", {"prompt": "x", "in": {"hours": 1}, "platform": ""}
    )
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert task["task_id"] == created["task_id"]
    assert task["platform"] is None


async def test_recipient_channels_are_picked_from_what_exists(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The channel fields offer notify entities and notify actions to pick."""
    async_mock_service(hass, "notify", "mobile_app_dans_phone")
    hass.states.async_set("notify.telegram_dan", "unknown", {"friendly_name": "Dan"})
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    field = next(
        key for key in result["data_schema"].schema if str(key) == "mobile_app"
    )
    config = result["data_schema"].schema[field].config
    assert config["custom_value"] is True
    assert {option["value"] for option in config["options"]} == {
        "notify.telegram_dan",
        "notify.mobile_app_dans_phone",
    }
