"""The JSON views' common shape: read the body whole, validate it, answer errors.

Each view says what its body must hold (``schema``) and what to do with it
(``async_handle``); refusals are answered the same everywhere: 400 for bad
input, 404 for an unknown agent, 429 for a caller over its share or a source over
its quota, 503 when agents are shed, each with ``Retry-After`` where it helps.
"""

from abc import abstractmethod
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web
import voluptuous as vol

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from ..errors import Overloaded
from .bodies import async_read_body

# A JSON body is a short request; anything larger is refused unread.
MAX_BODY_BYTES = 64 * 1024
# How long a source over its quota of stored events should wait.
QUOTA_RETRY_AFTER = 3600


def json_error(status: HTTPStatus, message: str, **headers: str) -> web.Response:
    """Return a JSON error body with a message."""
    return web.json_response({"message": message}, status=status, headers=headers)


def overloaded_response(err: Overloaded) -> web.Response:
    """Answer a shed request: 429 when the caller asks too much, else 503."""
    return json_error(
        HTTPStatus.TOO_MANY_REQUESTS
        if err.reason in ("rate_limited", "caller_busy")
        else HTTPStatus.SERVICE_UNAVAILABLE,
        f"Busy ({err.reason}); try again later",
        **{"Retry-After": str(err.retry_after)},
    )


def refusal_response(err: ServiceValidationError) -> web.Response:
    """Answer bad input (400), an unknown agent (404) or a full quota (429)."""
    if err.translation_key == "event_quota":
        return json_error(
            HTTPStatus.TOO_MANY_REQUESTS,
            str(err),
            **{"Retry-After": str(QUOTA_RETRY_AFTER)},
        )
    if err.translation_key == "unknown_agent":
        return json_error(HTTPStatus.NOT_FOUND, str(err))
    return json_error(HTTPStatus.BAD_REQUEST, str(err))


async def async_read_json(request: web.Request) -> dict[str, Any] | web.Response:
    """Read a JSON object body within the size limit, or the error response."""
    if request.content_type not in ("application/json", "application/octet-stream"):
        return json_error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Send JSON (Content-Type: application/json)",
        )
    body = await async_read_body(request, MAX_BODY_BYTES)
    if body is None:
        return json_error(HTTPStatus.BAD_REQUEST, f"Body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except ValueError:
        return json_error(HTTPStatus.BAD_REQUEST, "Malformed JSON")
    if not isinstance(payload, dict):
        return json_error(HTTPStatus.BAD_REQUEST, "The body must be a JSON object")
    fields: dict[str, Any] = payload
    return fields


class JsonView(HomeAssistantView):
    """A POST endpoint taking one JSON object that ``schema`` validates."""

    schema: vol.Schema

    async def post(self, request: web.Request) -> web.Response:
        """Read and validate the body, handle it, and answer refusals alike."""
        payload = await async_read_json(request)
        if isinstance(payload, web.Response):
            return payload
        try:
            data = self.schema(payload)
        except vol.Invalid as err:
            return json_error(HTTPStatus.BAD_REQUEST, f"Invalid request: {err}")
        try:
            return await self.async_handle(request.app[KEY_HASS], request, data)
        except ServiceValidationError as err:
            return refusal_response(err)
        except Overloaded as err:
            return overloaded_response(err)

    @abstractmethod
    async def async_handle(
        self, hass: HomeAssistant, request: web.Request, data: dict[str, Any]
    ) -> web.Response:
        """Do what the request asks (raising the errors ``post`` answers)."""
