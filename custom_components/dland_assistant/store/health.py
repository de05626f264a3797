"""Whether the database takes writes; a repair issue says so while it does not.

A full or read-only disk makes every write fail until someone acts. The scheduler
keeps retrying on its tick; this says it once in the log and keeps an issue open in
Settings → Repairs until a write succeeds again.
"""

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN, LOGGER

ISSUE_DATABASE_UNWRITABLE = "database_unwritable"


class StoreHealth:
    """Follows write failures of the store and raises or clears the issue."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start healthy: the store opened."""
        self.hass = hass
        self.failing = False

    @callback
    def async_failed(self, what: str, error: Exception) -> None:
        """Note a failed write: log it the first time and raise the issue."""
        if self.failing:
            LOGGER.debug("Still cannot write the database (%s): %s", what, error)
            return
        self.failing = True
        LOGGER.error(
            "Cannot write the database (%s), retrying every 10 s: %s", what, error
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            ISSUE_DATABASE_UNWRITABLE,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_DATABASE_UNWRITABLE,
            translation_placeholders={"error": str(error)},
        )

    @callback
    def async_recovered(self) -> None:
        """Note that writes work again: clear the issue."""
        if not self.failing:
            return
        self.failing = False
        LOGGER.warning("The database takes writes again")
        ir.async_delete_issue(self.hass, DOMAIN, ISSUE_DATABASE_UNWRITABLE)
