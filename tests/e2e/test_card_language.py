"""The card in the user's language: its strings from the integration's
translations, its schedules in words from the integration, in a real browser."""

from collections.abc import Callable

from playwright.sync_api import expect
import pytest

from .browser import logged_in_page
from .card_ui import choose, fill
from .harness import HassProcess
from .test_card_browser import DASHBOARD, SAVE_DASHBOARD, SCREENSHOTS

pytestmark = pytest.mark.e2e


def test_card_speaks_the_users_language(
    hass_process: Callable[..., HassProcess],
) -> None:
    """A user whose profile is German sees the card's strings in German and every
    schedule in German words, in the list and while typing in the editor."""
    hass = hass_process()
    hass.start()
    hass.onboard()
    hass.finish_onboarding()
    hass.wait_for_integration()
    status, body = hass.call_service(
        "schedule_task",
        {"name": "Müll", "cron": "30 7 * * *", "prompt": "x", "action": "remind"},
    )
    assert status == 200, body

    with logged_in_page(hass) as (page, errors):
        page.add_init_script("localStorage.setItem('selectedLanguage', '\"de\"');")
        page.goto(f"{hass.base}/profile")
        page.wait_for_function(
            "document.querySelector('home-assistant')?.hass?.language === 'de'",
            timeout=60_000,
        )
        page.evaluate(SAVE_DASHBOARD, DASHBOARD)
        page.goto(f"{hass.base}/mission-control/mission")
        card = page.locator("dland-assistant-card")
        card.get_by_role("button", name="Neue Aufgabe").wait_for(timeout=60_000)
        expect(card.locator("h3").first).to_have_text("Aufgaben")
        expect(card.locator("tr.task", has_text="Müll")).to_contain_text("Um 07:30")
        assert "At 07:30" not in card.locator("tr.task").inner_text()

        card.get_by_role("button", name="Neue Aufgabe").click()
        editor = card.locator("dland-task-editor")
        choose(page, editor, "when_kind", "Jeden Tag um")
        fill(editor, "when_time", "18:45")
        expect(editor.locator(".schedule-text")).to_have_text(
            "Um 18:45", timeout=10_000
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "card-editor-german.png")
        editor.locator("ha-dialog-footer").get_by_role(
            "button", name="Schließen"
        ).click()
        editor.wait_for(state="detached", timeout=10_000)
        assert errors == []
