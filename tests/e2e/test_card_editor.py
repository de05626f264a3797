"""Creating and editing tasks from the Mission Control card, in a real browser."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
import pytest

from .browser import logged_in_page
from .card_ui import choose, chosen, fill, pick, write
from .harness import HassProcess, wait_for
from .people import TrackedPerson, ended_runs_of, runs_of, set_state
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
        editor = card.locator("dland-task-editor")
        fill(editor, "name", "Bins")
        choose(page, editor, "action", "Remind (deliver the text)")
        write(editor, "prompt", "Put the bins out")
        choose(page, editor, "when_kind", "Weekdays at")
        fill(editor, "when_time", "07:30")
        words = editor.locator(".schedule-text")
        expect(words).to_have_text("At 07:30, Monday through Friday", timeout=10_000)
        expect(editor.locator(".next-runs li")).to_have_count(5)
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
        fill(editor, "name", "Broken")
        choose(page, editor, "action", "Remind (deliver the text)")
        write(editor, "prompt", "Never")
        choose(page, editor, "when_kind", "Custom (cron)")
        fill(editor, "when_cron", "61 7 * * *")
        when_error = editor.locator(".field-error[data-field=when]")
        expect(when_error).to_contain_text("61 7 * * *", timeout=10_000)
        page.screenshot(path=SCREENSHOTS / "card-editor-invalid.png", full_page=True)
        editor.get_by_role("button", name="Save").click()
        page.wait_for_timeout(500)
        expect(when_error).to_contain_text("61 7 * * *")
        assert editor.locator("form.task-editor").is_visible()
        assert "Broken" not in tasks()
        editor.locator("ha-dialog-footer").get_by_role("button", name="Close").click()
        editor.wait_for(state="detached", timeout=10_000)

        # A one-off in 10 minutes, one at a date and time, and every N minutes
        # and hours: each kind of "when", said in words before it is saved.
        berlin = ZoneInfo("Europe/Berlin")  # the dev configuration's time zone
        appointment = (datetime.now(berlin) + timedelta(days=40)).replace(
            hour=9, minute=15, second=0, microsecond=0
        )
        typed = appointment.strftime("%Y-%m-%dT%H:%M")
        kinds = [  # name, when, its field, typed, said, stored kind
            ("Tea", "In", "when_minutes", "10", "Once", "once"),
            ("Dentist", "At a date and time", "when_at", typed, "Once", "once"),
            ("Plants", "Every day at", "when_time", "18:00", "At 18:00", "cron"),
            ("Water", "Every N minutes", "when_every", "20", "Every 20 min", "cron"),
            ("Backup", "Every N hours", "when_every", "6", "Every 6 hours", "cron"),
            ("Rent", "Custom (cron)", "when_cron", "0 9 1 * *", "day 1 of", "cron"),
        ]
        for name, kind, field, value, said, stored in kinds:
            card.get_by_role("button", name="New task").click()
            fill(editor, "name", name)
            choose(page, editor, "action", "Remind (deliver the text)")
            write(editor, "prompt", f"About {name}")
            choose(page, editor, "when_kind", kind)
            fill(editor, field, value)
            expect(words).to_contain_text(said, timeout=10_000)
            editor.get_by_role("button", name="Save").click()
            editor.wait_for(state="detached", timeout=10_000)
            card.locator("tr.task", has_text=name).wait_for(timeout=10_000)
            assert tasks()[name]["kind"] == stored, name
        assert tasks()["Water"]["cron"] == "*/20 * * * *"
        assert tasks()["Backup"]["cron"] == "0 */6 * * *"
        assert tasks()["Plants"]["cron"] == "0 18 * * *"
        assert tasks()["Rent"]["cron"] == "0 9 1 * *"
        # The wall clock typed is the home's.
        dentist = datetime.fromisoformat(str(tasks()["Dentist"]["next_run"]))
        assert dentist == appointment

        # Move the bins to the weekend, 09:00: the same task, new words.
        bins_row.get_by_role("button", name="Edit").click()
        assert chosen(editor, "when_kind") == "weekdays"
        assert (
            editor.locator("ha-selector[name=prompt] textarea").input_value()
            == "Put the bins out"
        )
        choose(page, editor, "when_kind", "On chosen days at")
        fill(editor, "when_time", "09:00")
        editor.locator("ha-button.day[data-day='6']").click()
        editor.locator("ha-button.day[data-day='0']").click()
        expect(words).to_have_text(
            "At 09:00, only on Saturday and Sunday", timeout=10_000
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
        routine_editor = card.locator("dland-routine-editor")
        fill(routine_editor, "name", "Plant check")
        pick(page, routine_editor, "agent", "Nikki")
        write(routine_editor, "prompt", "turn on the kitchen light")
        choose(page, routine_editor, "schedule", "Every day at")
        fill(routine_editor, "time", "18:00")
        routine_editor.get_by_role("button", name="Save").click()
        routine_editor.wait_for(state="detached", timeout=10_000)
        plants = card.locator("tr.routine", has_text="Plant check")
        plants.wait_for(timeout=10_000)
        assert "At 18:00" in plants.inner_text()
        plants.get_by_role("button", name="Edit").click()
        choose(page, routine_editor, "schedule", "Custom (cron)")
        fill(routine_editor, "cron", "61 18 * * 1")
        routine_editor.get_by_role("button", name="Save").click()
        cron_error = routine_editor.locator(".field-error[data-field=cron]")
        expect(cron_error).to_contain_text("not a valid", timeout=10_000)
        assert "cron" in cron_error.inner_text()
        fill(routine_editor, "cron", "0 18 * * 1")
        choose(page, routine_editor, "missed_run_policy", "Skip")
        fill(routine_editor, "retry_attempts", "2")
        routine_editor.get_by_role("button", name="Save").click()
        routine_editor.wait_for(state="detached", timeout=10_000)
        card.locator("tr.routine", has_text="At 18:00, only on Monday").wait_for(
            timeout=10_000
        )
        # As the integration now holds it (its live feed to the card).
        plant_check_data = card.evaluate(
            "el => el._view.routines.find(r => r.name === 'Plant check').form"
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

        # The card picker's visual editor: Home Assistant's own form.
        page.evaluate(
            """() => {
                const editor = customElements.get('dland-assistant-card')
                    .getConfigElement();
                editor.hass = document.querySelector('home-assistant').hass;
                editor.setConfig({type: 'custom:dland-assistant-card', title: 'Home'});
                editor.addEventListener('config-changed', (e) => {
                    window.changedConfig = e.detail.config;
                });
                document.body.appendChild(editor);
            }"""
        )
        options = page.locator("body > dland-assistant-card-editor")
        expect(options.locator("ha-selector-text input")).to_have_value(
            "Home", timeout=10_000
        )
        expect(options.locator("ha-selector-number")).to_contain_text(
            "Recent runs shown"
        )
        options.locator("ha-selector-number input").fill("4")
        page.wait_for_function("window.changedConfig?.executions === 4")
        assert page.evaluate("window.changedConfig") == {
            "type": "custom:dland-assistant-card",
            "title": "Home",
            "executions": 4,
        }
        page.evaluate("document.querySelector('dland-assistant-card-editor').remove()")

        # Narrow screens and the dark theme, with the editor open.
        page.set_viewport_size({"width": 390, "height": 844})
        page.emulate_media(color_scheme="dark")
        page.wait_for_timeout(500)
        page.screenshot(path=SCREENSHOTS / "card-narrow-dark.png")
        bins_row.get_by_role("button", name="Edit").click()
        expect(words).to_have_text(
            "At 09:00, only on Saturday and Sunday", timeout=10_000
        )
        page.screenshot(path=SCREENSHOTS / "card-editor-narrow-dark.png")
        editor.locator("ha-dialog-footer").get_by_role("button", name="Close").click()
        editor.wait_for(state="detached", timeout=10_000)
        assert errors == []

    # Outside the browser's loop: the routine is gone from the integration too.
    [subentries] = hass.websocket(
        {
            "type": "config_entries/subentries/list",
            "entry_id": hass.config_entry_id("dland_assistant"),
        }
    )
    titles = {subentry["title"] for subentry in subentries}
    assert plant_check_data["missed_run_policy"] == "skip"
    assert plant_check_data["retry_attempts"] == 2
    assert plant_check_data["cron"] == "0 18 * * 1"
    assert "Plant check" not in titles
    assert "Audit" in titles


def test_moments_are_made_and_changed_from_the_card(
    hass_process: Callable[..., HassProcess],
) -> None:
    """ "When someone arrives" (Liz, home): said in words while typing, stored as
    a zone trigger, and Liz's arrival reminds once. A washer done, picked with
    Home Assistant's entity picker; then edited into every time, after 17:00:
    the same task, its moment changed."""
    hass = hass_process()
    hass.start()
    hass.onboard()
    hass.finish_onboarding()
    hass.wait_for_integration()
    liz = TrackedPerson(hass, "Liz")
    liz.move("not_home")
    set_state(hass, "sensor.washer", "running", friendly_name="Washer")

    def tasks() -> dict[str, dict[str, Any]]:
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
        editor = card.locator("dland-task-editor")
        words = editor.locator(".schedule-text")

        card.get_by_role("button", name="New task").click()
        fill(editor, "name", "Laundry")
        choose(page, editor, "action", "Remind (deliver the text)")
        write(editor, "prompt", "take the laundry out")
        choose(page, editor, "when_kind", "When someone arrives")
        choose(page, editor, "when_person", "Liz")
        assert chosen(editor, "when_zone") == "zone.home"
        expect(words).to_have_text("When Liz gets home", timeout=10_000)
        assert editor.locator(".next-runs li").count() == 0
        page.screenshot(path=SCREENSHOTS / "card-editor-moment.png", full_page=True)
        editor.get_by_role("button", name="Save").click()
        editor.wait_for(state="detached", timeout=10_000)
        card.locator("tr.task", has_text="When Liz gets home").wait_for(timeout=10_000)
        laundry = tasks()["Laundry"]
        assert laundry["kind"] == "moment"
        assert laundry["moment"]["trigger"] == {
            "trigger": "zone",
            "entity_id": liz.entity_id,
            "zone": "zone.home",
            "event": "enter",
        }

        card.get_by_role("button", name="New task").click()
        fill(editor, "name", "Washing")
        choose(page, editor, "action", "Remind (deliver the text)")
        write(editor, "prompt", "hang the washing")
        choose(page, editor, "when_kind", "When a device is done")
        editor.locator("ha-selector[name=when_entity]").click()
        page.get_by_placeholder("Search", exact=True).fill("Washer")
        page.locator("ha-combo-box-item", has_text="Washer").first.click()
        expect(words).to_have_text("When Washer is done", timeout=10_000)
        editor.get_by_role("button", name="Save").click()
        editor.wait_for(state="detached", timeout=10_000)
        washing_row = card.locator("tr.task", has_text="Washing")
        washing_row.wait_for(timeout=10_000)

        # Every time, after 17:00: the same task, its moment changed.
        washing_row.get_by_role("button", name="Edit").click()
        assert chosen(editor, "when_kind") == "done"
        expect(words).to_have_text("When Washer is done", timeout=10_000)
        fill(editor, "when_after", "17:00")
        editor.locator("ha-switch[name=when_every_time]").click()
        expect(words).to_have_text(
            "Every time Washer is done, after 17:00", timeout=10_000
        )
        editor.get_by_role("button", name="Save").click()
        editor.wait_for(state="detached", timeout=10_000)
        card.locator("tr.task", has_text="Every time Washer is done").wait_for(
            timeout=10_000
        )
        assert errors == []

    washing = tasks()["Washing"]
    assert washing["moment"]["trigger"]["entity_id"] == "sensor.washer"
    assert (washing["moment"]["after"], washing["moment"]["every_time"]) == (
        "17:00:00",
        True,
    )
    # Liz comes home: the card-made reminder runs once.
    liz.move("home")
    runs = wait_for(lambda: ended_runs_of(hass, laundry["task_id"]), 15, "the reminder")
    assert [run["response"] for run in runs] == ["Liz came home: take the laundry out"]
    liz.move("not_home")
    liz.move("home")
    assert len(runs_of(hass, laundry["task_id"])) == 1
