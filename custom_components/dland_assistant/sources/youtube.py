"""YouTube push notifications (WebSub / PubSubHubbub) at ``/api/events/youtube``.

The hub verifies a subscription with a GET that must echo ``hub.challenge``, which we
do only for the channels we subscribed to. Notifications are Atom bodies signed with
``X-Hub-Signature`` (an HMAC of the raw body with our secret); unsigned or forged ones
are dropped. Atom is parsed with defusedxml (no entity expansion) under a size limit.
Each video is one event: edits resend the same video and are de-duplicated, so a
storm of notifications for a few videos wakes the agent once per video.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import hmac
from http import HTTPStatus
from typing import Any

from aiohttp import ClientError, web
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..const import (
    CONF_AGENT,
    CONF_CALLBACK_URL,
    CONF_CHANNELS,
    CONF_HUB_URL,
    CONF_PROMPT,
    CONF_SECRET,
    DOMAIN,
    LOGGER,
    SUBENTRY_YOUTUBE,
)
from ..models import Trust
from ..runtime import DlandConfigEntry, loaded_entry
from ..subentries import source_config
from . import router
from .bodies import async_read_body
from .refusals import RefusalLog
from .wakeup import Wakeup

MAX_ATOM_BYTES = 256 * 1024
# A notification has about thirty tags (an entry's fifteen elements, opened and
# closed); a few entries at once fit well within this.
MAX_ATOM_TAGS = 2000
DEFAULT_HUB = "https://pubsubhubbub.appspot.com/subscribe"
TOPIC = "https://www.youtube.com/xml/feeds/videos.xml?channel_id={channel}"
LEASE_SECONDS = 5 * 24 * 3600
# The subscriptions we asked the hub for, by topic, until their lease ends: a
# verification of anything else (an unsubscribe we never asked for, say) is
# refused, so a stranger cannot drop our feed. One entry per configured channel.
REQUESTED: HassKey[dict[str, datetime]] = HassKey(f"{DOMAIN}_youtube_requested")
DEFAULT_PROMPT = "A new video was published. Tell the user about it in one sentence."
ATOM = "{http://www.w3.org/2005/Atom}"
YT = "{http://www.youtube.com/xml/schemas/2015}"
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
            "sha512": hashlib.sha512}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Video:
    """One video named in a notification."""

    video_id: str
    channel_id: str
    title: str


def topics(config: dict[str, Any]) -> set[str]:
    """Return the topic URLs of the configured channels."""
    channels = str(config.get(CONF_CHANNELS, "")).replace(",", " ").split()
    return {TOPIC.format(channel=channel) for channel in channels}


def signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    """Check ``X-Hub-Signature: method=hexdigest`` against the raw body."""
    if not header or "=" not in header:
        return False
    method, _, given = header.partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError).
    return hmac.compare_digest(
        expected.encode(), given.strip().lower().encode(errors="replace")
    )


def parse_videos(body: bytes) -> list[Video]:
    """Return the videos of an Atom notification. Raises ValueError if unsafe."""
    # Counting tags costs microseconds; parsing tens of thousands of elements
    # (even signed ones) would hold the event loop for a tenth of a second.
    if body.count(b"<") > MAX_ATOM_TAGS:
        raise ValueError(f"over {MAX_ATOM_TAGS} tags: not a feed notification")
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except (DefusedXmlException, ElementTree.ParseError) as err:
        raise ValueError(str(err)) from err
    videos: list[Video] = []
    for entry in root.iter(f"{ATOM}entry"):
        video_id = entry.findtext(f"{YT}videoId")
        if not video_id:
            continue
        videos.append(
            Video(
                video_id=video_id,
                channel_id=entry.findtext(f"{YT}channelId") or "",
                title=(entry.findtext(f"{ATOM}title") or "")[:300],
            )
        )
    return videos


def _config(hass: HomeAssistant) -> dict[str, Any] | None:
    try:
        entry = loaded_entry(hass)
    except HomeAssistantError:
        return None
    return source_config(entry, SUBENTRY_YOUTUBE)


class YouTubeView(HomeAssistantView):
    """The WebSub callback for YouTube channel feeds."""

    url = "/api/events/youtube"
    name = f"api:{DOMAIN}:events:youtube"
    requires_auth = False

    def __init__(self) -> None:
        """Count refusals per Home Assistant (one view each)."""
        self.bad_signatures = RefusalLog("YouTube notifications with a bad signature")

    async def get(self, request: web.Request) -> web.Response:
        """Confirm a (un)subscription the hub asks about, for our topics only."""
        hass = request.app[KEY_HASS]
        config = _config(hass)
        query = request.query
        topic = query.get("hub.topic")
        until = hass.data.get(REQUESTED, {}).get(topic or "")
        if (
            config is None
            # We only ever subscribe; an unsubscribe is nobody's we asked for.
            or query.get("hub.mode") != "subscribe"
            or topic not in topics(config)
            or until is None
            or dt_util.utcnow() > until
            or not query.get("hub.challenge")
        ):
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.Response(text=query["hub.challenge"], content_type="text/plain")

    async def post(self, request: web.Request) -> web.Response:
        """Take a notification; forged, oversized or unsafe ones are dropped."""
        hass = request.app[KEY_HASS]
        config = _config(hass)
        if config is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        body = await async_read_body(request, MAX_ATOM_BYTES)
        if body is None:
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if not signature_valid(
            body, request.headers.get("X-Hub-Signature"), config[CONF_SECRET]
        ):
            self.bad_signatures.refused()
            # WebSub: acknowledge, but ignore the message.
            return web.Response(status=HTTPStatus.ACCEPTED)
        try:
            videos = parse_videos(body)
        except ValueError as err:
            LOGGER.warning(
                "Dropped an unsafe or malformed YouTube notification: %s", err
            )
            return web.Response(status=HTTPStatus.BAD_REQUEST)
        for video in videos:
            wake = None
            if config.get(CONF_AGENT):
                wake = Wakeup(
                    agent=config[CONF_AGENT],
                    prompt=config.get(CONF_PROMPT) or DEFAULT_PROMPT,
                    trust=Trust.OUTSIDE,
                    quoted={"video_id": video.video_id, "title": video.title,
                            "channel_id": video.channel_id},
                )  # fmt: skip
            try:
                await router.async_route_event(
                    hass,
                    source="youtube",
                    event_type="video",
                    summary=f"New video: {video.title}",
                    significance=1,
                    dedupe_key=video.video_id,
                    wake=wake,
                )
            except HomeAssistantError as err:
                LOGGER.warning(
                    "Video %s stored but no agent woke: %s", video.video_id, err
                )
        return web.Response(status=HTTPStatus.ACCEPTED)


async def async_subscribe(hass: HomeAssistant, config: dict[str, Any]) -> int:
    """Ask the hub to (re)subscribe every channel; return how many it accepted."""
    session = async_get_clientsession(hass)
    accepted = 0
    requested = hass.data.setdefault(REQUESTED, {})
    requested.clear()  # channels removed since are not ours to confirm any more
    for topic in sorted(topics(config)):
        form = {
            "hub.mode": "subscribe",
            "hub.topic": topic,
            "hub.callback": config[CONF_CALLBACK_URL],
            "hub.secret": config[CONF_SECRET],
            "hub.lease_seconds": str(LEASE_SECONDS),
            "hub.verify": "async",
        }
        try:
            async with session.post(
                config.get(CONF_HUB_URL) or DEFAULT_HUB, data=form
            ) as resp:
                if resp.status in (HTTPStatus.ACCEPTED, HTTPStatus.NO_CONTENT):
                    accepted += 1
                    lease = timedelta(seconds=LEASE_SECONDS)
                    requested[topic] = dt_util.utcnow() + lease
                else:
                    LOGGER.warning(
                        "YouTube hub refused %s: HTTP %s", topic, resp.status
                    )
        except (ClientError, TimeoutError) as err:
            LOGGER.warning("Could not reach the YouTube hub for %s: %s", topic, err)
    return accepted


@callback
def async_setup_youtube(hass: HomeAssistant, entry: DlandConfigEntry) -> None:
    """Subscribe at start and renew before the lease ends (at 80 % of it)."""
    config = source_config(entry, SUBENTRY_YOUTUBE)
    if config is None or not config.get(CONF_CALLBACK_URL):
        return
    unsub: CALLBACK_TYPE | None = None

    async def _async_renew(_now: Any = None) -> None:
        nonlocal unsub
        await async_subscribe(hass, config)
        unsub = async_call_later(
            hass, timedelta(seconds=LEASE_SECONDS * 0.8), _async_renew
        )

    @callback
    def _cancel() -> None:
        if unsub is not None:
            unsub()

    entry.async_create_background_task(
        hass, _async_renew(), f"{DOMAIN} youtube subscribe"
    )
    entry.async_on_unload(_cancel)
