"""The integration's own device and the base classes of its entities."""

from abc import abstractmethod
from collections.abc import Callable
from functools import partial
import time
from typing import Any, override

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import Unauthorized
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import DlandCoordinator, Overview
from .identity import NOBODY, Caller, async_caller
from .items import agent_name, recurring_tasks, schedule_texts
from .models import Task
from .runtime import DlandConfigEntry
from .subentries import Routine

# How old a service call's context may be: Home Assistant's own "recent" window.
_FRESH = 5
# Keys of per-item entities start with these.
TASK_ITEM = "task_"
ROUTINE_ITEM = "routine_"


def service_device(entry: ConfigEntry) -> DeviceInfo:
    """Return the integration's service device, which its entities belong to."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name="dland assistant",
        manufacturer="dland assistant",
        model="Scheduler",
        entry_type=DeviceEntryType.SERVICE,
    )


class DlandEntity(Entity):
    """An entity of the scheduler itself."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry, key: str) -> None:
        """Name the entity by its key, under the integration's service device."""
        self._attr_translation_key = key
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = service_device(entry)


class DlandCoordinatorEntity(CoordinatorEntity[DlandCoordinator]):
    """An entity that shows part of Mission Control's overview."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: DlandCoordinator, unique_id: str) -> None:
        """Belong to the integration's service device."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.config_entry.entry_id}_{unique_id}"
        self._attr_device_info = service_device(coordinator.config_entry)

    async def _async_caller(self) -> Caller:
        """Return who called this entity's service, taking the call's context once.

        Home Assistant hands an entity the context of each service call just before
        calling it. A call that reaches the entity otherwise (an intent that calls
        it directly) brings none: it may change nothing that belongs to somebody.
        """
        context, set_at = self._context, self._context_set
        self._context = self._context_set = None
        if context is None or set_at is None or time.time() - set_at > _FRESH:
            return NOBODY
        return await async_caller(self.hass, context)

    async def _async_require_admin(self) -> Caller:
        """Return the caller, or refuse one who is not an administrator."""
        caller = await self._async_caller()
        if not caller.is_admin:
            raise Unauthorized(user_id=caller.user_id)
        return caller


class ItemEntity(DlandCoordinatorEntity):
    """An entity of one task or routine, named after it (``{name}``)."""

    def __init__(self, coordinator: DlandCoordinator, item_id: str) -> None:
        """Belong to one item."""
        super().__init__(coordinator, self.item_key(item_id))
        self.item_id = item_id
        self._name_it()

    _prefix: str
    # Tells this entity from the item's others (one per platform).
    _key: str

    @classmethod
    def item_key(cls, item_id: str) -> str:
        """Return the unique id of an item's entity, less the entry's id."""
        return f"{cls._prefix}{item_id}_{cls._key}"

    @abstractmethod
    def _item_name(self) -> str | None:
        """Return the item's name, or None once it is gone."""

    def _name_it(self) -> None:
        self._attr_translation_placeholders = {
            "name": self._item_name() or self.item_id
        }

    @property
    @override
    def available(self) -> bool:
        """Return whether the item still exists."""
        return super().available and self._item_name() is not None

    @override
    def _handle_coordinator_update(self) -> None:
        self._name_it()
        super()._handle_coordinator_update()


class TaskEntity(ItemEntity):
    """An entity of one recurring task."""

    _prefix = TASK_ITEM

    # What its state was last written from.
    _shown: tuple[Any, ...] | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the coordinator; the first state is written from what it has."""
        await super().async_added_to_hass()
        self._shown = self._snapshot()

    def _snapshot(self) -> tuple[Any, ...]:
        """Return all a task entity's state is made from (see items.py)."""
        task = self.task
        entry = self.coordinator.config_entry
        return (
            task,
            self.coordinator.last_update_success,
            schedule_texts(entry),  # replaced when the language changes
            agent_name(self.hass, entry, task.agent) if task else None,
            self.hass.config.time_zone,
        )

    @property
    def task(self) -> Task | None:
        """Return the task as last refreshed."""
        return self.coordinator.data.task(self.item_id)

    @override
    def _handle_coordinator_update(self) -> None:
        # The view is read again after every run: a task whose row did not change
        # keeps its state, unwritten (hundreds of entities, many refreshes).
        shown = self._snapshot()
        if shown == self._shown:
            return
        self._shown = shown
        super()._handle_coordinator_update()

    @override
    def _item_name(self) -> str | None:
        return task.name if (task := self.task) else None


class RoutineEntity(ItemEntity):
    """An entity of one heartbeat routine."""

    _prefix = ROUTINE_ITEM

    @property
    def routine(self) -> Routine | None:
        """Return the routine as last refreshed."""
        return self.coordinator.data.routines.get(self.item_id)

    @override
    def _item_name(self) -> str | None:
        return routine.name if (routine := self.routine) else None


# Per-item entities added in one go; more wait for the next turn of the loop.
ADD_AT_ONCE = 20


@callback
def async_add_dynamic_entities(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    domain: str,
    wanted: Callable[[Overview], dict[str, Callable[[], Entity]]],
) -> None:
    """Keep one entity per task or routine: add new ones, remove gone ones.

    ``wanted`` maps unique ids to makers of their entities; only those not added
    yet are made. Registry entries of a platform's per-item entities that are no
    longer wanted are removed, including ones left by a task cancelled while Home
    Assistant was down; the registry is read only when the wanted ones change.
    """
    coordinator = entry.runtime_data.coordinator
    registry = er.async_get(hass)
    added: set[str] = set()
    last: set[str] | None = None
    prefixes = (f"{entry.entry_id}_{TASK_ITEM}", f"{entry.entry_id}_{ROUTINE_ITEM}")

    @callback
    def _sync() -> None:
        nonlocal last
        makers = wanted(coordinator.data)
        keys = set(makers)
        if keys == last:
            return
        last = keys
        if new := [make() for key, make in makers.items() if key not in added]:
            added.update(keys)
            _add(new)
        for registry_entry in er.async_entries_for_config_entry(
            registry, entry.entry_id
        ):
            if (
                registry_entry.domain == domain
                and registry_entry.unique_id.startswith(prefixes)
                and registry_entry.unique_id not in keys
            ):
                added.discard(registry_entry.unique_id)
                registry.async_remove(registry_entry.entity_id)

    @callback
    def _add(new: list[Entity]) -> None:
        if entry.state not in (
            ConfigEntryState.SETUP_IN_PROGRESS,
            ConfigEntryState.LOADED,
        ):
            return
        # A few at a time, the loop free in between: adding one is ~0.3 ms, and a
        # hundred new recurring tasks must not hold it for tens of milliseconds.
        async_add_entities(new[:ADD_AT_ONCE])
        if rest := new[ADD_AT_ONCE:]:
            hass.loop.call_soon(_add, rest)

    _sync()
    entry.async_on_unload(coordinator.async_add_listener(_sync))


@callback
def async_add_item_entities(
    hass: HomeAssistant,
    entry: DlandConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    domain: str,
    *,
    for_task: type[TaskEntity],
    for_routine: type[RoutineEntity],
) -> None:
    """Keep one entity per recurring task and one per routine of a platform."""
    coordinator = entry.runtime_data.coordinator

    def wanted(overview: Overview) -> dict[str, Callable[[], Entity]]:
        makers: dict[str, Callable[[], Entity]] = {
            f"{entry.entry_id}_{for_task.item_key(t.task_id)}": partial(
                for_task, coordinator, t.task_id
            )
            for t in recurring_tasks(overview)
        }
        for routine_id in overview.routines:
            unique_id = f"{entry.entry_id}_{for_routine.item_key(routine_id)}"
            makers[unique_id] = partial(for_routine, coordinator, routine_id)
        return makers

    async_add_dynamic_entities(hass, entry, async_add_entities, domain, wanted)
