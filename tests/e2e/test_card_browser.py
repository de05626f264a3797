"""The Mission Control card in a real browser on a real Home Assistant."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .browser import logged_in_page
from .harness import HassProcess

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
DASHBOARD = {
    "views": [
        {
            "title": "Mission Control",
            "path": "mission",
            "type": "panel",
            "cards": [{"type": "custom:dland-assistant-card", "executions": 6}],
        }
    ]
}
# A dashboard of its own: the default one is Home Assistant's generated overview.
SAVE_DASHBOARD = """async config => {
    const hass = document.querySelector('home-assistant').hass;
    await hass.callWS({type: 'lovelace/dashboards/create', url_path: 'mission-control',
        title: 'Mission Control', icon: 'mdi:rocket-launch', mode: 'storage',
        show_in_sidebar: true, require_admin: false});
    await hass.callWS(
        {type: 'lovelace/config/save', url_path: 'mission-control', config});
}"""


def test_card_shows_tasks_and_runs_live(
    hass_process: Callable[..., HassProcess],
) -> None:
    """Tasks and runs render; run now starts a run that appears without a reload."""
    hass = hass_process("e2e_slow_agent:\n  delay: 2\n")
    hass.start()
    hass.onboard()
    hass.finish_onboarding()
    hass.wait_for_integration()
    slow = hass.config_entry_id("e2e_slow_agent")
    status, briefing = hass.call_service(
        "schedule_task",
        {
            "name": "Morning briefing",
            "cron": "30 7 * * 1-5",
            "agent": slow,
            "prompt": "Brief me on the day.",
            "deliver": False,
        },
    )
    assert status == 200, briefing
    status, body = hass.call_service(
        "schedule_task",
        {"name": "Call mum", "in": {"hours": 2}, "prompt": "Call mum", "agent": slow},
    )
    assert status == 200, body
    status, body = hass.call_service("run_routine", {"routine": "Audit"})
    assert status == 200, body
    far = datetime.now(UTC) + timedelta(days=400)
    status, body = hass.call_service(
        "schedule_task",
        {
            "name": "Renew the passport",
            "at": far.isoformat(),
            "prompt": "x",
            "action": "remind",
        },
    )
    assert status == 200, body
    hass.request(
        "POST",
        "/api/states/sensor.washer",
        {"state": "running", "attributes": {"friendly_name": "Washer"}},
    )
    status, body = hass.call_service(
        "schedule_task",
        {
            "name": "Hang the washing",
            "prompt": "Hang the washing",
            "action": "remind",
            "when": {
                "trigger": "state",
                "entity_id": "sensor.washer",
                "from": "running",
            },
        },
    )
    assert status == 200, body

    with logged_in_page(hass) as (page, errors):
        page.goto(f"{hass.base}/profile")
        page.wait_for_function(
            "document.querySelector('home-assistant')?.hass?.connected === true",
            timeout=60_000,
        )
        page.evaluate(SAVE_DASHBOARD, DASHBOARD)
        assert page.evaluate(
            "(window.customCards || []).some(c => c.type === 'dland-assistant-card')"
        )
        page.goto(f"{hass.base}/mission-control/mission")
        card = page.locator("dland-assistant-card")
        briefing_row = card.locator("tr.task", has_text="Morning briefing")
        briefing_row.wait_for(timeout=60_000)
        assert card.locator("tr.task", has_text="Call mum").is_visible()
        assert card.locator("tr.routine", has_text="Audit").is_visible()
        # Not this year: the year is shown.
        passport = card.locator("tr.task", has_text="Renew the passport")
        assert str(far.year) in passport.locator("td").nth(2).inner_text()
        # Waiting for a moment: its words, no next run; edited like any task.
        washing = card.locator("tr.task", has_text="Hang the washing")
        assert "When Washer is no longer running" in washing.inner_text()
        assert washing.get_by_role("button", name="Edit").count() == 1
        assert card.locator(".breaker").get_attribute("data-state") == "closed"
        assert card.locator("tr.execution", has_text="Audit").count() == 1

        briefing_row.get_by_role("button", name="Run", exact=True).click()
        card.locator("tr.execution[data-status='in_progress']").wait_for(timeout=30_000)
        done = card.locator(
            "tr.execution[data-status='succeeded']", has_text="Morning briefing"
        )
        done.wait_for(timeout=30_000)
        assert "Slowly done: Brief me on the day." in done.inner_text()

        # A run opens to all of it: the answer, who it acted as, attempt, tools.
        done.click()
        details = card.locator("tr.details")
        details.locator(".answer").wait_for(timeout=30_000)
        assert details.locator(".answer").inner_text() == (
            "Slowly done: Brief me on the day."
        )
        text = details.inner_text()
        assert "Acted as" in text
        assert "(trusted)" in text
        assert "No tools called" in text
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "card-run-details.png", full_page=True)
        done.click()
        details.wait_for(state="detached", timeout=5_000)

        briefing_row.get_by_role("button", name="Pause").click()
        briefing_row.locator(".badge", has_text="paused").wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "card.png", full_page=True)

        # Times follow the profile's 12/24-hour choice, not the browser's default.
        call_mum = card.locator("tr.task", has_text="Call mum")
        for time_format, twelve_hour in (("24", False), ("12", True)):
            card.evaluate(
                """async (el, format) => {
                    el.hass = {...el.hass, locale: {...el.hass.locale,
                        time_format: format}};
                    await el.updateComplete;
                }""",
                time_format,
            )
            next_run = call_mum.locator("td").nth(2).inner_text()
            assert ("AM" in next_run or "PM" in next_run) is twelve_hour, next_run

        # Cancel asks first; only a second click cancels.
        call_mum.get_by_role("button", name="Cancel").click()
        call_mum.get_by_role("button", name="Cancel it?").wait_for(timeout=5_000)
        assert card.locator("tr.task", has_text="Call mum").count() == 1
        call_mum.get_by_role("button", name="Cancel it?").click()
        card.locator("tr.task", has_text="Call mum").wait_for(
            state="detached", timeout=30_000
        )
        assert errors == []

    status, body = hass.call_service("get_executions", {"task_id": briefing["task_id"]})
    assert status == 200, body
    assert [run["status"] for run in body["executions"]] == ["succeeded"]
    status, body = hass.call_service("list_tasks")
    paused = next(t for t in body["tasks"] if t["name"] == "Morning briefing")
    assert paused["enabled"] is False
