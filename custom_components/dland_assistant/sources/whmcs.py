"""WHMCS support tickets, polled with ``GetTickets`` over Home Assistant's web session.

New tickets and new replies become events (and may wake an agent). The high-water
mark (each ticket's last reply) is stored in the database, so a restart neither
repeats nor loses tickets. When the API fails, polling backs off (doubling up to an
hour) and after three failures in a row a repair issue says so; it clears on success.
"""

from dataclasses import dataclass, field
from datetime import timedelta
import json
from typing import Any

from aiohttp import ClientError

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later

from ..const import (
    CONF_AGENT,
    CONF_IDENTIFIER,
    CONF_INTERVAL,
    CONF_PROMPT,
    CONF_SECRET,
    CONF_URL,
    DOMAIN,
    LOGGER,
    SUBENTRY_WHMCS,
)
from ..models import Trust
from ..runtime import DlandConfigEntry
from ..store import StoreError
from ..subentries import source_config
from . import router
from .wakeup import Wakeup

STATE_KEY = "whmcs_last_replies"
ISSUE_ID = "whmcs_failing"
FAILURES_FOR_ISSUE = 3
MAX_BACKOFF = timedelta(hours=1)
DEFAULT_PROMPT = "A support ticket needs attention. Summarise it for the user."


class WhmcsError(Exception):
    """The WHMCS API did not answer with tickets."""

    def __init__(self, message: str, reason: str = "cannot_connect") -> None:
        """Say what went wrong; ``reason`` is the config flow's error key."""
        super().__init__(message)
        self.reason = reason


async def async_get_tickets(
    hass: HomeAssistant, config: dict[str, Any]
) -> list[dict[str, Any]]:
    """Return the open tickets of a WHMCS installation. Raises WhmcsError."""
    session = async_get_clientsession(hass)
    form = {
        "action": "GetTickets",
        "identifier": config[CONF_IDENTIFIER],
        "secret": config[CONF_SECRET],
        "responsetype": "json",
        "limitnum": "100",
    }
    try:
        async with session.post(config[CONF_URL], data=form) as response:
            text = await response.text()
    except (ClientError, TimeoutError) as err:
        raise WhmcsError(f"cannot reach WHMCS: {type(err).__name__}") from err
    try:
        body = json.loads(text)
    except ValueError as err:
        raise WhmcsError("WHMCS did not answer with JSON") from err
    if not isinstance(body, dict) or body.get("result") != "success":
        message = body.get("message", "unknown error") if isinstance(body, dict) else ""
        raise WhmcsError(f"WHMCS refused: {message}", "invalid_auth")
    tickets = (body.get("tickets") or {}).get("ticket") or []
    return [t for t in tickets if isinstance(t, dict)]


@dataclass(slots=True)
class WhmcsPoller:
    """Polls one WHMCS installation."""

    hass: HomeAssistant
    entry: DlandConfigEntry
    config: dict[str, Any]
    failures: int = 0
    unsub: CALLBACK_TYPE | None = None
    stopped: bool = False
    seen: dict[str, str] = field(default_factory=dict)

    @property
    def interval(self) -> timedelta:
        """Return the wait before the next poll, backing off after failures."""
        base = timedelta(minutes=float(self.config.get(CONF_INTERVAL, 5)))
        backed_off: timedelta = base * (2**self.failures)
        return min(backed_off, max(base, MAX_BACKOFF))

    async def async_poll(self) -> int:
        """Poll once; return how many new tickets or replies became events."""
        if self.entry.state is not ConfigEntryState.LOADED:
            # Routing needs the loaded entry; advancing the mark now would lose tickets.
            return 0
        store = self.entry.runtime_data.store
        if not self.seen and (saved := await store.async_get_state(STATE_KEY)):
            self.seen = json.loads(saved)
        try:
            tickets = await async_get_tickets(self.hass, self.config)
        except WhmcsError as err:
            self.failures += 1
            LOGGER.warning("WHMCS poll failed (%s in a row): %s", self.failures, err)
            if self.failures >= FAILURES_FOR_ISSUE:
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    ISSUE_ID,
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key=ISSUE_ID,
                    translation_placeholders={"error": str(err)},
                )
            return 0
        if self.failures >= FAILURES_FOR_ISSUE:
            ir.async_delete_issue(self.hass, DOMAIN, ISSUE_ID)
        self.failures = 0
        routed = 0
        for ticket in tickets:
            ticket_id = str(ticket.get("id", ""))
            last_reply = str(ticket.get("lastreply") or ticket.get("date") or "")
            if not ticket_id or self.seen.get(ticket_id) == last_reply:
                continue
            kind = "reply" if ticket_id in self.seen else "ticket"
            self.seen[ticket_id] = last_reply
            routed += await self._async_route(ticket, ticket_id, last_reply, kind)
        await store.async_set_state(STATE_KEY, json.dumps(self.seen))
        return routed

    async def _async_route(
        self, ticket: dict[str, Any], ticket_id: str, last_reply: str, kind: str
    ) -> int:
        subject = str(ticket.get("subject", ""))[:300]
        wake = None
        if self.config.get(CONF_AGENT):
            wake = Wakeup(
                agent=self.config[CONF_AGENT],
                prompt=self.config.get(CONF_PROMPT) or DEFAULT_PROMPT,
                trust=Trust.OUTSIDE,
                quoted={
                    "ticket": ticket.get("tid", ticket_id),
                    "subject": subject,
                    "status": ticket.get("status"),
                    "what": "new ticket" if kind == "ticket" else "new reply",
                },
            )
        try:
            result = await router.async_route_event(
                self.hass,
                entry=self.entry,
                source="whmcs",
                event_type=kind,
                summary=f"Ticket #{ticket.get('tid', ticket_id)}: {subject}",
                significance=2,
                dedupe_key=f"{ticket_id}:{last_reply}",
                wake=wake,
            )
        except HomeAssistantError as err:
            LOGGER.warning("Ticket %s stored but no agent woke: %s", ticket_id, err)
            return 1
        return 0 if result.duplicate else 1

    async def _async_tick(self, _now: Any = None) -> None:
        try:
            await self.async_poll()
        except StoreError as err:
            # The mark is written at the next poll; events are deduplicated by reply.
            LOGGER.warning("WHMCS tickets not stored, polled again later: %s", err)
        if not self.stopped:
            self.unsub = async_call_later(self.hass, self.interval, self._async_tick)

    @callback
    def async_start(self) -> None:
        """Poll now and then on the interval."""
        # Not eager: the first poll runs once the entry has finished loading.
        self.entry.async_create_background_task(
            self.hass, self._async_tick(), f"{DOMAIN} whmcs poll", eager_start=False
        )
        self.entry.async_on_unload(self._stop)

    @callback
    def _stop(self) -> None:
        self.stopped = True
        if self.unsub is not None:
            self.unsub()


@callback
def async_setup_whmcs(
    hass: HomeAssistant, entry: DlandConfigEntry
) -> WhmcsPoller | None:
    """Start polling when WHMCS is set up."""
    config = source_config(entry, SUBENTRY_WHMCS)
    if config is None:
        return None
    poller = WhmcsPoller(hass, entry, config)
    poller.async_start()
    return poller
