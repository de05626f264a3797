"""Tasks that wait for a moment: a person coming home, a device done, a value crossed.

Real state machine, real store; the clock is pinned. A reminder reaches Dan's
phone (a mocked notify service: the internet) saying what happened.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.dland_assistant.models import Moment, TaskStatus
from custom_components.dland_assistant.moments.rules import device_done
from custom_components.dland_assistant.schedule_text import ScheduleText
from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import llm

from .conftest import add_phone_recipient, call, settle
from .test_llm import tool_agent  # noqa: F401 - the fixture

NOW = "2026-11-28 15:00:00+00:00"  # a Saturday; the home is in UTC
DAN = "person.dan"
HOME = {"trigger": "zone", "entity_id": DAN, "zone": "zone.home", "event": "enter"}
ALL = [status.value for status in TaskStatus]
WASHER_DONE = {"trigger": "state", "entity_id": "sensor.washer", "from": "running"}


@pytest.fixture
async def phone(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> list[Any]:
    """Dan, away, with a phone; the clock pinned."""
    await hass.config.async_set_time_zone("UTC")
    freezer.move_to(NOW)
    hass.states.async_set(DAN, "not_home", {"friendly_name": "Dan"})
    hass.states.async_set("sensor.washer", "running", {"friendly_name": "Washer"})
    calls = add_phone_recipient(hass, entry)
    await hass.async_block_till_done()
    return calls


async def _remind(hass: HomeAssistant, when: Any, prompt: str, **extra: Any) -> str:
    answer = await call(
        hass,
        "schedule_task",
        {"prompt": prompt, "action": "remind", "user": DAN, "when": when, **extra},
    )
    task_id: str = answer["task_id"]
    assert answer["next_run"] is None  # it waits for its moment, not a time
    return task_id


async def _remind_in_an_hour(hass: HomeAssistant, prompt: str) -> str:
    """A timed reminder for Dan (to be turned into a moment)."""
    answer = await call(
        hass,
        "schedule_task",
        {"prompt": prompt, "action": "remind", "user": DAN, "in": "01:00"},
    )
    task_id: str = answer["task_id"]
    return task_id


async def _set(hass: HomeAssistant, entity: str, state: str, **attributes: Any) -> None:
    old = hass.states.get(entity)
    name = old.attributes.get("friendly_name") if old else None
    hass.states.async_set(entity, state, {"friendly_name": name, **attributes})
    await settle(hass)


async def _task(hass: HomeAssistant, task_id: str) -> dict[str, Any]:
    tasks = (await call(hass, "list_tasks", {"status": ALL}))["tasks"]
    [task] = [task for task in tasks if task["task_id"] == task_id]
    return task


def _messages(phone: list[Any]) -> list[str]:
    return [c.data["message"] for c in phone]


async def test_coming_home_reminds_once_saying_what_happened(
    hass: HomeAssistant, phone: list[Any]
) -> None:
    """Dan comes home: one reminder, naming it; later arrivals do nothing."""
    task_id = await _remind(hass, [HOME], "take the laundry out")
    task = await _task(hass, task_id)
    assert (task["kind"], task["status"], task["next_run"]) == (
        "moment",
        "scheduled",
        None,
    )
    assert task["schedule_text"] == "When Dan gets home"
    assert task["moment"]["trigger"] == HOME
    await _set(hass, DAN, "home")
    assert _messages(phone) == ["Dan came home: take the laundry out"]
    assert (await _task(hass, task_id))["status"] == "succeeded"
    await _set(hass, DAN, "not_home")
    await _set(hass, DAN, "home")
    assert len(phone) == 1


@pytest.mark.parametrize(
    ("before", "after", "attributes"),
    [
        ("unknown", "home", {}),  # a tracker that loads late at start-up
        ("unavailable", "home", {}),
        ("not_home", "home", {"restored": True}),  # restored at start-up
        ("not_home", "not_home", {}),
        ("home", "home", {}),
    ],
)
async def test_what_is_not_an_arrival(
    hass: HomeAssistant,
    phone: list[Any],
    before: str,
    after: str,
    attributes: dict[str, Any],
) -> None:
    """Start-up, unknown and unavailable states and no change are not the moment."""
    await _set(hass, DAN, before)
    task_id = await _remind(hass, [HOME], "milk")
    await _set(hass, DAN, after, **attributes)
    assert phone == []
    assert (await _task(hass, task_id))["status"] == "scheduled"


async def test_a_device_done_and_a_value_crossed(
    hass: HomeAssistant, phone: list[Any]
) -> None:
    """running → idle is the washer done; a value rising above 25 once."""
    washer = await _remind(hass, WASHER_DONE, "hang the washing")
    await _set(hass, "sensor.washer", "unavailable")
    await _set(hass, "sensor.washer", "idle")  # from unavailable: not the moment
    assert phone == []
    await _set(hass, "sensor.washer", "running")
    await _set(hass, "sensor.washer", "idle")
    assert _messages(phone) == ["Washer is no longer running: hang the washing"]
    assert (await _task(hass, washer))["status"] == "succeeded"
    hass.states.async_set("sensor.heat", "20", {"friendly_name": "Heat"})
    await _remind(
        hass,
        {"platform": "numeric_state", "entity_id": ["sensor.heat"], "above": 25},
        "open the window",
    )
    await _set(hass, "sensor.heat", "24")
    await _set(hass, "sensor.heat", "26")
    await _set(hass, "sensor.heat", "27")
    assert _messages(phone)[1:] == ["Heat rose above 25: open the window"]


async def test_every_time_with_a_cooldown(
    hass: HomeAssistant, phone: list[Any], freezer: FrozenDateTimeFactory
) -> None:
    """Every arrival runs, but not twice within the cooldown; it waits again."""
    task_id = await _remind(
        hass, [HOME], "say hello", every_time=True, cooldown={"minutes": 30}
    )
    assert (await _task(hass, task_id))["schedule_text"] == "Every time Dan gets home"
    await _set(hass, DAN, "home")
    await _set(hass, DAN, "not_home")
    freezer.tick(timedelta(minutes=5))
    await _set(hass, DAN, "home")  # within the cooldown
    assert len(phone) == 1
    await _set(hass, DAN, "not_home")
    freezer.tick(timedelta(minutes=30))
    await _set(hass, DAN, "home")
    assert len(phone) == 2
    task = await _task(hass, task_id)
    assert (task["status"], task["next_run"]) == ("scheduled", None)


async def test_a_window_and_an_expiry(
    hass: HomeAssistant, phone: list[Any], freezer: FrozenDateTimeFactory
) -> None:
    """Only after 17:00; an expired task ends missed and is no longer watched."""
    task_id = await _remind(hass, [HOME], "lock up", after="17:00:00")
    await _set(hass, DAN, "home")  # 15:00
    await _set(hass, DAN, "not_home")
    assert phone == []
    freezer.move_to("2026-11-28 18:00:00+00:00")
    await _set(hass, DAN, "home")
    assert _messages(phone) == ["Dan came home: lock up"]
    assert (await _task(hass, task_id))["status"] == "succeeded"

    expiring = await _remind(hass, [HOME], "today only", until="2026-11-28 20:00:00")
    freezer.move_to("2026-11-28 20:00:01+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert (await _task(hass, expiring))["status"] == "missed"
    await _set(hass, DAN, "not_home")
    await _set(hass, DAN, "home")
    assert len(phone) == 1


async def test_a_waiting_task_survives_a_reload_and_start_up_is_no_arrival(
    hass: HomeAssistant, entry: MockConfigEntry, phone: list[Any]
) -> None:
    """After a reload the tracker comes back late (unknown → home): no reminder;
    the next real arrival reminds once."""
    task_id = await _remind(hass, [HOME], "water the plants")
    await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    await _set(hass, DAN, "unknown")
    await _set(hass, DAN, "home")
    assert phone == []
    await _set(hass, DAN, "not_home")
    await _set(hass, DAN, "home")
    assert _messages(phone) == ["Dan came home: water the plants"]
    assert (await _task(hass, task_id))["status"] == "succeeded"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": {"trigger": "template", "value_template": "{{ 1 }}"}}, "template"),
        ({"when": [HOME, HOME]}, "exactly one trigger"),
        ({"when": {"trigger": "numeric_state", "entity_id": "sensor.x"}}, "above"),
        ({"when": HOME, "at": "2030-01-01 08:00:00"}, "only one"),
        ({"after": "17:00:00"}, "when"),
        ({"when": HOME, "until": "2020-01-01 00:00:00"}, "past"),
        ({"when": HOME, "until": "2030-01-01 00:00:00"}, "366"),
        ({"when": HOME, "cooldown": {"seconds": 5}}, "cooldown"),
    ],
)
async def test_bad_moments_are_refused_and_store_nothing(
    hass: HomeAssistant, phone: list[Any], data: dict[str, Any], message: str
) -> None:
    """A clear, translated error names what is wrong; nothing is stored."""
    with pytest.raises((ServiceValidationError, HomeAssistantError)) as err:
        await call(hass, "schedule_task", {"prompt": "x", "action": "remind", **data})
    assert message in str(err.value), str(err.value)
    assert (await call(hass, "list_tasks", {"status": ALL}))["tasks"] == []


async def test_moments_per_owner_are_bounded(
    hass: HomeAssistant, phone: list[Any]
) -> None:
    """An owner may have 50 tasks waiting for a moment; the 51st is refused."""
    for number in range(50):
        await _remind(hass, [HOME], f"reminder {number}")
    with pytest.raises(ServiceValidationError, match="already have 50"):
        await _remind(hass, [HOME], "one too many")
    timed = await call(
        hass, "schedule_task", {"prompt": "later", "action": "remind", "in": "01:00"}
    )
    with pytest.raises(ServiceValidationError, match="already have 50"):
        await call(hass, "update_task", {"task_id": timed["task_id"], "when": HOME})
    assert (await _task(hass, timed["task_id"]))["kind"] == "once"
    await _set(hass, DAN, "home")
    assert len(phone) == 50


async def test_other_zones_by_name_or_position_and_leaving(
    hass: HomeAssistant, phone: list[Any]
) -> None:
    """A zone is entered by its name (router trackers) or its circle (GPS)."""
    hass.states.async_set(
        "zone.work",
        "0",
        {"friendly_name": "Work", "latitude": 52.5, "longitude": 13.4, "radius": 200},
    )
    await _remind(
        hass,
        {"trigger": "zone", "entity_id": DAN, "zone": "zone.work", "event": "leave"},
        "buy milk",
    )
    await _remind(
        hass,
        {"trigger": "zone", "entity_id": DAN, "zone": "zone.work", "event": "enter"},
        "check in",
    )
    await _set(hass, DAN, "not_home", latitude=52.5, longitude=13.4, gps_accuracy=10)
    assert _messages(phone) == ["Dan arrived at Work: check in"]
    await _set(hass, DAN, "Work")
    await _set(hass, DAN, "not_home", latitude=48.1, longitude=11.6)
    assert _messages(phone)[1:] == ["Dan left Work: buy milk"]


async def test_a_value_falling_below_and_a_state_reached(
    hass: HomeAssistant, phone: list[Any]
) -> None:
    """Below a value, and a state reached (to), say so."""
    hass.states.async_set("sensor.heat", "20", {"friendly_name": "Heat"})
    hass.states.async_set("lock.door", "unlocked", {"friendly_name": "Door"})
    await _remind(
        hass,
        {"trigger": "numeric_state", "entity_id": "sensor.heat", "below": 18},
        "close the window",
    )
    await _remind(
        hass, {"trigger": "state", "entity_id": "lock.door", "to": "locked"}, "sleep"
    )
    await _set(hass, "sensor.heat", "not a number")
    await _set(hass, "sensor.heat", "17")  # from no number: not a crossing
    await _set(hass, "sensor.heat", "19")
    await _set(hass, "sensor.heat", "17.5")
    await _set(hass, "lock.door", "locked")
    assert _messages(phone) == [
        "Heat fell below 18: close the window",
        "Door is now locked: sleep",
    ]


async def test_an_llm_tool_call_sets_a_moment(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    tool_agent: Any,  # noqa: F811 - the fixture imported above
    hass_admin_user: Any,
    phone: list[Any],
) -> None:
    """'Remind me when I get home to take the laundry out', through an LLM agent's
    tool call in Home Assistant's conversation pipeline."""
    await _set(hass, DAN, "not_home", user_id=hass_admin_user.id)
    tool_agent.plan = lambda _: [
        llm.ToolInput(
            tool_name="dland_assistant__schedule_task",
            tool_args={
                "text": "Take the laundry out",
                "reminder": True,
                "when": "arrive",
            },
        ),
        llm.ToolInput(
            tool_name="dland_assistant__schedule_task",
            tool_args={
                "text": "Hang the washing",
                "reminder": True,
                "when": "state",
                "when_entity": "sensor.washer",
                "when_not_state": "running",
            },
        ),
    ]
    await conversation.async_converse(
        hass,
        "remind me when I get home to take the laundry out",
        None,
        Context(user_id=hass_admin_user.id),
        agent_id=tool_agent.entity_id,
    )
    assert [result["scheduled"]["kind"] for result in tool_agent.results] == [
        "moment",
        "moment",
    ]
    await _set(hass, DAN, "home", user_id=hass_admin_user.id)
    await _set(hass, "sensor.washer", "idle")
    assert _messages(phone) == [
        "Dan came home: Take the laundry out",
        "Washer is no longer running: Hang the washing",
    ]


async def test_waiting_tasks_show_on_the_card_and_the_pending_list(
    hass: HomeAssistant, phone: list[Any], entry: MockConfigEntry
) -> None:
    """The card's feed and the pending-tasks to-do list show a waiting task."""
    await _remind(hass, [HOME], "take the laundry out")
    await call(hass, "schedule_task", {"prompt": "call mum", "in": {"hours": 1}})
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    items = await hass.services.async_call(
        "todo",
        "get_items",
        {"entity_id": "todo.dland_assistant_pending_tasks"},
        blocking=True,
        return_response=True,
    )
    listed = items["todo.dland_assistant_pending_tasks"]["items"]  # type: ignore[index]
    assert [item["summary"] for item in listed] == ["call mum", "take the laundry out"]
    pending = entry.runtime_data.coordinator.data.pending
    assert [task.kind.value for task in pending] == ["once", "moment"]


async def test_waiting_tasks_show_in_the_calendar_today(
    hass: HomeAssistant, phone: list[Any], entry: MockConfigEntry
) -> None:
    """An all-day event today says what a task waits for."""
    await _remind(hass, [HOME], "take the laundry out")
    await entry.runtime_data.coordinator.async_refresh()
    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": "calendar.dland_assistant_runs", "duration": {"days": 2}},
        blocking=True,
        return_response=True,
    )
    waiting = [
        event
        for event in events["calendar.dland_assistant_runs"]["events"]  # type: ignore[index]
        if event["summary"] == "take the laundry out"
    ]
    assert waiting == [
        {
            "start": "2026-11-28",
            "end": "2026-11-29",
            "summary": "take the laundry out",
            "description": "When Dan gets home",
        }
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "When Dan gets home, between 17:00 and 22:00, until 2026-11-28 20:00",
                "Every time Dan leaves Work, after 07:00",
                "When Heat rises above 25, before 09:30",
                "When Door is locked",
                "When Washer is no longer running",
                "When Washer is done",
            ],
        ),
        (
            "de",
            [
                "Wenn Dan nach Hause kommt, zwischen 17:00 und 22:00, "
                "bis 2026-11-28 20:00",
                "Jedes Mal, wenn Dan Work verlässt, nach 07:00",
                "Wenn Heat über 25 steigt, vor 09:30",
                "Wenn Door locked ist",
                "Wenn Washer nicht mehr running ist",
                "Wenn Washer fertig ist",
            ],
        ),
    ],
)
async def test_a_waiting_moment_is_said_as_still_to_come(
    hass: HomeAssistant, phone: list[Any], language: str, expected: list[str]
) -> None:
    """The schedule says what is awaited ("When Dan gets home"), window and expiry."""
    hass.states.async_set("zone.work", "0", {"friendly_name": "Work"})
    hass.states.async_set("sensor.heat", "20", {"friendly_name": "Heat"})
    hass.states.async_set("lock.door", "unlocked", {"friendly_name": "Door"})
    leave_work = {"trigger": "zone", "entity_id": DAN, "zone": "zone.work"}
    words = await ScheduleText.async_load(hass, language)
    moments = [
        Moment(
            HOME,
            after=time(17),
            before=time(22),
            until=datetime(2026, 11, 28, 20, tzinfo=UTC),
        ),
        Moment({**leave_work, "event": "leave"}, after=time(7), every_time=True),
        Moment(
            {"trigger": "numeric_state", "entity_id": "sensor.heat", "above": 25},
            before=time(9, 30),
        ),
        Moment({"trigger": "state", "entity_id": "lock.door", "to": ["locked"]}),
        Moment({**WASHER_DONE, "from": ["running"]}),
        Moment(device_done("sensor.washer")),
    ]
    assert words.moments is not None
    assert [words.moments.schedule(moment) for moment in moments] == expected


async def test_an_edit_changes_a_moment_or_turns_a_task_into_one(
    hass: HomeAssistant, phone: list[Any], freezer: FrozenDateTimeFactory
) -> None:
    """A new ``when`` replaces the moment; a window alone adjusts it; a time ends it."""
    timed = await _remind_in_an_hour(hass, "lock up")
    answer = await call(hass, "update_task", {"task_id": timed, "when": [HOME]})
    assert answer["next_run"] is None
    task = await _task(hass, timed)
    assert (task["kind"], task["schedule_text"]) == ("moment", "When Dan gets home")

    await call(hass, "update_task", {"task_id": timed, "after": "17:00:00"})
    task = await _task(hass, timed)
    assert task["schedule_text"] == "When Dan gets home, after 17:00"
    assert task["moment"]["trigger"] == HOME  # the trigger stayed
    await _set(hass, DAN, "home")  # 15:00: before the window
    await _set(hass, DAN, "not_home")
    assert phone == []

    await call(hass, "update_task", {"task_id": timed, "in": "03:00"})  # 18:00
    task = await _task(hass, timed)
    assert (task["kind"], task["moment"]) == ("once", None)
    freezer.move_to("2026-11-28 17:30:00+00:00")
    await _set(hass, DAN, "home")  # in the old window, but no longer watched
    assert phone == []
    freezer.move_to("2026-11-28 18:00:00+00:00")
    async_fire_time_changed(hass)
    await settle(hass)
    assert _messages(phone) == ["lock up"]


async def test_a_window_on_a_timed_task_is_refused_and_changes_nothing(
    hass: HomeAssistant, phone: list[Any]
) -> None:
    """after/before/until/every_time/cooldown need a moment: a translated error."""
    timed = await _remind_in_an_hour(hass, "lock up")
    before = await _task(hass, timed)
    with pytest.raises(ServiceValidationError, match="when"):
        await call(hass, "update_task", {"task_id": timed, "after": "17:00:00"})
    assert await _task(hass, timed) == before


async def test_the_card_edits_a_moment_and_previews_it(
    hass: HomeAssistant,
    phone: list[Any],
    entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The card's feed gives a waiting task's moment as its editor fills it, and the
    zones to choose; the preview says a moment in words (no run times) and refuses
    a bad one with the action's translated error."""
    hass.states.async_set("zone.work", "0", {"friendly_name": "Work"})
    hass.states.async_set("zone.home", "0", {"friendly_name": "Villa"})
    await _remind(
        hass,
        [HOME],
        "lock up",
        after="17:00:00",
        until="2026-11-29 20:00:00",
        every_time=True,
        cooldown={"minutes": 30},
    )
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "dland_assistant/subscribe"})
    assert (await client.receive_json())["success"]
    view = (await client.receive_json())["event"]
    [task] = view["tasks"]
    assert task["schedule"] == (
        "Every time Dan gets home, after 17:00, until 2026-11-29 20:00"
    )
    assert task["form"]["moment"] == {
        "trigger": HOME,
        "after": "17:00",
        "before": "",
        "until": "2026-11-29T20:00",
        "every_time": True,
        "cooldown": 30.0,
    }
    assert view["choices"]["zones"] == [  # home first
        {"id": "zone.home", "name": "Villa"},
        {"id": "zone.work", "name": "Work"},
    ]

    preview = {"type": "dland_assistant/preview_schedule"}
    await client.send_json_auto_id(
        preview | {"when": WASHER_DONE, "before": "09:00", "language": "de"}
    )
    answer = await client.receive_json()
    assert answer["result"] == {
        "schedule_text": "Wenn Washer nicht mehr running ist, vor 09:00",
        "next_runs": [],
    }
    for asked, key in [
        ({"when": {"trigger": "template", "value_template": "x"}}, "moment_invalid"),
        ({"after": "17:00"}, "moment_needs_when"),
        ({"when": HOME, "cooldown": {"seconds": 5}}, "moment_cooldown"),
    ]:
        await client.send_json_auto_id(preview | asked)
        refused = await client.receive_json()
        assert not refused["success"]
        assert refused["error"]["translation_key"] == key, refused
    await client.close()
