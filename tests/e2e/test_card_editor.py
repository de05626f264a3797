"""Creating and editing tasks from the Mission Control card, in a real browser."""

from collections.abc import Callable

import pytest

from .browser import logged_in_page
from .harness import HassProcess
from .test_card_browser import DASHBOARD, SAVE_DASHBOARD, SCREENSHOTS

pytestmark = pytest.mark.e2e


def test_tasks_are_made_and_changed_from_the_card(
    hass_process: Callable[..., HassProcess],
) -> None:
    """A reminder on weekdays (words and next runs while typing), an invalid cron
    refused at its field and nothing saved, a one-off in 10 minutes, then the
    first one moved to the weekend: same task, new words."""
    hass = hass_process()
    hass.start()
    hass.onboard()
    hass.finish_onboarding()
    hass.wait_for_integration()

    def tasks() -> dict[str, dict[str, object]]:
        status, body = hass.call_service("list_tasks")
        assert status == 200, body
        return {task["name"]: task for task in body["tasks"]}

    with logged_in_page(hass) as (page, errors):
        page.goto(f"{hass.base}/profile")
        page.wait_for_function(
            "document.querySelector('home-assistant')?.hass?.connected === true",
            timeout=60_000,
        )
        page.evaluate(SAVE_DASHBOARD, DASHBOARD)
        page.goto(f"{hass.base}/mission-control/mission")
        card = page.locator("dland-assistant-card")
        card.get_by_role("button", name="New task").wait_for(timeout=60_000)

        # Weekdays at 07:30: the words and five runs come while typing.
        card.get_by_role("button", name="New task").click()
        editor = card.locator("form.editor")
        editor.locator("[name=name]").fill("Bins")
        editor.locator("[name=action]").select_option("remind")
        editor.locator("[name=prompt]").fill("Put the bins out")
        editor.locator("[name=when]").select_option("weekdays")
        editor.locator("[name=time]").fill("07:30")
        words = editor.locator(".schedule-text")
        page.wait_for_function(
            """el => el.shadowRoot.querySelector('.schedule-text')?.textContent
                === 'At 07:30, Monday through Friday'""",
            arg=card.element_handle(),
            timeout=10_000,
        )
        assert editor.locator(".next-runs li").count() == 5
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "card-editor.png", full_page=True)
        editor.get_by_role("button", name="Save").click()
        editor.wait_for(state="detached", timeout=10_000)
        bins_row = card.locator("tr.task", has_text="Bins")
        bins_row.wait_for(timeout=10_000)
        assert "At 07:30, Monday through Friday" in bins_row.inner_text()
        bins = tasks()["Bins"]
        assert (bins["action"], bins["cron"]) == ("remind", "30 7 * * 1-5")

        # An invalid cron: the translated error at the field, and nothing stored.
        card.get_by_role("button", name="New task").click()
        editor.locator("[name=name]").fill("Broken")
        editor.locator("[name=action]").select_option("remind")
        editor.locator("[name=prompt]").fill("Never")
        editor.locator("[name=when]").select_option("cron")
        editor.locator("[name=cron]").fill("61 7 * * *")
        when_error = editor.locator(".field-error[data-field=when]")
        page.wait_for_function(
            """el => (el.shadowRoot.querySelector('.field-error[data-field=when]')
                ?.textContent || '').includes('61 7 * * *')""",
            arg=card.element_handle(),
            timeout=10_000,
        )
        editor.get_by_role("button", name="Save").click()
        page.wait_for_timeout(500)
        assert "61 7 * * *" in when_error.inner_text()
        assert editor.is_visible()
        assert "Broken" not in tasks()
        editor.get_by_role("button", name="Close").click()

        # A one-off in 10 minutes.
        card.get_by_role("button", name="New task").click()
        editor.locator("[name=name]").fill("Tea")
        editor.locator("[name=action]").select_option("remind")
        editor.locator("[name=prompt]").fill("The tea is ready")
        editor.locator("[name=when]").select_option("in")
        editor.locator("[name=minutes_from_now]").fill("10")
        page.wait_for_function(
            """el => el.shadowRoot.querySelector('.schedule-text')?.textContent
                === 'Once'""",
            arg=card.element_handle(),
            timeout=10_000,
        )
        editor.get_by_role("button", name="Save").click()
        card.locator("tr.task", has_text="Tea").wait_for(timeout=10_000)
        assert tasks()["Tea"]["kind"] == "once"

        # Move the bins to the weekend, 09:00: the same task, new words.
        bins_row.get_by_role("button", name="Edit").click()
        assert editor.locator("[name=when]").input_value() == "weekdays"
        assert editor.locator("[name=prompt]").input_value() == "Put the bins out"
        editor.locator("[name=when]").select_option("days")
        editor.locator("[name=time]").fill("09:00")
        editor.locator("input[name=day][value='6']").check()
        editor.locator("input[name=day][value='0']").check()
        page.wait_for_function(
            """el => el.shadowRoot.querySelector('.schedule-text')?.textContent
                === 'At 09:00, only on Saturday and Sunday'""",
            arg=card.element_handle(),
            timeout=10_000,
        )
        editor.get_by_role("button", name="Save").click()
        editor.wait_for(state="detached", timeout=10_000)
        card.locator(
            "tr.task", has_text="At 09:00, only on Saturday and Sunday"
        ).wait_for(timeout=10_000)
        moved = tasks()["Bins"]
        assert moved["task_id"] == bins["task_id"]
        assert moved["cron"] == "0 9 * * 6,0"

        # A routine, through Home Assistant's own subentry flow: made, then a bad
        # cron refused with the flow's translated error, then changed.
        card.get_by_role("button", name="New routine").click()
        routine_editor = card.locator("form.routine-editor")
        routine_editor.locator("[name=name]").fill("Plant check")
        routine_editor.locator("[name=agent]").fill("Nikki")
        routine_editor.locator("[name=prompt]").fill("turn on the kitchen light")
        routine_editor.locator("[name=schedule]").select_option("daily")
        routine_editor.locator("[name=time]").fill("18:00")
        routine_editor.get_by_role("button", name="Save").click()
        routine_editor.wait_for(state="detached", timeout=10_000)
        plants = card.locator("tr.routine", has_text="Plant check")
        plants.wait_for(timeout=10_000)
        assert "At 18:00" in plants.inner_text()
        plants.get_by_role("button", name="Edit").click()
        routine_editor.locator("[name=schedule]").select_option("cron")
        routine_editor.locator("[name=cron]").fill("61 18 * * 1")
        routine_editor.get_by_role("button", name="Save").click()
        cron_error = routine_editor.locator(".field-error[data-field=cron]")
        page.wait_for_function(
            """el => (el.shadowRoot.querySelector(
                '.routine-editor .field-error[data-field=cron]')?.textContent || '')
                .includes('not a valid')""",
            arg=card.element_handle(),
            timeout=10_000,
        )
        assert "cron" in cron_error.inner_text()
        routine_editor.locator("[name=cron]").fill("0 18 * * 1")
        routine_editor.get_by_role("button", name="Save").click()
        routine_editor.wait_for(state="detached", timeout=10_000)
        card.locator("tr.routine", has_text="At 18:00, only on Monday").wait_for(
            timeout=10_000
        )
        # Deleted (after a second click), and gone from the integration too.
        plants.get_by_role("button", name="Delete").click()
        plants.get_by_role("button", name="Delete it?").click()
        plants.wait_for(state="detached", timeout=10_000)
        assert card.locator("tr.routine", has_text="Audit").count() == 1
        assert (
            card.locator("tr.routine", has_text="Audit")
            .get_by_role("button", name="Delete")
            .count()
            == 0
        )  # a built-in routine is paused, not deleted

        # The card picker's visual editor changes the card's options.
        changed = page.evaluate(
            """() => {
                const editor = customElements.get('dland-assistant-card')
                    .getConfigElement();
                editor.setConfig({type: 'custom:dland-assistant-card', title: 'Home'});
                document.body.appendChild(editor);
                let config;
                editor.addEventListener('config-changed', (e) => {
                    config = e.detail.config;
                });
                const input = editor.shadowRoot.querySelector('input[name=executions]');
                input.value = '4';
                input.dispatchEvent(new Event('change'));
                editor.remove();
                return config;
            }"""
        )
        assert changed == {
            "type": "custom:dland-assistant-card",
            "title": "Home",
            "executions": 4,
        }

        # Narrow screens and the dark theme.
        page.set_viewport_size({"width": 390, "height": 844})
        page.emulate_media(color_scheme="dark")
        page.wait_for_timeout(500)
        page.screenshot(path=SCREENSHOTS / "card-narrow-dark.png", full_page=True)
        assert errors == []
        assert words.count() == 0  # the editor is closed

    # Outside the browser's loop: the routine is gone from the integration too.
    [subentries] = hass.websocket(
        {
            "type": "config_entries/subentries/list",
            "entry_id": hass.config_entry_id("dland_assistant"),
        }
    )
    titles = {subentry["title"] for subentry in subentries}
    assert "Plant check" not in titles
    assert "Audit" in titles
