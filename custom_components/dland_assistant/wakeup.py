"""Waking an agent from outside: ``POST /api/wakeup`` and the ``wakeup`` action.

A wakeup is an execution in the same log as scheduled tasks, with no stored task.
Its ``context`` reaches the agent as quoted data with its source named, never as
instructions.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web
import voluptuous as vol

from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from . import task_manager
from .const import DOMAIN
from .models import Execution, unstored_task
from .personas import Persona
from .scheduler import Overloaded
from .untrusted import quote_context

# A wakeup body is a short request; anything larger is refused unread.
MAX_BODY_BYTES = 64 * 1024

WAKEUP_FIELDS = vol.Schema(
    {
        vol.Required("agent"): str,
        vol.Required("prompt"): str,
        vol.Optional("user"): vol.Any(str, None),
        vol.Optional("platform"): vol.Any(str, None),
        vol.Optional("context"): dict,
        vol.Optional("wait", default=False): bool,
        vol.Optional("deliver"): bool,
    }
)


@dataclass(frozen=True, slots=True)
class WakeupResult:
    """A started wakeup, and a way to wait for its end."""

    execution_id: str
    done: asyncio.Event


def validate_wakeup(
    hass: HomeAssistant, data: dict[str, Any]
) -> tuple[str, str, Persona | None, str | None]:
    """Return the prompt, agent, persona and channel of a wakeup.

    Raises ServiceValidationError for bad input or an unknown agent.
    """
    prompt = task_manager.validate_prompt(data["prompt"])
    agent, persona = task_manager.resolve_agent(hass, data["agent"])
    platform = data.get("platform") or None
    task_manager.validate_channel(platform)
    return prompt, agent, persona, platform


async def async_wakeup(
    hass: HomeAssistant, data: dict[str, Any], origin: str, default_user: str | None
) -> WakeupResult:
    """Validate a wakeup and start its run.

    Raises ServiceValidationError (bad input, unknown agent) or Overloaded.
    """
    runtime = task_manager.get_runtime(hass)
    prompt, agent, persona, platform = validate_wakeup(hass, data)
    task = unstored_task(
        name=f"Wakeup from {origin}",
        agent=agent,
        prompt=prompt + quote_context(origin, data.get("context")),
        source=origin,
        timeout=persona.timeout if persona else runtime.default_timeout,
        user=data.get("user") or default_user,
        platform=platform,
        deliver=data.get("deliver", persona.deliver if persona else True),
        attachments=tuple(data.get("attachments", ())),
    )
    execution_id, done = await runtime.scheduler.async_wakeup(task, origin)
    return WakeupResult(execution_id, done)


async def async_result(hass: HomeAssistant, result: WakeupResult) -> Execution:
    """Wait for a wakeup to end and return its execution."""
    await result.done.wait()
    execution = await task_manager.get_runtime(hass).store.async_get_execution(
        result.execution_id
    )
    assert execution is not None
    return execution


def json_error(status: HTTPStatus, message: str, **headers: str) -> web.Response:
    """Return a JSON error body with a message."""
    return web.json_response({"message": message}, status=status, headers=headers)


def overloaded_response(err: Overloaded) -> web.Response:
    """Answer a shed request: 429 over a source's rate, else 503."""
    return json_error(
        HTTPStatus.TOO_MANY_REQUESTS
        if err.reason == "rate_limited"
        else HTTPStatus.SERVICE_UNAVAILABLE,
        f"Busy ({err.reason}); try again later",
        **{"Retry-After": str(err.retry_after)},
    )


async def async_read_json(request: web.Request) -> dict[str, Any] | web.Response:
    """Read a JSON object body within the size limit, or the error response."""
    if request.content_type not in ("application/json", "application/octet-stream"):
        return json_error(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Send JSON (Content-Type: application/json)",
        )
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return json_error(HTTPStatus.BAD_REQUEST, f"Body over {MAX_BODY_BYTES} bytes")
    body = await request.content.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return json_error(HTTPStatus.BAD_REQUEST, f"Body over {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except ValueError:
        return json_error(HTTPStatus.BAD_REQUEST, "Malformed JSON")
    if not isinstance(payload, dict):
        return json_error(HTTPStatus.BAD_REQUEST, "The body must be a JSON object")
    fields: dict[str, Any] = payload
    return fields


class WakeupView(HomeAssistantView):
    """``POST /api/wakeup``: wake an agent now (Home Assistant token required)."""

    url = "/api/wakeup"
    name = f"api:{DOMAIN}:wakeup"
    requires_auth = True

    async def post(self, request: web.Request) -> web.Response:
        """Validate, start, and answer 202 (or 200 with the result when waiting)."""
        hass = request.app[KEY_HASS]
        payload = await async_read_json(request)
        if isinstance(payload, web.Response):
            return payload
        try:
            data = WAKEUP_FIELDS(payload)
        except vol.Invalid as err:
            return json_error(HTTPStatus.BAD_REQUEST, f"Invalid request: {err}")
        try:
            result = await async_wakeup(hass, data, "api", request[KEY_HASS_USER].id)
        except ServiceValidationError as err:
            status = (
                HTTPStatus.NOT_FOUND
                if err.translation_key == "unknown_agent"
                else HTTPStatus.BAD_REQUEST
            )
            return json_error(status, str(err))
        except Overloaded as err:
            return overloaded_response(err)
        if not data["wait"]:
            return web.json_response(
                {"execution_id": result.execution_id}, status=HTTPStatus.ACCEPTED
            )
        execution = await async_result(hass, result)
        return web.json_response(
            {
                "execution_id": execution.execution_id,
                "status": execution.status.value,
                "response": execution.response,
                "error": execution.error,
            }
        )


def overloaded_error(err: Overloaded) -> HomeAssistantError:
    """Return the translated error for a refused wakeup."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="overloaded",
        translation_placeholders={"reason": err.reason, "retry": str(err.retry_after)},
    )
