"""What a loaded config entry holds at run time."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .scheduler import Scheduler
from .store import TaskStore


@dataclass(slots=True)
class DlandRuntimeData:
    """The store and the engine of the loaded entry."""

    store: TaskStore
    scheduler: Scheduler
    default_agent: str
    default_timeout: float


type DlandConfigEntry = ConfigEntry[DlandRuntimeData]
