"""Reading a request body whole, up to a cap, however it arrives.

``request.content.read(n)`` returns what has arrived so far, not ``n`` bytes: a
body split across TCP writes (as clients and proxies send them) would be cut.
"""

from aiohttp import web


async def async_read_body(request: web.Request, cap: int) -> bytes | None:
    """Return the whole body, or None when it is longer than ``cap`` bytes."""
    if (request.content_length or 0) > cap:
        return None
    body = bytearray()
    while chunk := await request.content.read(cap + 1 - len(body)):
        body += chunk
        if len(body) > cap:
            return None
    return bytes(body)
