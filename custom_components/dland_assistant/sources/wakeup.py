"""Waking an agent from outside: ``POST /api/wakeup`` and the ``wakeup`` action.

A wakeup is an execution in the same log as scheduled tasks, with no stored task.
Its ``context`` reaches the agent as quoted data with its source named, never as
instructions.
"""

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web
import voluptuous as vol

from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.core import Context, HomeAssistant

from .. import task_manager
from ..const import DOMAIN
from ..identity import Caller, async_caller, async_owner, async_validate_recipient
from ..models import Execution, ExecutionSource, RunRequest, Trust
from ..outside import quote_context
from ..personas import Persona, resolve_agent
from ..runtime import DlandConfigEntry, loaded_entry
from .http import JsonView

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Wakeup:
    """An agent to wake now, as an endpoint, action or source asks for it.

    ``trust`` is decided by whoever builds it: outside when anything in ``quoted``
    (or the prompt) came from outside the home.
    """

    agent: str
    prompt: str
    trust: Trust
    # Data given after the prompt, quoted and labelled, never as instructions.
    quoted: dict[str, Any] | None = None
    recipient: str | None = None
    platform: str | None = None
    deliver: bool | None = None
    attachments: tuple[str, ...] = ()


def wakeup_from_fields(data: dict[str, Any]) -> Wakeup:
    """Return the wakeup a request's validated fields ask for.

    Anything in ``context`` is the caller's data, not their words: it makes the run
    outside, as the README's trust model says.
    """
    return Wakeup(
        agent=data["agent"],
        prompt=data["prompt"],
        trust=Trust.OUTSIDE if data.get("context") else Trust.TRUSTED,
        quoted=data.get("context") or None,
        recipient=data.get("user") or None,
        platform=data.get("platform") or None,
        deliver=data.get("deliver"),
    )


def validate_wakeup(
    hass: HomeAssistant, entry: DlandConfigEntry, wakeup: Wakeup
) -> tuple[str, str, Persona | None, str | None]:
    """Return the prompt, agent, persona and channel of a wakeup.

    Raises ServiceValidationError for bad input or an unknown agent.
    """
    task_manager.validate_ids(
        agent=wakeup.agent, user=wakeup.recipient, platform=wakeup.platform
    )
    task_manager.validate_context(wakeup.quoted)
    prompt = task_manager.validate_prompt(wakeup.prompt)
    agent, persona = resolve_agent(hass, entry, wakeup.agent)
    task_manager.validate_channel(wakeup.platform)
    return prompt, agent, persona, wakeup.platform


async def async_wakeup(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    wakeup: Wakeup,
    origin: str,
    caller: Caller,
    *,
    check_recipient: bool = True,
) -> WakeupResult:
    """Validate a wakeup, decide who it acts as, and start its run.

    ``check_recipient`` False: the recipient comes from the integration's own
    configuration (a source's person), not from a request. Raises
    ServiceValidationError (bad input, unknown agent or user) or Overloaded.
    """
    runtime = entry.runtime_data
    task_manager.refuse_outside(runtime, caller)
    prompt, agent, persona, platform = validate_wakeup(hass, entry, wakeup)
    recipient = wakeup.recipient or caller.person_user
    if check_recipient:
        recipient = await async_validate_recipient(hass, recipient)
    owner = await async_owner(hass, caller, recipient, runtime.identities)
    outside = wakeup.trust is Trust.OUTSIDE
    request = RunRequest(
        name=f"Wakeup from {origin}",
        agent=agent,
        prompt=prompt,
        outside_data=quote_context(origin, wakeup.quoted),
        origin=origin,
        source=ExecutionSource.WAKEUP,
        owner=owner,
        acting_user=runtime.identities.outside if outside else owner,
        trust=wakeup.trust,
        timeout=persona.timeout if persona else runtime.default_timeout,
        recipient=recipient,
        platform=platform,
        deliver=(
            wakeup.deliver
            if wakeup.deliver is not None
            else (persona.deliver if persona else True)
        ),
        attachments=wakeup.attachments,
    )
    # Each user has their own rate; a source (no user) has its own too.
    run = await runtime.scheduler.async_wakeup(
        request, f"user:{caller.user_id}" if caller.user_id else origin
    )
    return WakeupResult(run.execution_id, run.done)


async def async_result(entry: DlandConfigEntry, result: WakeupResult) -> Execution:
    """Wait for a wakeup to end and return its execution."""
    await result.done.wait()
    execution = await entry.runtime_data.store.async_get_execution(result.execution_id)
    assert execution is not None
    return execution


class WakeupView(JsonView):
    """``POST /api/wakeup``: wake an agent now (Home Assistant token required)."""

    url = "/api/wakeup"
    name = f"api:{DOMAIN}:wakeup"
    requires_auth = True
    schema = WAKEUP_FIELDS

    async def async_handle(
        self, hass: HomeAssistant, request: web.Request, data: dict[str, Any]
    ) -> web.Response:
        """Start the run and answer 202 (or 200 with the result when waiting)."""
        caller = await async_caller(hass, Context(user_id=request[KEY_HASS_USER].id))
        entry = loaded_entry(hass)
        result = await async_wakeup(
            hass, entry, wakeup_from_fields(data), "api", caller
        )
        if not data["wait"]:
            return web.json_response(
                {"execution_id": result.execution_id}, status=HTTPStatus.ACCEPTED
            )
        execution = await async_result(entry, result)
        return web.json_response(
            {
                "execution_id": execution.execution_id,
                "status": execution.status.value,
                "response": execution.response,
                "error": execution.error,
            }
        )
