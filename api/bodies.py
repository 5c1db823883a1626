"""Request bodies of webhooks, read with a size cap so a huge or endless body cannot exhaust memory."""

from fastapi import Request


async def read_bounded(request: Request, limit: int) -> bytes | None:
    """At most `limit` bytes, whatever Content-Length claims; None beyond."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
