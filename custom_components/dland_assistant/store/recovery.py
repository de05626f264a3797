"""Opening the store, and what happens when its file is found corrupt."""

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from . import TaskStore
from .database import CorruptDatabaseError

ISSUE_DATABASE_RECREATED = "database_recreated"


def _move_aside(path: Path) -> Path:
    """Rename the database (and its WAL files) out of the way; return the new name."""
    stamp = dt_util.utcnow().strftime("%Y%m%d%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(aside.with_name(aside.name + suffix))
    return aside


async def async_open_store(hass: HomeAssistant, path: Path) -> TaskStore:
    """Open the store; a corrupt file is kept aside and a new one created.

    Raises StoreError (including SchemaTooNewError) for other failures.
    """
    store = TaskStore(path)
    try:
        await store.async_open()
    except CorruptDatabaseError as err:
        aside = await hass.async_add_executor_job(_move_aside, path)
        LOGGER.error(
            "The database %s is corrupt (%s); it was moved to %s and a new one created",
            path,
            err,
            aside,
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            ISSUE_DATABASE_RECREATED,
            is_fixable=False,
            is_persistent=True,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_DATABASE_RECREATED,
            translation_placeholders={"path": str(aside), "error": str(err)},
        )
        store = TaskStore(path)
        await store.async_open()
    return store
