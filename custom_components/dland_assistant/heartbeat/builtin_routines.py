"""The built-in heartbeat routines, created with the config entry.

They are ordinary routine subentries afterwards: users edit them, switch them off or
delete them. Routines that need a person, a calendar or a group to talk to start
switched off.
"""

from typing import Any

from homeassistant.config_entries import ConfigSubentryData

from ..const import (
    BUILTIN_AUDIT,
    BUILTIN_FAMILY_CHECKIN,
    BUILTIN_MEMORY,
    BUILTIN_WORK_CHECKIN,
    CONF_BUILTIN,
    CONF_DELIVER,
    CONF_ENABLED,
    CONF_GATHERERS,
    CONF_INTERVAL,
    CONF_ONLY_WHEN_NEEDED,
    CONF_PROMPT,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_SCHEDULE,
    CONF_TIME,
    SCHEDULE_DAILY,
    SCHEDULE_INTERVAL,
    SUBENTRY_ROUTINE,
)

# The built-ins that check in: silent unless something needs attention.
QUIET_BUILTINS = (BUILTIN_WORK_CHECKIN, BUILTIN_FAMILY_CHECKIN)

BUILTIN_ROUTINES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "Audit",
        {
            CONF_BUILTIN: BUILTIN_AUDIT,
            CONF_SCHEDULE: SCHEDULE_INTERVAL,
            CONF_INTERVAL: 60,
            CONF_ENABLED: True,
            CONF_DELIVER: True,
        },
    ),
    (
        "Memory distillation",
        {
            CONF_BUILTIN: BUILTIN_MEMORY,
            CONF_SCHEDULE: SCHEDULE_DAILY,
            CONF_TIME: "02:00:00",
            CONF_ENABLED: True,
            CONF_DELIVER: False,
        },
    ),
    (
        "Work check-in",
        {
            CONF_BUILTIN: BUILTIN_WORK_CHECKIN,
            CONF_SCHEDULE: SCHEDULE_INTERVAL,
            CONF_INTERVAL: 120,
            CONF_QUIET_START: "18:00:00",
            CONF_QUIET_END: "08:00:00",
            CONF_GATHERERS: ["calendar", "todo", "alerts"],
            CONF_PROMPT: (
                "Check in with {{ user or 'me' }} about the work day. Their calendar, "
                "open to-dos and pending alerts are below. Be brief: name only what "
                "needs attention soon, and say nothing if nothing does."
            ),
            CONF_ENABLED: False,
            CONF_DELIVER: True,
            CONF_ONLY_WHEN_NEEDED: True,
        },
    ),
    (
        "Family check-in",
        {
            CONF_BUILTIN: BUILTIN_FAMILY_CHECKIN,
            CONF_SCHEDULE: SCHEDULE_DAILY,
            CONF_TIME: "07:30:00",
            CONF_GATHERERS: ["calendar", "presence", "alerts"],
            CONF_PROMPT: (
                "Write today's status for the family group: what is on the shared "
                "family calendar today, who is home, and anything that needs "
                "attention. Short and friendly, a few lines."
            ),
            CONF_ENABLED: False,
            CONF_DELIVER: True,
            CONF_ONLY_WHEN_NEEDED: True,
        },
    ),
)


def builtin_subentries() -> list[ConfigSubentryData]:
    """Return the built-in routines as subentries for a new config entry."""
    return [
        ConfigSubentryData(
            data=data, subentry_type=SUBENTRY_ROUTINE, title=title, unique_id=None
        )
        for title, data in BUILTIN_ROUTINES
    ]
