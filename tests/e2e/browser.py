"""Drive Debian's Chromium (headless) with playwright against a real hass."""

from collections.abc import Iterator
from contextlib import contextmanager
import json
import shutil
import time
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from .harness import HassProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network and a root user.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Yield a headless Debian Chromium."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def new_page(
    browser: Browser, hass: HassProcess, tokens: dict[str, Any] | None = None
) -> tuple[Page, list[str]]:
    """Open a page in a fresh context (empty cache and storage), logged in with
    ``tokens`` (the onboarded owner's by default); return it and its page errors."""
    tokens = tokens or hass.tokens
    stored = {
        **tokens,
        "hassUrl": hass.base,
        "clientId": hass.client_id,
        "expires": int(time.time() * 1000) + tokens["expires_in"] * 1000,
    }
    # A browser in the home's time zone (the dev configuration's), as a user's is.
    page = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin"
    ).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(
        f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(stored))});"
    )
    return page, errors


@contextmanager
def logged_in_page(
    hass: HassProcess, tokens: dict[str, Any] | None = None
) -> Iterator[tuple[Page, list[str]]]:
    """Yield a page logged in (as the onboarded owner by default), and the page
    errors seen."""
    with chromium() as browser:
        yield new_page(browser, hass, tokens)
