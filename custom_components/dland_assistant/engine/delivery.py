"""Omnichannel delivery: a run's result goes to the right person on the right channel.

Recipients are config subentries (type "recipient") that map a person to channels:
a notify service or notify entity per messaging channel, a media player (and TTS
engine) for spoken announcements, and always the persistent notification.
"""

from asyncio import sleep
from collections.abc import Awaitable, Callable
from functools import partial

import voluptuous as vol

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.ulid import ulid_now

from ..const import (
    CHANNEL_PERSISTENT,
    CHANNEL_TTS,
    CONF_TTS_ENGINE,
    DOMAIN,
    LOGGER,
    NOTIFY_CHANNELS,
    OWN_NOTIFICATION_PREFIX,
)
from ..models import DeliveryRecord, DeliveryStatus
from ..subentries import Recipient, recipients
from .repairs import async_delivery_failed, async_delivery_recovered

# Seconds before the 2nd and 3rd attempt: a channel's hiccup (a phone's push
# service, a speaker rebooting) passes, and the run does not hold its slot for long.
# A reminder that still fails is then retried as a whole under the retry policy.
RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0)


def find_recipient(
    hass: HomeAssistant, entry: ConfigEntry, user: str | None
) -> Recipient | None:
    """Find the recipient for a person entity id or a Home Assistant user id."""
    if not user:
        return None
    for recipient in recipients(entry):
        if recipient.person == user:
            return recipient
        state = hass.states.get(recipient.person)
        if state is not None and state.attributes.get("user_id") == user:
            return recipient
    return None


async def _async_send(
    hass: HomeAssistant,
    recipient: Recipient | None,
    channel: str,
    title: str,
    message: str,
) -> str | None:
    """Send on one channel; return the target. Raises HomeAssistantError on failure."""
    if channel == CHANNEL_PERSISTENT:
        persistent_notification.async_create(
            hass,
            message,
            title=title,
            notification_id=f"{OWN_NOTIFICATION_PREFIX}{ulid_now()}",
        )
        return None
    if recipient is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="no_recipient",
            translation_placeholders={"channel": channel},
        )
    if channel == CHANNEL_TTS:
        player = recipient.targets.get(CHANNEL_TTS)
        engine = recipient.targets.get(CONF_TTS_ENGINE)
        if not player or not engine:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_tts_target",
                translation_placeholders={"person": recipient.person},
            )
        await hass.services.async_call(
            "tts",
            "speak",
            {"media_player_entity_id": player, "message": message},
            blocking=True,
            target={"entity_id": engine},
        )
        return player
    target = recipient.targets.get(channel)
    if channel not in NOTIFY_CHANNELS or not target:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="no_channel_target",
            translation_placeholders={"person": recipient.person, "channel": channel},
        )
    await _async_notify(hass, target, title, message)
    return target


async def _async_notify(
    hass: HomeAssistant, target: str, title: str, message: str
) -> None:
    """Send to a notify entity, or else a notify service (``notify.x``)."""
    if hass.states.get(target) is not None:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"message": message, "title": title},
            blocking=True,
            target={"entity_id": target},
        )
    else:
        domain, _, service = target.partition(".")
        await hass.services.async_call(
            domain, service, {"message": message, "title": title}, blocking=True
        )


async def _async_with_retry(
    send: Callable[[], Awaitable[str | None]], where: str
) -> tuple[str | None, str | None]:
    """Send, retrying with back-off; return the target reached, or the last error."""
    error = ""
    attempts = len(RETRY_DELAYS) + 1
    for attempt in range(1, attempts + 1):
        try:
            return await send(), None
        except (HomeAssistantError, vol.Invalid) as err:
            error = str(err) or type(err).__name__
            LOGGER.warning(
                "Delivery %s failed (attempt %s of %s): %s",
                where,
                attempt,
                attempts,
                error,
            )
        if attempt < attempts:
            await sleep(RETRY_DELAYS[attempt - 1])
    return None, error


def _record(
    hass: HomeAssistant,
    channel: str,
    target: str | None,
    title: str,
    error: str | None,
) -> DeliveryRecord:
    """Return how a delivery went, and raise or clear the channel's repair issue."""
    if error is None:
        async_delivery_recovered(hass, channel, target)
        return DeliveryRecord(channel, target, DeliveryStatus.SENT)
    async_delivery_failed(hass, channel, target, title, error)
    return DeliveryRecord(channel, target, DeliveryStatus.FAILED, error)


async def async_deliver(
    hass: HomeAssistant,
    entry: ConfigEntry,
    user: str | None,
    channel: str | None,
    *,
    title: str,
    message: str,
) -> DeliveryRecord:
    """Deliver to a user on a channel (default: the user's own), with retries."""
    recipient = find_recipient(hass, entry, user)
    chosen = channel or (recipient.default_channel if recipient else CHANNEL_PERSISTENT)
    target, error = await _async_with_retry(
        partial(_async_send, hass, recipient, chosen, title, message), f"on {chosen}"
    )
    if error is not None:
        target = recipient.targets.get(chosen) if recipient else None
    return _record(hass, chosen, target, title, error)


async def async_deliver_to_target(
    hass: HomeAssistant, target: str, *, title: str, message: str
) -> DeliveryRecord:
    """Deliver to a notify entity or service, such as a family group, with retries."""

    async def send() -> str:
        await _async_notify(hass, target, title, message)
        return target

    _, error = await _async_with_retry(send, f"to {target}")
    return _record(hass, "notify", target, title, error)
