"""The integration's UI in a real browser: personas are added in its forms."""

from collections.abc import Callable
from pathlib import Path

import pytest

from .browser import logged_in_page
from .harness import HassProcess

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def test_add_a_persona_in_the_ui(hass_process: Callable[..., HassProcess]) -> None:
    """The persona form renders every field, saves, and the persona runs tasks."""
    hass = hass_process()
    hass.start()
    hass.onboard()
    hass.finish_onboarding()
    hass.wait_for_integration()
    with logged_in_page(hass) as (page, errors):
        page.goto(f"{hass.base}/config/integrations/integration/dland_assistant")
        page.get_by_role("button", name="Add persona").click()
        form = page.locator("ha-form")
        name = form.get_by_role("textbox").first
        name.wait_for(timeout=30_000)
        assert page.get_by_text("Conversation agent").first.is_visible()
        name.fill("Oracle")
        page.get_by_role("button", name="Submit").click()
        page.get_by_role("button", name="Finish").click()
        page.get_by_text("Oracle").first.wait_for(timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "integration.png")
        assert errors == []
    status, body = hass.call_service(
        "schedule_task",
        {"agent": "oracle", "prompt": "turn on the kitchen light", "in": {"hours": 1}},
    )
    assert status == 200, body
    tasks = hass.call_service("list_tasks")[1]["tasks"]
    assert [t["agent"] for t in tasks] == ["Oracle"]
