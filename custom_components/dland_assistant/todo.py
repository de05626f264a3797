"""A to-do list of pending one-off tasks: add one with a due time, delete to cancel."""

from dataclasses import replace
from datetime import datetime
from typing import override

from homeassistant.components.conversation import DOMAIN as CONVERSATION_DOMAIN
from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
    async_get_entity_settings,
)
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.components.todo.entity import TodoItem, TodoListEntity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from . import task_manager
from .coordinator import DlandCoordinator
from .entity import DlandCoordinatorEntity
from .errors import invalid
from .models import TaskAction, TaskKind
from .runtime import DlandConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the pending tasks list."""
    async_add_entities([PendingTasksList(entry.runtime_data.coordinator)])


class PendingTasksList(DlandCoordinatorEntity, TodoListEntity):
    """One-off tasks waiting for their time."""

    _attr_translation_key = "pending_tasks"
    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    def __init__(self, coordinator: DlandCoordinator) -> None:
        """Show the coordinator's pending tasks."""
        super().__init__(coordinator, "pending_tasks")

    @property
    @override
    def todo_items(self) -> list[TodoItem]:
        """Return the pending one-off tasks, soonest first, then moment ones."""
        tasks = [
            task
            for task in self.coordinator.data.pending
            if (task.kind is TaskKind.ONCE and task.next_run)
            or task.kind is TaskKind.MOMENT
        ]
        tasks.sort(
            key=lambda task: (task.next_run is None, task.next_run or task.created)
        )
        return [
            TodoItem(
                uid=task.task_id,
                summary=task.name,
                status=TodoItemStatus.NEEDS_ACTION,
                # The name only: prompts stay out of what every user can read.
                due=dt_util.as_local(task.next_run) if task.next_run else None,
            )
            for task in tasks
        ]

    @override
    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Schedule a task for the default agent at the item's due time."""
        if not isinstance(item.due, datetime):
            raise invalid("due_time_required")
        summary = (item.summary or "").strip()
        caller = await self._async_caller()
        request = task_manager.ScheduleRequest(
            prompt=(item.description or summary).strip(),
            caller=caller,
            user=caller.person_user,
            name=summary or None,
            at=item.due,
            source="todo",
        )
        try:
            await task_manager.async_schedule_task(
                self.hass, self.coordinator.config_entry, request
            )
        except ServiceValidationError as err:
            if err.translation_key != "agent_cannot_understand":
                raise
            # "Water the plants" on Assist's built-in agent: what the user wants
            # is to be reminded, which needs no agent.
            await task_manager.async_schedule_task(
                self.hass,
                self.coordinator.config_entry,
                replace(request, action=TaskAction.REMIND),
            )

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Cancel the tasks (only the caller's own, unless an administrator)."""
        caller = await self._async_caller()
        for uid in uids:
            await task_manager.async_cancel_task(
                self.hass, self.coordinator.config_entry, uid, caller
            )

    @override
    async def async_added_to_hass(self) -> None:
        """Keep the list away from Assist unless the user exposes it.

        Home Assistant exposes to-do lists by default, and its to-do intents call
        the list directly, with no user to check.
        """
        await super().async_added_to_hass()
        if "homeassistant" not in self.hass.config.components:
            return
        settings = async_get_entity_settings(self.hass, self.entity_id)
        if "should_expose" not in settings.get(CONVERSATION_DOMAIN, {}):
            async_expose_entity(self.hass, CONVERSATION_DOMAIN, self.entity_id, False)
