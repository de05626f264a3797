"""One run: its context, the persona's prompt, the agent, and the delivery.

The scheduler decides when a run starts and records how it ended; this does the
work in between: it acts as the run's user, gives a persona its conversation,
memories and earlier turns, sends outside text to a tool-less AI task, calls the
agent within the run's timeout and one of the engine's slots, and delivers the
answer (or tells the person it failed).
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import TemplateError
from homeassistant.util import dt as dt_util

from ..const import LOGGER, NOTHING_TO_REPORT, SESSION_TURNS
from ..memory import async_recall
from ..models import (
    DeliveryRecord,
    DeliveryStatus,
    ExecutionStatus,
    RunRequest,
    TaskAction,
)
from ..outside import NoAITaskError, OutsideRunError, async_run_outside
from ..personas import (
    Persona,
    SessionTracker,
    async_render_instructions,
    persona_of,
)
from ..store import TaskStore
from .agent import AgentError, RunRefused, async_run_agent
from .delivery import async_deliver, async_deliver_to_target
from .failures import FailedRun, async_report_failure
from .tool_log import ToolLog, end_tool_log, start_tool_log
from .vision import async_describe_images

REMINDER_TITLE = "Reminder"


@dataclass(slots=True)
class Run:
    """One run in progress, and what the engine knows of it."""

    request: RunRequest
    execution_id: str
    started: datetime
    task: asyncio.Task[None] | None = None
    conversation_id: str | None = None
    delivery: DeliveryRecord | None = None
    # Why the run was cancelled, when we cancelled it.
    cancel_status: ExecutionStatus | None = None
    cancel_reason: str | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    # Whose rate and share of the queue a wakeup counts against.
    caller: str | None = None
    # How it ended: set before ``done``.
    outcome: RunOutcome | None = None
    # The tools its agent called (from Home Assistant's chat logs).
    tool_log: ToolLog | None = None


def says_nothing_to_report(response: str) -> bool:
    """Return whether an answer is the nothing-to-report marker.

    Models dress it up (quotes, a full stop, bold, other case); any more text
    than that is something to report.
    """
    bare = response.strip().strip("\"'`*_.!").strip()
    return bare.upper().replace(" ", "_") == NOTHING_TO_REPORT


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """How a run ended: its status, answer and error, and whether to try again."""

    status: ExecutionStatus
    response: str | None
    error: str | None
    # A failure that may pass (the agent down or slow, a channel failing, a stop);
    # False for a refusal that would fail again.
    retryable: bool = False


class RunPerformer:
    """Does the work of runs the scheduler started."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        store: TaskStore,
        sessions: SessionTracker,
        slots: asyncio.Semaphore,
    ) -> None:
        """Share the engine's store, conversation windows and agent slots."""
        self.hass = hass
        self.entry = entry
        self.store = store
        self.sessions = sessions
        self.slots = slots

    async def async_perform(self, run: Run) -> RunOutcome:
        """Do a run; return how it ended.

        Nothing but cancellation escapes: a broken agent ends only its run.
        """
        request = run.request
        response: str | None = None
        error: str | None = None
        retryable = True
        run.tool_log = start_tool_log()
        try:
            response = await self._async_execute(run)
            status = ExecutionStatus.SUCCEEDED
            if request.only_when_needed and says_nothing_to_report(response):
                status = ExecutionStatus.QUIET
            elif request.notify_target:
                run.delivery = await async_deliver_to_target(
                    self.hass,
                    request.notify_target,
                    title=request.name,
                    message=response,
                )
            elif request.deliver:
                run.delivery = await async_deliver(
                    self.hass,
                    self.entry,
                    request.recipient,
                    request.platform,
                    # A reminder's name is its text: the title says what it is.
                    title=REMINDER_TITLE
                    if request.action is TaskAction.REMIND
                    else request.name,
                    message=response,
                )
                if (
                    request.action is TaskAction.REMIND
                    and run.delivery.status is DeliveryStatus.FAILED
                ):
                    # A reminder that reaches nobody has not done its job.
                    status = ExecutionStatus.FAILED
                    error = f"Delivery failed: {run.delivery.error}"
        except TimeoutError:
            # A cancel that lands after the timeout expired surfaces as TimeoutError.
            status = run.cancel_status or ExecutionStatus.TIMED_OUT
            error = run.cancel_reason or f"Timed out after {request.timeout:g} s"
        except asyncio.CancelledError:
            # Handled here: the run ends normally after recording why it stopped.
            if (current := asyncio.current_task()) is not None:
                current.uncancel()
            status = run.cancel_status or ExecutionStatus.ABANDONED
            error = run.cancel_reason or "Interrupted: the run was cancelled"
        except AgentError as err:
            status = ExecutionStatus.FAILED
            error = f"Agent error: {err}"
            retryable = not isinstance(err, RunRefused)
        except Exception as err:  # noqa: BLE001 - a broken agent must not stop the scheduler
            LOGGER.exception(
                "Execution %s of %s failed", run.execution_id, request.name
            )
            status = ExecutionStatus.FAILED
            error = f"{type(err).__name__}: {err}"
        end_tool_log()
        # Cancelled on request: the person meant it.
        retryable = retryable and status is not ExecutionStatus.CANCELLED
        return RunOutcome(status, response, error, retryable=retryable)

    async def async_report(self, run: Run, outcome: RunOutcome) -> None:
        """Tell the person a run was for that it failed for good (once)."""
        request = run.request
        if outcome.status is ExecutionStatus.QUIET or not (
            request.deliver or request.notify_target
        ):
            return
        await async_report_failure(
            self.hass,
            self.entry,
            FailedRun(
                name=request.name,
                status=outcome.status,
                error=outcome.error,
                action=request.action,
                recipient=request.recipient,
                platform=request.platform,
                notify_target=request.notify_target,
                delivery=run.delivery,
            ),
        )

    async def _async_execute(self, run: Run) -> str:
        """Do the run's work and return the text to deliver."""
        request = run.request
        if request.action is TaskAction.REMIND:
            return request.prompt
        # Never a context without a user: Home Assistant checks nothing for those.
        context = Context(user_id=request.acting_user)
        persona = persona_of(self.entry, request.agent)
        if request.outside:
            return await self._async_execute_outside(run, persona, context)
        if persona is None:
            async with self.slots, asyncio.timeout(request.timeout):
                return await async_run_agent(
                    self.hass, request.agent, request.full_prompt, context
                )
        instructions = await self._async_session(run, persona, context, recall=True)
        async with self.slots, asyncio.timeout(request.timeout):
            return await async_run_agent(
                self.hass,
                persona.conversation_agent,
                request.full_prompt + await self._async_images(persona, request),
                context,
                conversation_id=run.conversation_id,
                extra_system_prompt=instructions or None,
                language=persona.language,
            )

    async def _async_session(
        self, run: Run, persona: Persona, context: Context, *, recall: bool
    ) -> str:
        """Give the run its conversation and return the persona's instructions.

        One window per persona, people and trust; the instructions carry the
        turns it continues (and memories when ``recall``).
        """
        run.conversation_id, continued = self.sessions.conversation_id(
            persona, run.request
        )
        return await self._async_persona_prompt(
            persona,
            run.request,
            context,
            run.conversation_id if continued else None,
            recall=recall,
        )

    async def _async_execute_outside(
        self, run: Run, persona: Persona | None, context: Context
    ) -> str:
        """Run outside text on an AI task entity with read-only tools, no memories.

        It continues earlier outside runs of the same persona and people only.
        """
        request = run.request
        instructions = ""
        if persona is not None:
            instructions = await self._async_session(
                run, persona, context, recall=False
            )
        async with self.slots, asyncio.timeout(request.timeout):
            prompt = request.full_prompt
            if persona is not None:
                prompt += await self._async_images(persona, request)
            try:
                return await async_run_outside(
                    self.hass,
                    name=request.name,
                    ai_task_entity=persona.ai_task_entity if persona else None,
                    instructions=f"{instructions}\n\n{prompt}".strip(),
                    acting_user=request.acting_user,
                )
            except NoAITaskError as err:
                raise RunRefused(str(err)) from err
            except OutsideRunError as err:
                raise AgentError(str(err)) from err

    async def _async_images(self, persona: Persona, request: RunRequest) -> str:
        if not request.attachments:
            return ""
        return await async_describe_images(self.hass, persona, request.attachments)

    async def _async_persona_prompt(
        self,
        persona: Persona,
        request: RunRequest,
        context: Context,
        continued_conversation: str | None,
        *,
        recall: bool,
    ) -> str:
        """Render the persona's instructions, plus memories and earlier turns."""
        user_name = None
        if request.recipient and (state := self.hass.states.get(request.recipient)):
            user_name = state.name
        elif user := await self.hass.auth.async_get_user(request.owner):
            user_name = user.name
        variables = {
            "persona": persona.name,
            "user": user_name,
            "user_id": request.owner,
            "now": dt_util.now(),
            "task": {
                "id": request.task_id or "",
                "name": request.name,
                "prompt": request.prompt,
            },
        }
        try:
            text = await async_render_instructions(self.hass, persona, variables)
        except TemplateError as err:
            raise RunRefused(f"persona instructions: {err}") from err
        # Memories only for trusted runs, and only what trusted runs taught.
        if recall and (recalled := await async_recall(self.store, request.prompt)):
            text = f"{text}\n\n{recalled}".strip()
        if continued_conversation:
            turns = await self.store.async_session_turns(
                continued_conversation, SESSION_TURNS
            )
            if turns:
                earlier = "\n".join(
                    f"User: {prompt}\nYou: {answer}" for prompt, answer in turns
                )
                text = f"{text}\n\nEarlier in this conversation:\n{earlier}".strip()
        return text
