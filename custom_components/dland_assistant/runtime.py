"""What a loaded config entry holds at run time."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .engine.scheduler import Scheduler
from .identity import Identities
from .store import TaskStore

if TYPE_CHECKING:
    from .coordinator import DlandCoordinator
    from .heartbeat.routines import HeartbeatManager


@dataclass(slots=True)
class DlandRuntimeData:
    """The store and the engines of the loaded entry."""

    store: TaskStore
    scheduler: Scheduler
    heartbeats: HeartbeatManager
    coordinator: DlandCoordinator
    default_agent: str
    default_timeout: float
    identities: Identities


type DlandConfigEntry = ConfigEntry[DlandRuntimeData]
