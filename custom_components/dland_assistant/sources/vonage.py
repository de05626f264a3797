"""Vonage inbound SMS at ``/api/events/vonage/inbound`` (GET and POST).

Vonage cannot send a Home Assistant token, so each request is authenticated by its
``sig`` signature (Vonage "signed webhooks": md5hash, or an HMAC with md5, sha1,
sha256 or sha512) with the configured secret, and must be fresh. Messages are
de-duplicated by ``messageId``; senders map to people by their phone number.
"""

from collections.abc import Mapping
import hashlib
import hmac
from http import HTTPStatus
import json
import math
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util

from ..const import (
    CONF_AGENT,
    CONF_PROMPT,
    CONF_SIGNATURE_METHOD,
    CONF_SIGNATURE_SECRET,
    CONF_UNKNOWN_SENDERS,
    DOMAIN,
    LOGGER,
    SUBENTRY_VONAGE,
)
from ..errors import Overloaded
from ..models import Trust
from ..runtime import loaded_entry
from ..subentries import recipient_by_phone, source_config
from . import router
from .bodies import async_read_body
from .http import MAX_BODY_BYTES, json_error
from .refusals import RefusalLog
from .wakeup import Wakeup

SIGNATURE_METHODS = ("md5hash", "md5", "sha1", "sha256", "sha512")
UNKNOWN_SENDER_OPTIONS = ("ignore", "store", "wake")
# A signed request older than this is refused, so a captured one cannot be replayed.
MAX_AGE_SECONDS = 300
DEFAULT_PROMPT = "An SMS arrived. Tell the person it is for what it says, briefly."


def vonage_signature(params: Mapping[str, str], secret: str, method: str) -> str:
    """Return Vonage's signature of request parameters (``sig`` excluded)."""
    if method == "md5hash":
        hasher: Any = hashlib.md5()
    else:
        hasher = hmac.new(secret.encode(), digestmod=method)
    for key in sorted(params):
        if key == "sig":
            continue
        value = params[key].replace("&", "_").replace("=", "_")
        hasher.update(f"&{key}={value}".encode())
    if method == "md5hash":
        hasher.update(secret.encode())
    return str(hasher.hexdigest())


def signature_valid(params: Mapping[str, str], secret: str, method: str) -> bool:
    """Check ``sig`` and the timestamp's freshness."""
    given = params.get("sig", "").lower()
    try:
        age = dt_util.utcnow().timestamp() - float(params.get("timestamp", ""))
    except ValueError:
        return False
    # NaN compares false with everything: without isfinite it would never expire.
    if not given or not math.isfinite(age) or abs(age) > MAX_AGE_SECONDS:
        return False
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError).
    return hmac.compare_digest(
        given.encode(errors="replace"),
        vonage_signature(params, secret, method).encode(),
    )


class VonageInboundView(HomeAssistantView):
    """Inbound SMS webhook of Vonage."""

    url = "/api/events/vonage/inbound"
    name = f"api:{DOMAIN}:events:vonage"
    requires_auth = False

    def __init__(self) -> None:
        """Count refusals per Home Assistant (one view each)."""
        self.bad_signatures = RefusalLog(
            "Vonage requests with a bad or stale signature"
        )

    async def get(self, request: web.Request) -> web.Response:
        """Vonage's GET webhook: the parameters are in the query."""
        return await self._async_handle(request, dict(request.query))

    async def post(self, request: web.Request) -> web.Response:
        """Vonage's POST webhook: a form or JSON body."""
        body = await async_read_body(request, MAX_BODY_BYTES)
        if body is None:
            return json_error(HTTPStatus.BAD_REQUEST, "Body too large")
        try:
            if request.content_type == "application/json":
                loaded = json.loads(body)
                if not isinstance(loaded, dict):
                    raise ValueError("not an object")  # noqa: TRY301
                params = {str(k): str(v) for k, v in loaded.items()}
            else:
                params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        except ValueError:
            return json_error(HTTPStatus.BAD_REQUEST, "Malformed body")
        return await self._async_handle(request, params)

    async def _async_handle(
        self, request: web.Request, params: dict[str, str]
    ) -> web.Response:
        hass = request.app[KEY_HASS]
        try:
            entry = loaded_entry(hass)
        except ServiceValidationError:
            return json_error(HTTPStatus.NOT_FOUND, "Not set up")
        config = source_config(entry, SUBENTRY_VONAGE)
        if config is None:
            return json_error(HTTPStatus.NOT_FOUND, "Vonage is not set up")
        if not signature_valid(
            params, config[CONF_SIGNATURE_SECRET], config[CONF_SIGNATURE_METHOD]
        ):
            self.bad_signatures.refused()
            return json_error(HTTPStatus.UNAUTHORIZED, "Bad signature")
        message_id, sender = params.get("messageId"), params.get("msisdn")
        text = params.get("text", "")
        if not message_id or not sender:
            return json_error(HTTPStatus.BAD_REQUEST, "Missing messageId or msisdn")
        known = recipient_by_phone(entry, sender)
        person = known.person if known else None
        unknown = config.get(CONF_UNKNOWN_SENDERS, "store")
        if person is None and unknown == "ignore":
            return web.Response(status=HTTPStatus.OK)
        wake = None
        if config.get(CONF_AGENT) and (person is not None or unknown == "wake"):
            wake = Wakeup(
                agent=config[CONF_AGENT],
                prompt=config.get(CONF_PROMPT) or DEFAULT_PROMPT,
                trust=Trust.OUTSIDE,
                quoted={"from": sender, "text": text},
            )
        try:
            await router.async_route_event(
                hass,
                entry=entry,
                source="vonage",
                event_type="sms",
                summary=f"SMS from {sender}: {text}",
                user=person,
                significance=2 if person else 1,
                dedupe_key=message_id,
                wake=wake,
            )
        except ServiceValidationError as err:
            if err.translation_key == "event_quota":
                # Not stored: Vonage keeps the message and retries later.
                LOGGER.warning("SMS %s refused for now: %s", message_id, err)
                return web.Response(status=HTTPStatus.TOO_MANY_REQUESTS)
            LOGGER.warning("SMS %s stored but no agent woke: %s", message_id, err)
        except Overloaded as err:
            # Stored; Vonage must not retry because our agent is busy.
            LOGGER.warning("SMS %s stored but no agent woke: %s", message_id, err)
        return web.Response(status=HTTPStatus.OK)
