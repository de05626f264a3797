"""No secret reaches the log, stored events or fired events."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.dland_assistant.const import EVENT_EXECUTION_FINISHED
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, add_subentry, runtime, settle

SECRETS = ("vonage-SECRET-1234", "websub-SECRET-5678", "whmcs-SECRET-9012")


async def test_secrets_stay_out_of_logs_and_events(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Forged requests and failing APIs log and store no secret; diagnostics too."""
    caplog.set_level("DEBUG", logger="custom_components.dland_assistant")
    aioclient_mock.post("http://hub.test/subscribe", status=HTTPStatus.FORBIDDEN)
    aioclient_mock.post(
        "http://billing.test/api.php", json={"result": "error", "message": "bad"}
    )
    finished = async_capture_events(hass, EVENT_EXECUTION_FINISHED)
    add_subentry(
        hass, entry, "agent", "Nikki", {"conversation_agent": test_agent.agent_id}
    )
    add_subentry(
        hass,
        entry,
        "vonage",
        "Vonage SMS",
        {
            "signature_secret": SECRETS[0],
            "signature_method": "md5hash",
            "agent": "Nikki",
            "unknown_senders": "wake",
        },
    )
    add_subentry(
        hass,
        entry,
        "youtube",
        "YouTube",
        {
            "channels": "UCx",
            "secret": SECRETS[1],
            "hub_url": "http://hub.test/subscribe",
            "callback_url": "https://h.example/api/events/youtube",
            "agent": "Nikki",
        },
    )
    add_subentry(
        hass,
        entry,
        "whmcs",
        "WHMCS",
        {
            "url": "http://billing.test/api.php",
            "identifier": "i",
            "secret": SECRETS[2],
            "interval": 5,
        },
    )
    await hass.async_block_till_done()
    await settle(hass)
    # Before the first client starts the web server, whose routes then freeze.
    assert await async_setup_component(hass, "diagnostics", {})
    client = await hass_client_no_auth()
    await client.get(
        "/api/events/vonage/inbound",
        params={"msisdn": "1", "sig": "x", "timestamp": "1"},
    )
    await client.post(
        "/api/events/youtube", data=b"<feed/>", headers={"X-Hub-Signature": "sha1=00"}
    )
    await settle(hass)
    events = await runtime(entry).store.async_list_events(
        dt_util.utcnow() - timedelta(days=1)
    )
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert {sub["type"] for sub in diagnostics["subentries"]} >= {"vonage", "whmcs"}
    texts: list[Any] = [
        caplog.text,
        [e.summary for e in events],
        [e.data for e in finished],
        diagnostics,
    ]
    for secret in SECRETS:
        assert secret not in repr(texts)
    assert "bad signature" in caplog.text.lower()
