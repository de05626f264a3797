"""Driving the card's editors: Home Assistant's own fields, as a user does."""

from playwright.sync_api import Locator, Page


def fill(editor: Locator, name: str, value: str) -> None:
    """Type into a text, number, time or date field (an ``ha-input``)."""
    editor.locator(f"ha-input[name={name}] input").fill(value)


def write(editor: Locator, name: str, value: str) -> None:
    """Type into a text area (an ``ha-selector`` of long text)."""
    editor.locator(f"ha-selector[name={name}] textarea").fill(value)


def choose(page: Page, editor: Locator, name: str, label: str) -> None:
    """Open a dropdown (an ``ha-selector`` of options) and pick ``label``."""
    editor.locator(f"ha-selector[name={name}]").click()
    page.get_by_role("menuitem", name=label, exact=True).click()


def chosen(editor: Locator, name: str) -> object:
    """The value a dropdown holds."""
    return editor.locator(f"ha-selector[name={name}]").evaluate("el => el.value")


def pick(page: Page, editor: Locator, name: str, label: str) -> None:
    """Open a searchable picker (options or your own value), search, pick ``label``."""
    editor.locator(f"ha-selector[name={name}]").click()
    page.get_by_placeholder("Search | Add custom item").fill(label)
    page.locator("ha-combo-box-item", has_text=label).first.click()
