"""Typed readers of the entry's subentries: recipients, routines and the sources.

Personas (``personas.personas``) are read the same way, next to their sessions
and how a run's agent is resolved.
"""

from dataclasses import dataclass, field
from datetime import datetime, time
import re
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.util import dt as dt_util

from .const import (
    CHANNEL_PERSISTENT,
    CONF_AGENT,
    CONF_BUILTIN,
    CONF_DEFAULT_CHANNEL,
    CONF_ENABLED,
    CONF_PERSON,
    CONF_PHONE,
    CONF_QUIET_END,
    CONF_QUIET_START,
    CONF_WELCOME_AGENT,
    SUBENTRY_RECIPIENT,
    SUBENTRY_ROUTINE,
)

_NOT_DIGITS = re.compile(r"\D")


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person, the channels that reach them, and who welcomes them home."""

    person: str
    default_channel: str
    targets: dict[str, str]
    phone: str | None = None
    welcome_agent: str | None = field(default=None, compare=False)


def recipients(entry: ConfigEntry) -> list[Recipient]:
    """Return the entry's recipients."""
    result: list[Recipient] = []
    for subentry in entry.get_subentries_of_type(SUBENTRY_RECIPIENT):
        data = subentry.data
        targets = {
            key: str(value)
            for key, value in data.items()
            if key
            not in (CONF_PERSON, CONF_DEFAULT_CHANNEL, CONF_WELCOME_AGENT, CONF_PHONE)
            and value
        }
        result.append(
            Recipient(
                person=data[CONF_PERSON],
                default_channel=data.get(CONF_DEFAULT_CHANNEL, CHANNEL_PERSISTENT),
                targets=targets,
                phone=data.get(CONF_PHONE) or None,
                welcome_agent=data.get(CONF_WELCOME_AGENT) or None,
            )
        )
    return result


def recipient_by_phone(entry: ConfigEntry, number: str) -> Recipient | None:
    """Return the recipient with this phone number (digits compared), if any."""
    digits = _NOT_DIGITS.sub("", number)
    return next(
        (
            recipient
            for recipient in recipients(entry)
            if recipient.phone and _NOT_DIGITS.sub("", recipient.phone) == digits
        ),
        None,
    )


def source_config(entry: ConfigEntry, kind: str) -> dict[str, Any] | None:
    """Return the settings of the (single) outside source of a kind, if set up."""
    found = entry.get_subentries_of_type(kind)
    return dict(found[0].data) if found else None


@dataclass(frozen=True, slots=True)
class Routine:
    """A heartbeat routine, as its subentry describes it."""

    routine_id: str
    name: str
    data: dict[str, Any]

    @property
    def builtin(self) -> str | None:
        """Return which built-in routine this is, if one."""
        return self.data.get(CONF_BUILTIN)

    @property
    def enabled(self) -> bool:
        """Return whether the routine runs on its schedule."""
        return bool(self.data.get(CONF_ENABLED, True))

    @property
    def agent(self) -> str | None:
        """Return the agent (persona name or agent id) it wakes, if any."""
        return self.data.get(CONF_AGENT) or None

    def in_quiet_hours(self, now: datetime) -> bool:
        """Return whether a local time falls in the routine's quiet hours."""
        start, end = self.data.get(CONF_QUIET_START), self.data.get(CONF_QUIET_END)
        if not start or not end:
            return False
        begin, finish = time.fromisoformat(start), time.fromisoformat(end)
        local = dt_util.as_local(now).time()
        if begin <= finish:
            return begin <= local < finish
        return local >= begin or local < finish  # across midnight


def routines(entry: ConfigEntry) -> dict[str, Routine]:
    """Return the entry's routines by subentry id."""
    return {
        subentry.subentry_id: Routine(
            subentry.subentry_id, subentry.title, dict(subentry.data)
        )
        for subentry in entry.get_subentries_of_type(SUBENTRY_ROUTINE)
    }


def find_routine(entry: ConfigEntry, reference: str) -> Routine | None:
    """Find a routine by subentry id or (case-insensitive) name."""
    known = routines(entry)
    if reference in known:
        return known[reference]
    wanted = reference.strip().casefold()
    return next((r for r in known.values() if r.name.casefold() == wanted), None)
