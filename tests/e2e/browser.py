"""Drive Debian's Chromium (headless) with playwright against a real hass."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import json
import shutil
import time

from playwright.sync_api import Page, sync_playwright

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
def logged_in_page(hass: HassProcess) -> Iterator[tuple[Page, list[str]]]:
    """Yield a page logged in as the onboarded owner, and the page errors seen."""
    tokens = {
        **hass.tokens,
        "hassUrl": hass.base,
        "clientId": hass.client_id,
        "expires": int(time.time() * 1000) + hass.tokens["expires_in"] * 1000,
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.add_init_script(
                f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))});"
            )
            yield page, errors
        finally:
            browser.close()
