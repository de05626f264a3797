"""WHMCS tickets: new tickets and replies become events; the mark survives restarts."""

from datetime import timedelta
from http import HTTPStatus
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.dland_assistant.const import DOMAIN
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .conftest import RecordingAgent, RecordingAITask, add_subentry, runtime, settle

API = "http://billing.test/includes/api.php"


def tickets(*items: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "result": "success",
        "totalresults": len(items),
        "tickets": {
            "ticket": [
                {
                    "id": i,
                    "tid": f"T{i}",
                    "subject": s,
                    "status": "Open",
                    "lastreply": r,
                }
                for i, s, r in items
            ]
        },
    }


async def _setup(
    hass: HomeAssistant, entry: MockConfigEntry, agent: RecordingAgent
) -> None:
    add_subentry(
        hass,
        entry,
        "agent",
        "Oracle",
        {"conversation_agent": agent.agent_id, "deliver": False},
    )
    await hass.async_block_till_done()
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "whmcs"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "url": API,
            "identifier": "id-1",
            "secret": "s-1",
            "interval": 5,
            "agent": "Oracle",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    await settle(hass)


async def _events(entry: MockConfigEntry) -> list[Any]:
    return await runtime(entry).store.async_list_events(
        dt_util.utcnow() - timedelta(days=1)
    )


async def test_new_tickets_and_replies_become_events_once(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    outside_agent: RecordingAITask,
) -> None:
    """Each new ticket and each new reply is one event; a restart repeats nothing."""
    aioclient_mock.post(API, json=tickets(("1", "Server down", "2026-11-28 09:00:00")))
    await _setup(hass, entry, test_agent)
    form = aioclient_mock.mock_calls[0][2]
    assert form["action"] == "GetTickets"
    assert form["identifier"] == "id-1"
    assert [e.summary for e in await _events(entry)] == ["Ticket #T1: Server down"]
    assert len(outside_agent.calls) == 1

    # The same answer again: nothing new. Then a reply and a new ticket.
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(await _events(entry)) == 1
    aioclient_mock.clear_requests()
    aioclient_mock.post(
        API,
        json=tickets(
            ("1", "Server down", "2026-11-28 09:30:00"),
            ("2", "Invoice", "2026-11-28 09:31:00"),
        ),
    )
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await settle(hass)
    types = sorted((e.type, e.summary) for e in await _events(entry))
    assert types == [
        ("reply", "Ticket #T1: Server down"),
        ("ticket", "Ticket #T1: Server down"),
        ("ticket", "Ticket #T2: Invoice"),
    ]
    # A restart keeps the high-water mark: nothing is routed twice.
    await hass.config_entries.async_reload(entry.entry_id)
    await settle(hass)
    assert len(await _events(entry)) == 3


async def test_failures_back_off_and_raise_then_clear_a_repair_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three failures in a row raise a repair issue; success clears it."""
    aioclient_mock.post(API, json=tickets())
    await _setup(hass, entry, test_agent)
    aioclient_mock.clear_requests()
    aioclient_mock.post(API, json={"result": "error", "message": "Invalid IP 1.2.3.4"})
    registry = ir.async_get(hass)
    # Fails at the next poll (5 minutes); then waits of 10 and 20 minutes (doubling)
    # before polls 2 and 3.
    freezer.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await settle(hass)
    for minutes in (10, 20):
        assert registry.async_get_issue(DOMAIN, "whmcs_failing") is None
        freezer.tick(timedelta(minutes=minutes))
        async_fire_time_changed(hass)
        await settle(hass)
    issue = registry.async_get_issue(DOMAIN, "whmcs_failing")
    assert issue is not None
    assert issue.translation_placeholders == {
        "error": "WHMCS refused: Invalid IP 1.2.3.4"
    }
    calls_before = len(aioclient_mock.mock_calls)
    # Backed off to 40 minutes: nothing 20 minutes later, then the poll succeeds.
    freezer.tick(timedelta(minutes=20))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(aioclient_mock.mock_calls) == calls_before
    aioclient_mock.clear_requests()
    aioclient_mock.post(API, json=tickets())
    freezer.tick(timedelta(minutes=20))
    async_fire_time_changed(hass)
    await settle(hass)
    assert len(aioclient_mock.mock_calls) == 1
    assert registry.async_get_issue(DOMAIN, "whmcs_failing") is None


async def test_unreachable_or_garbled_api(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    test_agent: RecordingAgent,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Connection errors and non-JSON answers count as failures, not crashes."""
    from custom_components.dland_assistant.sources.whmcs import (
        WhmcsError,
        WhmcsPoller,
        async_get_tickets,
    )

    poller = WhmcsPoller(hass, entry, {"url": API, "identifier": "i", "secret": "s"})  # type: ignore[arg-type]
    aioclient_mock.post(API, text="<html>maintenance</html>", status=HTTPStatus.OK)
    with pytest.raises(WhmcsError, match="WHMCS did not answer with JSON"):
        await async_get_tickets(hass, poller.config)
    aioclient_mock.clear_requests()
    aioclient_mock.post(API, exc=TimeoutError())
    assert await poller.async_poll() == 0
    assert poller.failures == 1


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {"json": {"result": "error", "message": "Invalid IP 1.2.3.4"}},
            "invalid_auth",
        ),
        ({"exc": TimeoutError()}, "cannot_connect"),
        ({"text": "<html>maintenance</html>"}, "cannot_connect"),
    ],
)
async def test_the_flow_tests_the_credentials_before_saving(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    answer: dict[str, Any],
    error: str,
) -> None:
    """Refused credentials or an unreachable API are a form error, and nothing is
    saved; the same answers with WHMCS answering save the source."""
    aioclient_mock.post(API, **answer)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "whmcs"), context={"source": SOURCE_USER}
    )
    answers = {"url": API, "identifier": "id-1", "secret": "s-1", "interval": 5}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answers
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert not [s for s in entry.subentries.values() if s.subentry_type == "whmcs"]
    aioclient_mock.clear_requests()
    aioclient_mock.post(API, json=tickets())
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answers
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
