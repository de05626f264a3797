"""Switches (and the run-now button beside each): one per recurring task and routine."""

from datetime import timedelta
from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.dland_assistant.const import DOMAIN
from custom_components.dland_assistant.models import MissedRunPolicy, TaskKind
from custom_components.dland_assistant.store import NewTask
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform, entity_registry as er
from homeassistant.util import dt as dt_util

from .conftest import (
    RecordingAgent,
    add_tidy_up_routine,
    call,
    entity_state,
    platform_snapshot,
    settle,
    task_entity,
)


async def test_recurring_task_switch_and_button_come_and_go(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """A cron task gets a switch and a run button; cancelling removes both."""
    created = await call(
        hass,
        "schedule_task",
        {"prompt": "brief me", "cron": "30 7 * * 1-5", "name": "Morning briefing"},
    )
    await settle(hass)
    task_id = created["task_id"]
    switch = task_entity(hass, "switch", task_id, "enabled")
    button = task_entity(hass, "button", task_id, "run")
    state = entity_state(hass, switch)
    assert state.state == STATE_ON
    assert state.name == "dland assistant Morning briefing"
    assert state.attributes["schedule"] == "At 07:30, Monday through Friday"
    assert state.attributes["cron"] == "30 7 * * 1-5"
    assert state.attributes["last_status"] is None
    assert entity_state(hass, button).name == "dland assistant Run Morning briefing"

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    await settle(hass)
    assert entity_state(hass, switch).state == STATE_OFF
    [task] = (await call(hass, "list_tasks"))["tasks"]
    assert task["enabled"] is False
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    await settle(hass)
    assert [call.text for call in test_agent.calls] == ["brief me"]
    assert entity_state(hass, switch).attributes["last_status"] == "succeeded"

    await call(hass, "cancel_task", {"task_id": task_id})
    await settle(hass)
    assert hass.states.get(switch) is None
    assert hass.states.get(button) is None
    assert er.async_get(hass).async_get(switch) is None


async def test_stale_task_entities_are_removed_at_start(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """A registry entry for a task that is gone is cleaned up on set-up."""
    registry = er.async_get(hass)
    stale = registry.async_get_or_create(
        "switch",
        DOMAIN,
        f"{entry.entry_id}_task_GONE_enabled",
        config_entry=entry,
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(stale.entity_id) is None


async def test_routine_switch_and_button(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    persona: str,
) -> None:
    """Each routine has a switch (its enabled flag) and a run-now button."""
    add_tidy_up_routine(hass, entry, persona)
    await settle(hass)
    switch = "switch.dland_assistant_tidy_up"
    button = "button.dland_assistant_run_tidy_up"
    assert entity_state(hass, switch).attributes["schedule"] == "At 09:00"
    assert entity_state(hass, switch).attributes["next_run"] is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    await settle(hass)
    assert [c.text for c in test_agent.calls] == ["What needs tidying?"]
    assert entity_state(hass, switch).attributes["last_status"] == "succeeded"

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    await settle(hass)
    assert entity_state(hass, switch).state == STATE_OFF
    routine = next(s for s in entry.subentries.values() if s.title == "Tidy-up")
    assert routine.data["enabled"] is False
    assert entity_state(hass, switch).attributes["next_run"] is None

    hass.config_entries.async_remove_subentry(entry, routine.subentry_id)
    await settle(hass)
    assert hass.states.get(switch) is None


async def test_switch_entities(
    hass: HomeAssistant, mission_control: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """A switch per recurring task and routine, with its schedule and runs."""
    assert platform_snapshot(hass, mission_control, "switch") == snapshot


async def test_many_new_recurring_tasks_get_their_entities_a_few_at_a_time(
    hass: HomeAssistant, entry: MockConfigEntry, test_agent: RecordingAgent
) -> None:
    """Fifty cron tasks seen at once (stored, then one refresh): every switch and
    button comes, in batches with the loop free between them; an unchanged task's
    switch is not written again at the next refresh."""
    store = entry.runtime_data.store
    tasks = [
        await store.async_add_task(
            NewTask(
                f"Task {n}",
                test_agent.agent_id,
                f"p{n}",
                TaskKind.CRON,
                dt_util.utcnow() + timedelta(hours=1),
                60,
                MissedRunPolicy.RUN_ONCE,
                "test",
                cron=f"{n} 7 * * *",
                time_zone="UTC",
            )
        )
        for n in range(50)
    ]
    added: list[int] = []
    platform = entity_platform.async_get_platforms(hass, DOMAIN)
    switches = next(p for p in platform if p.domain == "switch")
    original = switches.async_add_entities

    async def counting(new: Any, *args: Any, **kwargs: Any) -> None:
        added.append(len(list(new)))
        await original(new, *args, **kwargs)

    switches.async_add_entities = counting  # type: ignore[method-assign]
    await entry.runtime_data.coordinator.async_refresh()
    await settle(hass)
    assert added == [20, 20, 10]
    for task in tasks:
        assert entity_state(hass, task_entity(hass, "switch", task.task_id, "enabled"))
        assert entity_state(hass, task_entity(hass, "button", task.task_id, "run"))
    switch = task_entity(hass, "switch", tasks[0].task_id, "enabled")
    written = entity_state(hass, switch).last_reported
    await entry.runtime_data.coordinator.async_refresh()
    await settle(hass)
    assert entity_state(hass, switch).last_reported == written
