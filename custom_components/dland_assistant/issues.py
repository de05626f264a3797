"""Repair issue: a persona's conversation agent is gone.

(The store raises its own, a corrupt or unwritable database; the audit raises
executions failing again and again with one error.)
"""

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .engine.agent import agent_exists
from .personas import personas

ISSUE_AGENT_MISSING = "persona_agent_missing"


@callback
def async_check_persona_agents(hass: HomeAssistant, entry: ConfigEntry) -> None:
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
