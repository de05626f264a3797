"""What a loaded config entry holds at run time."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .engine.scheduler import Scheduler
from .errors import invalid
from .identity import Identities
from .moments.watcher import MomentWatcher
from .schedule_text import ScheduleTexts
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
    # Schedules in words, in Home Assistant's language (and others on demand).
    schedule_texts: ScheduleTexts
    # Moment tasks waiting for what they wait for.
    moments: MomentWatcher


type DlandConfigEntry = ConfigEntry[DlandRuntimeData]


def loaded_entry(hass: HomeAssistant) -> DlandConfigEntry:
    """Return the loaded entry, or raise a translated error.

    The door for requests that come in without an entry (actions, HTTP views,
    voice and LLM tools): each looks it up once and passes it on.
    """
    entries: list[DlandConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    if not entries:
        raise invalid("not_loaded")
    return entries[0]
