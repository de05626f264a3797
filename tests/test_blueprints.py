"""The shipped automation blueprints, loaded by Home Assistant from the config."""

from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_fire_time_changed,
    mock_integration,
    mock_platform,
)

from custom_components.dland_assistant.blueprint_installer import SHIPPED
from homeassistant.components import conversation, notify
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint import Blueprint
from homeassistant.config_entries import ConfigEntry, ConfigFlow
from homeassistant.const import Platform
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict

from .conftest import RecordingAgent, add_phone_recipient, call, settle

BLUEPRINTS = {
    "voice_reminder": "Voice reminder",
    "doorbell_ask_agent": "Ask an agent when the doorbell rings",
    "notify_task_failed": "Notify me when a background task fails",
    "morning_briefing": "Morning briefing",
}
SOURCE = "https://github.com/dland/dland_assistant/blob/main/blueprints/automation/dland_assistant"
DOORBELL_PROMPT = (
    "Someone is at the door. Tell me who might be there and what I should do."
)
BRIEFING_PROMPT = (
    "Give me a short briefing for the day: weather, calendar, anything that needs "
    "my attention."
)


@pytest.fixture(autouse=True)
async def stop_automations(hass: HomeAssistant) -> AsyncGenerator[None]:
    """Turn the automations off after each test: time triggers leave timers."""
    yield
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def _use_blueprint(
    hass: HomeAssistant, blueprint: str, inputs: dict[str, Any]
) -> None:
    """Set up one automation from a blueprint in the config folder; assert it is on."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": blueprint,
                    "alias": blueprint,
                    "use_blueprint": {
                        "path": f"dland_assistant/{blueprint}.yaml",
                        "input": inputs,
                    },
                }
            ]
        },
    )
    await hass.async_block_till_done()
    # A blueprint that fails validation gives no automation, or an unavailable one.
    state = hass.states.get(f"automation.{blueprint}")
    assert state is not None
    assert state.state == "on"


async def test_blueprints_are_installed_and_valid(
    hass: HomeAssistant, entry: MockConfigEntry, config_dir: Path
) -> None:
    """Set-up copies the four blueprints; Home Assistant loads them without errors."""
    folder = config_dir / "blueprints" / "automation" / "dland_assistant"
    assert sorted(path.stem for path in folder.glob("*.yaml")) == sorted(BLUEPRINTS)
    for path in folder.glob("*.yaml"):
        assert path.read_bytes() == (SHIPPED / path.name).read_bytes()
    assert await async_setup_component(hass, "automation", {})
    loaded = await async_get_blueprints(hass).async_get_blueprints()
    for stem, name in BLUEPRINTS.items():
        blueprint = loaded[f"dland_assistant/{stem}.yaml"]
        assert isinstance(blueprint, Blueprint), blueprint
        assert blueprint.name == name
        assert blueprint.domain == "automation"
        assert blueprint.metadata["source_url"] == f"{SOURCE}/{stem}.yaml"
        assert blueprint.metadata.get("description")
        raw = load_yaml_dict(str(folder / f"{stem}.yaml"))
        assert raw["mode"]


# Voice reminder


async def _say(hass: HomeAssistant, text: str, user_id: str | None = None) -> str:
    result = await conversation.async_converse(
        hass,
        text,
        None,
        Context(user_id=user_id),
        language="en",
        agent_id=conversation.HOME_ASSISTANT_AGENT,
    )
    await settle(hass)
    speech: str = result.response.speech["plain"]["speech"]
    return speech


async def _reminders(hass: HomeAssistant) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = (await call(hass, "list_tasks"))["tasks"]
    return tasks


def _assert_due_in(task: dict[str, Any], now: datetime, minutes: int) -> None:
    next_run = dt_util.parse_datetime(task["next_run"])
    assert next_run is not None
    assert abs(next_run - (now + timedelta(minutes=minutes))) < timedelta(seconds=2)


async def test_voice_reminder(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The spoken sentence stores a reminder for the speaker and answers."""
    freezer.move_to("2026-11-30 09:00:00+00:00")
    now = dt_util.utcnow()
    await _use_blueprint(hass, "voice_reminder", {})

    speech = await _say(hass, "remind me to water the plants in 5 minutes")
    # The blueprint answered, not the integration's own reminder sentences.
    assert speech == "I'll remind you to water the plants in 5 minutes."
    [task] = await _reminders(hass)
    assert task["prompt"] == "water the plants"
    assert task["name"] == "water the plants"
    assert task["action"] == "remind"
    assert task["kind"] == "once"
    assert task["user"] is None
    assert task["platform"] is None
    _assert_due_in(task, now, 5)

    # The other word order, a number in words, and the speaker as the user.
    speech = await _say(
        hass, "Remind me in one minute to check the oven", hass_admin_user.id
    )
    assert speech == "I'll remind you to check the oven in 1 minute."
    [task] = [t for t in await _reminders(hass) if t["prompt"] == "check the oven"]
    assert task["user"] == hass_admin_user.id
    assert task["action"] == "remind"
    _assert_due_in(task, now, 1)

    # What is not a number of minutes stores nothing.
    speech = await _say(hass, "remind me in several minutes to call mum")
    assert speech.startswith("Sorry")
    assert len(await _reminders(hass)) == 2


async def test_voice_reminder_platform_and_delivery(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A chosen channel is stored with the reminder, which is delivered on time."""
    freezer.move_to("2026-11-30 09:00:00+00:00")
    await _use_blueprint(
        hass, "voice_reminder", {"platform": "persistent_notification"}
    )
    speech = await _say(hass, "remind me to take the bins out in 2 minutes")
    assert speech == "I'll remind you to take the bins out in 2 minutes."
    [task] = await _reminders(hass)
    assert task["platform"] == "persistent_notification"

    freezer.tick(timedelta(minutes=2, seconds=1))
    async_fire_time_changed(hass)
    await settle(hass)
    [execution] = (await call(hass, "get_executions", {"task_id": task["task_id"]}))[
        "executions"
    ]
    assert execution["status"] == "succeeded"
    assert execution["delivery"]["channel"] == "persistent_notification"
    assert execution["delivery"]["status"] == "sent"


# Doorbell


async def test_doorbell_binary_sensor_wakes_the_agent(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Off to on wakes the agent; on to off, unavailable to on and attributes do not."""
    doorbell = "binary_sensor.front_door"
    attributes = {"friendly_name": "Front door"}
    hass.states.async_set(doorbell, "off", attributes)
    await _use_blueprint(
        hass,
        "doorbell_ask_agent",
        {"doorbell": doorbell, "agent": test_agent.agent_id},
    )

    hass.states.async_set(doorbell, "on", attributes)
    await settle(hass)
    assert len(test_agent.calls) == 1
    text = test_agent.calls[0].text
    assert text.startswith(DOORBELL_PROMPT)
    assert "Front door" in text
    assert str(dt_util.now().year) in text  # The time of the ring.

    hass.states.async_set(doorbell, "on", {**attributes, "battery": 90})
    hass.states.async_set(doorbell, "off", attributes)
    hass.states.async_set(doorbell, "unavailable", attributes)
    hass.states.async_set(doorbell, "on", attributes)
    hass.states.async_set(doorbell, "unknown", attributes)
    hass.states.async_set(doorbell, "on", attributes)
    await settle(hass)
    assert len(test_agent.calls) == 1

    hass.states.async_set(doorbell, "off", attributes)
    hass.states.async_set(doorbell, "on", attributes)
    await settle(hass)
    assert len(test_agent.calls) == 2
    executions = (await call(hass, "get_executions"))["executions"]
    assert [e["source"] for e in executions] == ["wakeup", "wakeup"]
    assert all(e["status"] == "succeeded" for e in executions)


async def test_doorbell_event_entity(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
) -> None:
    """An event entity rings with each new event, not when it comes back."""
    doorbell = "event.doorbell_ring"
    hass.states.async_set(doorbell, "unknown", {"friendly_name": "Doorbell ring"})
    await _use_blueprint(
        hass,
        "doorbell_ask_agent",
        {"doorbell": doorbell, "agent": persona, "prompt": "Who is it?"},
    )
    first = "2026-11-30T10:00:00.000+00:00"
    hass.states.async_set(doorbell, first, {"event_type": "ring"})
    await settle(hass)
    assert len(test_agent.calls) == 1
    assert test_agent.calls[0].text.startswith("Who is it?")

    hass.states.async_set(doorbell, "unavailable")
    hass.states.async_set(doorbell, first, {"event_type": "ring"})
    await settle(hass)
    assert len(test_agent.calls) == 1

    hass.states.async_set(
        doorbell, "2026-11-30T10:05:00.000+00:00", {"event_type": "ring"}
    )
    await settle(hass)
    assert len(test_agent.calls) == 2


async def test_doorbell_person_and_platform(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    hass_admin_user: Any,
) -> None:
    """The answer goes to the chosen person, on the chosen channel when one is set."""
    hass.states.async_set(
        "person.dan", "home", {"friendly_name": "Dan", "user_id": hass_admin_user.id}
    )
    phone = add_phone_recipient(hass, entry)
    await hass.async_block_till_done()
    hass.states.async_set("binary_sensor.back_door", "off")
    hass.states.async_set("binary_sensor.side_door", "off")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": "back",
                    "use_blueprint": {
                        "path": "dland_assistant/doorbell_ask_agent.yaml",
                        "input": {
                            "doorbell": "binary_sensor.back_door",
                            "agent": test_agent.agent_id,
                            "person": "person.dan",
                        },
                    },
                },
                {
                    "alias": "side",
                    "use_blueprint": {
                        "path": "dland_assistant/doorbell_ask_agent.yaml",
                        "input": {
                            "doorbell": "binary_sensor.side_door",
                            "agent": test_agent.agent_id,
                            "person": "person.dan",
                            "platform": "persistent_notification",
                        },
                    },
                },
            ]
        },
    )
    await hass.async_block_till_done()

    hass.states.async_set("binary_sensor.back_door", "on")
    await settle(hass)
    assert len(phone) == 1  # Dan's default channel.
    assert phone[0].data["message"].startswith(f"Done: {DOORBELL_PROMPT}")

    hass.states.async_set("binary_sensor.side_door", "on")
    await settle(hass)
    assert len(test_agent.calls) == 2
    assert len(phone) == 1
    [latest, _] = (await call(hass, "get_executions"))["executions"]
    assert latest["delivery"]["channel"] == "persistent_notification"
    assert latest["delivery"]["status"] == "sent"


# Failed task notifications


class RecordingNotifyEntity(notify.NotifyEntity):
    """A notify entity that keeps what it is sent."""

    _attr_name = "Dan's phone"
    _attr_unique_id = "dans_phone"
    _attr_supported_features = notify.NotifyEntityFeature.TITLE

    def __init__(self) -> None:
        self.sent: list[tuple[str | None, str]] = []

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Record the message."""
        self.sent.append((title, message))


class _TestNotifyFlow(ConfigFlow, domain="test_notify"):
    """Makes test_notify a config entry integration."""

    VERSION = 1


async def _notify_entity(hass: HomeAssistant) -> RecordingNotifyEntity:
    """Set up a real notify entity through a test integration's entry."""
    entity = RecordingNotifyEntity()

    async def setup_entry(hass: HomeAssistant, config_entry: ConfigEntry) -> bool:
        await hass.config_entries.async_forward_entry_setups(
            config_entry, [Platform.NOTIFY]
        )
        return True

    async def setup_platform(
        hass: HomeAssistant, _: ConfigEntry, add: AddConfigEntryEntitiesCallback
    ) -> None:
        add([entity])

    mock_integration(hass, MockModule("test_notify", async_setup_entry=setup_entry))
    mock_platform(
        hass, "test_notify.notify", MockPlatform(async_setup_entry=setup_platform)
    )
    mock_platform(hass, "test_notify.config_flow")
    notify_entry = MockConfigEntry(domain="test_notify")
    notify_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(notify_entry.entry_id)
    await hass.async_block_till_done()
    assert entity.entity_id == "notify.dan_s_phone"
    return entity


async def _wakeup_and_wait(hass: HomeAssistant, agent: str) -> dict[str, Any]:
    result: dict[str, Any] = await call(
        hass, "wakeup", {"agent": agent, "prompt": "Check the backups", "wait": True}
    )
    await settle(hass)
    return result


async def test_notify_task_failed(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A failed run sends the task's name and error; a succeeded run sends nothing."""
    phone = await _notify_entity(hass)
    await _use_blueprint(hass, "notify_task_failed", {"notify_entity": phone.entity_id})

    result = await _wakeup_and_wait(hass, test_agent.agent_id)
    assert result["status"] == "succeeded"
    assert phone.sent == []

    async def broken(_: conversation.ConversationInput) -> str:
        raise RuntimeError("the model is on fire")

    test_agent.behaviour = broken
    result = await _wakeup_and_wait(hass, test_agent.agent_id)
    assert result["status"] == "failed"
    assert len(phone.sent) == 1
    title, message = phone.sent[0]
    assert title == "dland assistant"
    assert message.startswith("Wakeup from service failed: ")
    assert "the model is on fire" in message
    assert result["error"] in message


async def test_notify_task_failed_statuses(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Only the chosen statuses notify; a scheduled task is named by its name."""
    phone = await _notify_entity(hass)
    await _use_blueprint(
        hass,
        "notify_task_failed",
        {"notify_entity": phone.entity_id, "statuses": ["abandoned"]},
    )

    async def broken(_: conversation.ConversationInput) -> str:
        raise RuntimeError("nope")

    test_agent.behaviour = broken
    assert (await _wakeup_and_wait(hass, test_agent.agent_id))["status"] == "failed"
    assert phone.sent == []

    # The same event as the integration fires, for a status hard to cause here.
    hass.bus.async_fire(
        "dland_assistant_execution_finished",
        {
            "execution_id": "e1",
            "task_id": "t1",
            "task_name": "Nightly backup check",
            "routine": None,
            "agent": test_agent.agent_id,
            "user": None,
            "status": "abandoned",
            "response": None,
            "error": "Interrupted by a restart",
            "delivery": None,
        },
    )
    await settle(hass)
    assert phone.sent == [
        (
            "dland assistant",
            "Nightly backup check was abandoned: Interrupted by a restart",
        )
    ]


# Morning briefing


@pytest.mark.parametrize(
    ("day", "inputs", "prompt", "expected"),
    [
        ("2026-11-30", {}, BRIEFING_PROMPT, 1),  # Monday, the defaults.
        ("2026-12-04", {}, BRIEFING_PROMPT, 1),  # Friday.
        ("2026-12-05", {}, BRIEFING_PROMPT, 0),  # Saturday.
        ("2026-12-06", {}, BRIEFING_PROMPT, 0),  # Sunday.
        ("2026-12-05", {"weekdays": ["sat"], "prompt": "Weekend!"}, "Weekend!", 1),
        ("2026-11-30", {"weekdays": ["sat"]}, BRIEFING_PROMPT, 0),
    ],
)
async def test_morning_briefing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    freezer: FrozenDateTimeFactory,
    day: str,
    inputs: dict[str, Any],
    prompt: str,
    expected: int,
) -> None:
    """At the time, on the chosen weekdays only, the agent is woken once."""
    await hass.config.async_set_time_zone("Europe/Amsterdam")
    zone = dt_util.get_default_time_zone()
    freezer.move_to(datetime.fromisoformat(f"{day}T07:29:50").replace(tzinfo=zone))
    await _use_blueprint(hass, "morning_briefing", {"agent": persona, **inputs})

    freezer.move_to(datetime.fromisoformat(f"{day}T07:29:59").replace(tzinfo=zone))
    async_fire_time_changed(hass)
    await settle(hass)
    assert test_agent.calls == []

    freezer.move_to(datetime.fromisoformat(f"{day}T07:30:00").replace(tzinfo=zone))
    async_fire_time_changed(hass)
    await settle(hass)
    freezer.move_to(datetime.fromisoformat(f"{day}T07:31:00").replace(tzinfo=zone))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == expected
    if expected:
        assert test_agent.calls[0].text.startswith(prompt)


@pytest.mark.parametrize(
    ("platform", "channel"),
    [("", "mobile_app"), ("persistent_notification", "persistent_notification")],
)
async def test_morning_briefing_time_person_and_platform(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    hass_admin_user: Any,
    freezer: FrozenDateTimeFactory,
    platform: str,
    channel: str,
) -> None:
    """A chosen time is kept; the briefing goes to the person, on the channel."""
    await hass.config.async_set_time_zone("UTC")
    hass.states.async_set(
        "person.dan", "home", {"friendly_name": "Dan", "user_id": hass_admin_user.id}
    )
    phone = add_phone_recipient(hass, entry)
    await hass.async_block_till_done()
    freezer.move_to("2026-11-30 07:00:00+00:00")
    await _use_blueprint(
        hass,
        "morning_briefing",
        {
            "time": "06:15:00",
            "agent": test_agent.agent_id,
            "person": "person.dan",
            "platform": platform,
        },
    )
    freezer.move_to("2026-11-30 07:30:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert test_agent.calls == []  # Not at the default time.

    freezer.move_to("2026-12-01 06:15:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(test_agent.calls) == 1
    [execution] = (await call(hass, "get_executions"))["executions"]
    assert execution["delivery"]["channel"] == channel
    assert execution["delivery"]["status"] == "sent"
    # Dan's default channel is his phone.
    assert len(phone) == (1 if channel == "mobile_app" else 0)
