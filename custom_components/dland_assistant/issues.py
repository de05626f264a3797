"""Repair issues: a persona's agent is gone; the database was found corrupt.

(The audit raises the third, executions failing again and again with one error.)
"""

from pathlib import Path

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .agent import agent_exists
from .const import DOMAIN, LOGGER
from .personas import personas
from .runtime import DlandConfigEntry
from .store import CorruptDatabaseError, TaskStore

ISSUE_AGENT_MISSING = "persona_agent_missing"
ISSUE_DATABASE_RECREATED = "database_recreated"


@callback
def async_check_persona_agents(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Raise an issue per persona whose conversation agent no longer exists."""
    known = personas(entry)
    for persona in known.values():
        issue_id = f"{ISSUE_AGENT_MISSING}_{persona.persona_id}"
        if agent_exists(hass, persona.conversation_agent):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_AGENT_MISSING,
            translation_placeholders={
                "persona": persona.name,
                "agent": persona.conversation_agent,
            },
        )
    # Issues of deleted personas go with them.
    registry = ir.async_get(hass)
    for domain, issue_id in list(registry.issues):
        if (
            domain == DOMAIN
            and issue_id.startswith(f"{ISSUE_AGENT_MISSING}_")
            and issue_id.removeprefix(f"{ISSUE_AGENT_MISSING}_") not in known
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


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
