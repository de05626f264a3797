"""Outside sources: Vonage SMS, YouTube and WHMCS, each set up once."""

from typing import Any, override

import voluptuous as vol

from homeassistant.helpers import selector

from ..const import (
    CONF_AGENT,
    CONF_CALLBACK_URL,
    CONF_CHANNELS,
    CONF_HUB_URL,
    CONF_IDENTIFIER,
    CONF_INTERVAL,
    CONF_PROMPT,
    CONF_SECRET,
    CONF_SIGNATURE_METHOD,
    CONF_SIGNATURE_SECRET,
    CONF_UNKNOWN_SENDERS,
    CONF_URL,
    SUBENTRY_VONAGE,
    SUBENTRY_WHMCS,
    SUBENTRY_YOUTUBE,
)
from ..sources.vonage import SIGNATURE_METHODS, UNKNOWN_SENDER_OPTIONS
from ..sources.whmcs import WhmcsError, async_get_tickets
from .form import SubentryFormFlow, is_unknown_agent, number_field


def wake_fields() -> dict[Any, Any]:
    """Return the fields for the agent a source wakes and what it is asked."""
    return {
        vol.Optional(CONF_AGENT): selector.TextSelector(),
        vol.Optional(CONF_PROMPT): selector.TextSelector(
            selector.TextSelectorConfig(multiline=True)
        ),
    }


class SourceSubentryFlow(SubentryFormFlow):
    """An outside source: set up once, optionally waking an agent."""

    kind: str
    title: str

    @override
    def _errors(self, data: dict[str, Any], own_id: str | None) -> dict[str, str]:
        entry = self._get_entry()
        if any(
            sub.subentry_type == self.kind and sub.subentry_id != own_id
            for sub in entry.subentries.values()
        ):
            return {"base": "already_configured"}
        if is_unknown_agent(self.hass, entry, data.get(CONF_AGENT)):
            return {CONF_AGENT: "unknown_agent"}
        return self._source_errors(data)

    def _source_errors(self, data: dict[str, Any]) -> dict[str, str]:
        return {}

    @override
    def _title_and_data(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.title, data


def _password() -> selector.TextSelector:
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
    )


def _url() -> selector.TextSelector:
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
    )


class VonageSubentryFlow(SourceSubentryFlow):
    """Inbound SMS from Vonage: the signature secret and who to wake."""

    kind = SUBENTRY_VONAGE
    title = "Vonage SMS"

    @override
    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_SIGNATURE_SECRET): _password(),
                vol.Required(
                    CONF_SIGNATURE_METHOD, default="md5hash"
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=list(SIGNATURE_METHODS),
                        translation_key="signature_method",
                    )
                ),
                **wake_fields(),
                vol.Required(
                    CONF_UNKNOWN_SENDERS, default="store"
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=list(UNKNOWN_SENDER_OPTIONS),
                        translation_key="unknown_senders",
                    )
                ),
            }
        )


class YouTubeSubentryFlow(SourceSubentryFlow):
    """YouTube channels to follow through WebSub push."""

    kind = SUBENTRY_YOUTUBE
    title = "YouTube"

    @override
    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_CHANNELS): selector.TextSelector(),
                vol.Required(CONF_SECRET): _password(),
                vol.Required(CONF_CALLBACK_URL): _url(),
                vol.Optional(CONF_HUB_URL): _url(),
                **wake_fields(),
            }
        )

    @override
    def _source_errors(self, data: dict[str, Any]) -> dict[str, str]:
        if not str(data[CONF_CALLBACK_URL]).endswith("/api/events/youtube"):
            return {CONF_CALLBACK_URL: "bad_callback_url"}
        return {}


class WhmcsSubentryFlow(SourceSubentryFlow):
    """WHMCS support tickets, polled."""

    kind = SUBENTRY_WHMCS
    title = "WHMCS tickets"

    @override
    def _schema(self) -> vol.Schema:
        return vol.Schema(
            {
                vol.Required(CONF_URL): _url(),
                vol.Required(CONF_IDENTIFIER): selector.TextSelector(),
                vol.Required(CONF_SECRET): _password(),
                vol.Required(CONF_INTERVAL, default=5): vol.All(
                    number_field(1, 1440, "min"), vol.Coerce(int)
                ),
                **wake_fields(),
            }
        )

    @override
    async def _async_check(self, data: dict[str, Any]) -> dict[str, str]:
        """Ask WHMCS for its tickets with these credentials before saving them."""
        try:
            await async_get_tickets(self.hass, data)
        except WhmcsError as err:
            return {"base": err.reason}
        return {}
