"""LLM tools: scheduling tasks, and searching and forgetting long-term memories.

"Remind me in 2 hours to call mum" becomes a stored task for the person who asked,
delivered on the channel they asked from; the calling agent runs it.

The tools are offered to the Assist API, that is to trusted conversations. Outside
runs never see them: they get the read-only tools of ``outside.ReadOnlyAPI``; a
call made with the outside runs' user is refused all the same.
"""

from datetime import timedelta
from typing import Any, override

import voluptuous as vol

from homeassistant.components.conversation import AssistantContent
from homeassistant.components.conversation.chat_log import current_chat_log
from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util

from . import memory, task_manager
from .const import CHANNELS, DOMAIN
from .errors import guard_store
from .identity import Caller, async_caller, async_is_read_only
from .models import Task, TaskAction, TaskStatus
from .moments.rules import ZONE_HOME, home_trigger, moment_from_request, person_of
from .personas import personas
from .runtime import loaded_entry

WHEN_HELP = (
    "Give exactly one of: in_minutes (a delay), at (a local date and time, "
    "ISO 8601, e.g. 2026-12-24T18:00), or cron (five fields, e.g. '30 7 * * 1-5' "
    "for weekdays at 07:30)."
)


def _calling_agent(hass: HomeAssistant) -> str | None:
    """Return the persona or conversation agent whose model is calling the tool."""
    chat_log = current_chat_log.get()
    if chat_log is None:
        return None
    agent_id = next(
        (
            content.agent_id
            for content in reversed(chat_log.content)
            if isinstance(content, AssistantContent)
        ),
        None,
    )
    if agent_id is None:
        return None
    for persona in personas(loaded_entry(hass)).values():
        if persona.conversation_agent == agent_id:
            return persona.agent_ref
    return agent_id


def _local(task: Task) -> str | None:
    return dt_util.as_local(task.next_run).isoformat() if task.next_run else None


def _summary(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "name": task.name,
        "kind": task.kind.value,
        "cron": task.cron,
        "next_run": _local(task),
        "status": task.status.value,
    }


MOMENT_KINDS = ("arrive", "leave", "state", "above", "below")


def _trigger(args: dict[str, Any], person: str) -> dict[str, Any]:
    """Return the trigger of the tool's moment arguments (checked by the rules)."""
    when = args["when"]
    entity = args.get("when_entity") or (person if when in ("arrive", "leave") else "")
    if when in ("arrive", "leave"):
        zone = args.get("when_zone") or ZONE_HOME
        return home_trigger(entity, arrive=when == "arrive") | {"zone": zone}
    if when == "state":
        trigger: dict[str, Any] = {"trigger": "state", "entity_id": entity}
        if "when_state" in args:
            trigger["to"] = args["when_state"]
        if "when_not_state" in args:
            trigger["from"] = args["when_not_state"]
        return trigger
    return {
        "trigger": "numeric_state",
        "entity_id": entity,
        when: args.get("when_value"),
    }


class ScheduleTool(llm.Tool):
    """Schedule a reminder or a task for later."""

    name = f"{DOMAIN}__schedule_task"
    title = "Schedule a task"
    integration = DOMAIN
    description = (
        "Schedule something for later for the user you are talking to. With "
        "reminder=true the text is delivered to the user as a reminder at that "
        "time ('remind me in 2 hours to call mum'); otherwise the text is a prompt "
        "you will be given at that time, and your answer is delivered. "
        + WHEN_HELP
        + " Instead of a time, a moment: when='arrive' or 'leave' (a person, "
        "when_entity, default the user, and a zone, when_zone, default home: "
        "'remind me when I get home'), 'state' (when_entity reaching when_state, "
        "or no longer in when_not_state: 'when the washer is done' is "
        "when_not_state='running'), 'above' or 'below' (when_entity's value "
        "crossing when_value). every_time=true repeats it at every occurrence."
    )
    parameters = vol.Schema(
        {
            vol.Required("text", description="The reminder or the prompt"): str,
            vol.Optional("reminder", description="Deliver the text as is"): bool,
            vol.Optional("in_minutes"): vol.Coerce(float),
            vol.Optional("at"): str,
            vol.Optional("cron"): str,
            vol.Optional("name", description="A short name"): str,
            vol.Optional("when"): vol.In(
                ["arrive", "leave", "state", "above", "below"]
            ),
            vol.Optional("when_entity"): str,
            vol.Optional("when_zone"): str,
            vol.Optional("when_state"): str,
            vol.Optional("when_not_state"): str,
            vol.Optional("when_value"): vol.Coerce(float),
            vol.Optional("every_time"): bool,
        }
    )

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Store the task."""
        args = tool_input.tool_args
        at = None
        if "at" in args:
            at = dt_util.parse_datetime(args["at"])
            if at is None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="invalid_datetime",
                    translation_placeholders={"value": str(args["at"])},
                )
        delay = None
        if "in_minutes" in args:
            delay = timedelta(minutes=args["in_minutes"])
        channel = llm_context.platform if llm_context.platform in CHANNELS else None
        caller = await async_caller(hass, llm_context.context)
        moment = None
        if "when" in args:
            moment = moment_from_request(
                _trigger(args, person_of(hass, caller.person_user)),
                every_time=bool(args.get("every_time")),
            )
        task = await task_manager.async_schedule_task(
            hass,
            loaded_entry(hass),
            task_manager.ScheduleRequest(
                prompt=args["text"],
                caller=caller,
                agent=_calling_agent(hass),
                at=at,
                delay=delay,
                cron=args.get("cron"),
                moment=moment,
                name=args.get("name"),
                user=caller.person_user,
                platform=channel,
                action=TaskAction.REMIND if args.get("reminder") else TaskAction.AGENT,
                source="llm",
            ),
        )
        return llm.ToolResult(data={"scheduled": _summary(task)})


async def _async_users_tasks(hass: HomeAssistant, caller: Caller) -> list[Task]:
    """Return the caller's own tasks (everybody's for a voice satellite)."""
    tasks = await task_manager.async_list_tasks(
        hass, loaded_entry(hass), caller, [TaskStatus.SCHEDULED, TaskStatus.RUNNING]
    )
    return [
        task for task in tasks if caller.user_id is None or task.owner == caller.user_id
    ]


class ListTasksTool(llm.Tool):
    """List the user's scheduled tasks and reminders."""

    name = f"{DOMAIN}__list_tasks"
    title = "List scheduled tasks"
    integration = DOMAIN
    description = "List the reminders and tasks scheduled for the user."
    annotations = llm.ToolAnnotations(read_only=True, open_world=False)

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Return the user's tasks."""
        caller = await async_caller(hass, llm_context.context)
        tasks = await _async_users_tasks(hass, caller)
        return llm.ToolResult(data={"tasks": [_summary(task) for task in tasks]})


class CancelTaskTool(llm.Tool):
    """Cancel one of the user's tasks."""

    name = f"{DOMAIN}__cancel_task"
    title = "Cancel a scheduled task"
    integration = DOMAIN
    description = (
        "Cancel one of the user's reminders or tasks, by task_id or by (part of) "
        "its name."
    )
    parameters = vol.Schema({vol.Optional("task_id"): str, vol.Optional("name"): str})

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Cancel the task the user means."""
        args = tool_input.tool_args
        caller = await async_caller(hass, llm_context.context)
        tasks = await _async_users_tasks(hass, caller)
        if task_id := args.get("task_id"):
            matches = [task for task in tasks if task.task_id == task_id]
        else:
            wanted = str(args.get("name", "")).casefold().strip()
            matches = [
                task for task in tasks if wanted and wanted in task.name.casefold()
            ]
        if len(matches) != 1:
            return llm.ToolResult(
                data={
                    "cancelled": None,
                    "error": "No single task matches; ask which one."
                    if matches
                    else "No such task.",
                    "candidates": [_summary(task) for task in matches],
                },
                error=True,
            )
        await task_manager.async_cancel_task(
            hass, loaded_entry(hass), matches[0].task_id, caller
        )
        return llm.ToolResult(
            data={"cancelled": _summary(matches[0]) | {"status": "cancelled"}}
        )


async def _async_may_read_memory(
    hass: HomeAssistant, llm_context: llm.LLMContext
) -> bool:
    """Return whether the caller may use memories (not a read-only user's run)."""
    user_id = llm_context.context.user_id if llm_context.context else None
    return not await async_is_read_only(hass, user_id)


class SearchMemoryTool(llm.Tool):
    """Search the long-term memory."""

    name = f"{DOMAIN}__search_memory"
    title = "Search memory"
    integration = DOMAIN
    description = (
        "Search the household's long-term memory (durable facts learned from earlier "
        "days) for facts about a person or topic. Returns fact ids, subjects, facts "
        "and confidence."
    )
    parameters = vol.Schema(
        {vol.Optional("query"): str, vol.Optional("limit", default=10): int}
    )

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Return the best matching facts."""
        if not await _async_may_read_memory(hass, llm_context):
            return llm.ToolResult(
                data={"facts": [], "error": "Memory is not available in this run."},
                error=True,
            )
        args = tool_input.tool_args
        facts = await guard_store(
            memory.async_search(
                loaded_entry(hass).runtime_data.store,
                args.get("query"),
                max(1, min(int(args.get("limit", 10)), 50)),
                trusted_only=True,
            )
        )
        return llm.ToolResult(data={"facts": [fact.as_dict() for fact in facts]})


class ForgetMemoryTool(llm.Tool):
    """Forget a remembered fact."""

    name = f"{DOMAIN}__forget_memory"
    title = "Forget a memory"
    integration = DOMAIN
    description = (
        "Forget one fact of the long-term memory, by the fact_id that search_memory "
        "returned. Use it when the user says a fact is wrong or asks you to forget it."
    )
    parameters = vol.Schema({vol.Required("fact_id"): str})

    @override
    async def async_call(
        self,
        hass: HomeAssistant,
        tool_input: llm.ToolInput,
        llm_context: llm.LLMContext,
    ) -> llm.ToolResult:
        """Forget the fact (admins only: memories are the household's)."""
        caller = await async_caller(hass, llm_context.context)
        if not caller.is_admin:
            return llm.ToolResult(
                data={
                    "forgotten": False,
                    "error": "Only an administrator can make the assistant forget.",
                },
                error=True,
            )
        fact_id = str(tool_input.tool_args["fact_id"])
        forgotten = await guard_store(
            memory.async_forget(loaded_entry(hass).runtime_data.store, fact_id)
        )
        if not forgotten:
            return llm.ToolResult(
                data={"forgotten": False, "error": "No such fact."}, error=True
            )
        return llm.ToolResult(data={"forgotten": True})


@callback
def async_get_tools(
    hass: HomeAssistant, llm_context: llm.LLMContext, api_id: str
) -> LLMTools | None:
    """Offer the tools to the Assist API while the integration is loaded.

    Not to the outside runs' user, should it ever reach the Assist API.
    """
    entries = hass.config_entries.async_loaded_entries(DOMAIN)
    if api_id != llm.LLM_API_ASSIST or not entries:
        return None
    user_id = llm_context.context.user_id if llm_context.context else None
    if user_id == entries[0].runtime_data.identities.outside:
        return None
    return LLMTools(
        tools=[
            ScheduleTool(),
            ListTasksTool(),
            CancelTaskTool(),
            SearchMemoryTool(),
            ForgetMemoryTool(),
        ]
    )
