"""Typed readers of the entry's subentries: recipients and the outside sources.

Personas (``personas.personas``) and routines (``heartbeat.routines.routines``)
are read the same way, next to what they describe.
"""

from dataclasses import dataclass, field
import re
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .const import (
    CHANNEL_PERSISTENT,
    CONF_DEFAULT_CHANNEL,
    CONF_PERSON,
    CONF_PHONE,
    CONF_WELCOME_AGENT,
    SUBENTRY_RECIPIENT,
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
