"""Regressions found by fuzzing a real hass (tests/e2e/test_hostile_input.py)."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.dland_assistant.sources import youtube
from custom_components.dland_assistant.sources.vonage import vonage_signature
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, call, runtime

SECRET = "s3cret-signing-key"


async def _events(entry: MockConfigEntry) -> list[Any]:
    return await runtime(entry).store.async_list_events(
        dt_util.utcnow() - timedelta(days=1)
    )


@pytest.fixture
async def vonage(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Vonage with an HMAC-SHA256 signature secret; unknown senders are stored."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "vonage"), context={"source": SOURCE_USER}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "signature_secret": SECRET,
            "signature_method": "sha256",
            "unknown_senders": "store",
        },
    )
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("timestamp", "sig"),
    [
        # NaN is never "older than 5 minutes": it must not pass as fresh.
        ("nan", None),
        # A non-ASCII sig made hmac.compare_digest raise TypeError: a 500.
        ("now", "é" * 64),
    ],
)
async def test_vonage_refuses_nan_timestamps_and_non_ascii_signatures(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    vonage: None,
    hass_client_no_auth: ClientSessionGenerator,
    timestamp: str,
    sig: str | None,
) -> None:
    """401 and nothing stored, instead of a stored SMS or a 500."""
    if timestamp == "now":
        timestamp = str(int(dt_util.utcnow().timestamp()))
    params = {
        "msisdn": "447700900001",
        "messageId": "m-1",
        "text": "hi",
        "timestamp": timestamp,
    }
    params["sig"] = sig or vonage_signature(params, SECRET, "sha256")
    client = await hass_client_no_auth()
    response = await client.get("/api/events/vonage/inbound", params=params)
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert await _events(entry) == []


def test_youtube_non_ascii_signature_is_invalid_not_a_crash() -> None:
    """A non-ASCII X-Hub-Signature is a bad signature (it raised TypeError)."""
    assert not youtube.signature_valid(b"<feed/>", "sha1=é", "secret")
    assert not youtube.signature_valid(b"<feed/>", "sha1=\udce9", "secret")


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (
            {"type": "x", "summary": "y", "agent": "ghost", "prompt": "p"},
            HTTPStatus.NOT_FOUND,
        ),
        # Found by the fuzz: blank text, and an empty id no replay can match.
        ({"type": " ", "summary": "y"}, HTTPStatus.BAD_REQUEST),
        ({"type": "x", "summary": "\n "}, HTTPStatus.BAD_REQUEST),
        ({"type": "x", "summary": "y", "id": ""}, HTTPStatus.BAD_REQUEST),
        (
            {"type": "x", "summary": "y", "agent": "Nikki", "prompt": "  "},
            HTTPStatus.BAD_REQUEST,
        ),
        (
            {
                "type": "x",
                "summary": "y",
                "agent": "Nikki",
                "prompt": "p",
                "platform": "fax",
            },
            HTTPStatus.BAD_REQUEST,
        ),
    ],
)
async def test_refused_ha_event_stores_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    persona: str,
    test_agent: RecordingAgent,
    hass_client: ClientSessionGenerator,
    payload: dict[str, Any],
    status: HTTPStatus,
) -> None:
    """A wakeup that would be refused is refused before the event is stored."""
    client = await hass_client()
    response = await client.post("/api/events/ha", json=payload)
    assert response.status == status
    assert await _events(entry) == []
    assert test_agent.calls == []


@pytest.mark.parametrize(
    "when",
    [
        {"in": {"days": 999_999_999}},  # now + delay overflowed
        {"in": "999999999:00:00"},
        {"at": "9999-12-31T23:59:59-12:00"},  # past year 9999 in UTC
        {"at": "0001-01-01T00:00:00"},  # before year 1 in UTC (Berlin is ahead)
    ],
)
async def test_out_of_range_times_are_refused_with_a_translated_error(
    hass: HomeAssistant, entry: MockConfigEntry, when: dict[str, Any]
) -> None:
    """Times a datetime cannot hold: translated refusal, nothing stored."""
    await hass.config.async_update(time_zone="Europe/Berlin")
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "schedule_task", {"prompt": "p", **when})
    assert err.value.translation_key in ("time_out_of_range", "at_in_past")
    if "in" in when or "9999" in when["at"]:
        assert err.value.translation_key == "time_out_of_range"
    assert await runtime(entry).store.async_list_tasks() == []


@pytest.mark.parametrize("delay", [{"days": 10**9}, 10**20, {"days": 1e300}])
async def test_durations_timedelta_cannot_hold_are_invalid(
    hass: HomeAssistant, entry: MockConfigEntry, delay: Any
) -> None:
    """The schema refuses them (vol.Invalid, a 400 over REST), not OverflowError."""
    with pytest.raises(vol.Invalid):
        await call(hass, "schedule_task", {"prompt": "p", "in": delay})
    assert await runtime(entry).store.async_list_tasks() == []
