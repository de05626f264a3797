"""Serves the dashboard card and adds it to the frontend (and its card picker)."""

from pathlib import Path

from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_integration

from .const import DOMAIN

CARD_FILE = Path(__file__).parent / "frontend" / "dland-assistant-card.js"
CARD_URL = f"/{DOMAIN}/dland-assistant-card.js"


async def async_setup_card(hass: HomeAssistant) -> None:
    """Serve the card; load it on every dashboard when the frontend runs."""
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=False)]
    )
    if "frontend" not in hass.config.components:
        return
    from homeassistant.components.frontend import (  # noqa: PLC0415 - optional
        add_extra_js_url,
    )

    # The version in the URL makes browsers fetch the card again after an update.
    version = (await async_get_integration(hass, DOMAIN)).version
    add_extra_js_url(hass, f"{CARD_URL}?v={version}")
