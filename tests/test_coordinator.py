"""Mission Control's view: a stream of changes is coalesced into few re-reads."""

import asyncio
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dland_assistant import coordinator
from homeassistant.core import HomeAssistant

from .conftest import call, runtime, settle


def _count_reads(
    view: coordinator.DlandCoordinator, monkeypatch: pytest.MonkeyPatch
) -> list[None]:
    """Count the view's reads of the store: one item per read."""
    reads: list[None] = []
    original = view._async_update_data

    async def counted() -> Any:
        reads.append(None)
        return await original()

    monkeypatch.setattr(view, "_async_update_data", counted)
    return reads


async def test_a_stream_of_changes_is_coalesced(
    hass: HomeAssistant, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty changes in 0.4 s cost a few reads, and the last change is shown."""
    monkeypatch.setattr(coordinator, "BUSY_REFRESH_GAP", 0.15)
    view = runtime(entry).coordinator
    reads = _count_reads(view, monkeypatch)
    for _ in range(40):
        view.async_changed()
        await asyncio.sleep(0.01)
    await call(hass, "schedule_task", {"prompt": "last", "in": {"hours": 1}})
    await asyncio.sleep(0.4)
    await hass.async_block_till_done()
    assert 2 <= len(reads) <= 6
    assert [task.prompt for task in view.data.tasks] == ["last"]


async def test_shutdown_ends_a_refresh_waiting_for_its_turn(
    hass: HomeAssistant, entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At stop, a pending refresh ends at once and later changes read nothing."""
    monkeypatch.setattr(coordinator, "BUSY_REFRESH_GAP", 30)
    view = runtime(entry).coordinator
    reads = _count_reads(view, monkeypatch)
    view.async_changed()
    await hass.async_block_till_done()
    assert len(reads) == 1
    view.async_changed()  # waits its turn: 30 s after the last read
    await asyncio.sleep(0.05)
    await view.async_shutdown()
    view.async_changed()  # a run ended by the stop announces itself
    # Found by the soak test: the waiting refresh outlived the stop stages.
    async with asyncio.timeout(2):
        await hass.async_block_till_done()
    assert len(reads) == 1


async def test_a_clock_set_back_delays_the_view_by_one_gap_at_most(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """After the clock moves back ten days (a pinned clock, a restored snapshot),
    a change shows one refresh gap later, not ten days later."""
    freezer.move_to("2026-06-15 10:00:00+00:00")
    await call(hass, "schedule_task", {"prompt": "first", "in": {"hours": 1}})
    await settle(hass)
    freezer.move_to("2026-06-05 10:00:00+00:00")
    await call(hass, "schedule_task", {"prompt": "second", "in": {"hours": 1}})
    freezer.tick(coordinator.BUSY_REFRESH_GAP + 0.1)
    async_fire_time_changed(hass)
    view = runtime(entry).coordinator
    for _ in range(200):  # real time for the store's thread, the clock stands
        if len(view.data.tasks) == 2:
            break
        await hass.async_add_executor_job(time.sleep, 0.01)
    assert sorted(task.prompt for task in view.data.tasks) == ["first", "second"]
