"""The YouTube and Vonage sources of the end-to-end tests, and their signatures."""

import hashlib
import hmac
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import threading
import time

from .accounts import add_subentry
from .harness import HassProcess

DOMAIN = "dland_assistant"
YT_CHANNEL = "UCfuzzfuzzfuzzfuzzfuzz00"
YT_TOPIC = f"https://www.youtube.com/xml/feeds/videos.xml?channel_id={YT_CHANNEL}"
YT_SECRET = "yt-fuzz-secret"
VONAGE_SECRET = "vonage-fuzz-secret"
VONAGE_METHOD = "sha256"


class _Hub(BaseHTTPRequestHandler):
    """A WebSub hub on loopback that accepts every subscription (Google's is the
    internet); the integration then expects the hub's verification for it."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


def start_hub() -> str:
    """Start the loopback hub for the rest of the test session; return its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/subscribe"


def add_webhook_sources(process: HassProcess) -> str:
    """Add a YouTube and a signed Vonage source in the UI's way; return the entry id."""
    entry_id = process.config_entry_id(DOMAIN)
    add_subentry(
        process,
        entry_id,
        "youtube",
        {
            "channels": YT_CHANNEL,
            "secret": YT_SECRET,
            "callback_url": "https://example.invalid/api/events/youtube",
            # A hub of our own: the tests must not depend on Google.
            "hub_url": start_hub(),
        },
    )
    add_subentry(
        process,
        entry_id,
        "vonage",
        {
            "signature_secret": VONAGE_SECRET,
            "signature_method": VONAGE_METHOD,
            "unknown_senders": "store",
        },
    )
    time.sleep(1)  # the entry reloads for the new sources
    process.wait_for_integration()
    return entry_id


def hub_signature(body: bytes, method: str = "sha1") -> str:
    """YouTube's (WebSub) X-Hub-Signature of a body."""
    digest = hmac.new(YT_SECRET.encode(), body, method).hexdigest()
    return f"{method}={digest}"


def atom(video_id: str, title: str) -> bytes:
    """A YouTube push notification for one video of our channel."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
        'xmlns="http://www.w3.org/2005/Atom"><entry>'
        f"<yt:videoId>{video_id}</yt:videoId>"
        f"<yt:channelId>{YT_CHANNEL}</yt:channelId>"
        f"<title>{title}</title></entry></feed>"
    ).encode()


def vonage_sign(params: dict[str, str], secret: str = VONAGE_SECRET) -> str:
    """Vonage's signed-webhook signature (HMAC-SHA256 here)."""
    signer = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    for key in sorted(params):
        if key == "sig":
            continue
        value = params[key].replace("&", "_").replace("=", "_")
        signer.update(f"&{key}={value}".encode())
    return signer.hexdigest()
