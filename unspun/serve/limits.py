"""Request-size limit, enforced before any handler or JSON parser sees the body.

A declared ``Content-Length`` over the limit is refused at once; a chunked body is counted as it arrives and
refused as soon as it passes the limit, so a client cannot make the server buffer more than the limit.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Default largest request body, in bytes (10 MB).
MAX_BODY = 10_000_000
#: Default longest text, in characters, that /v1/check and /v1/compare take (a novella; a news article is ~5k): a
#: comparison's memory grows with the product of its two texts' sentences (800k characters a side took 1.8 GB), a
#: check's time with its text (16 s for 400k), and one anonymous request must not exhaust or stall the server.
MAX_TEXT = 200_000


class BodyLimit:
    """ASGI middleware answering 413 to any request whose body is over ``max_body`` bytes."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(send, 400, "invalid Content-Length header")
                return
            if int(declared) > self.max_body:
                await self._too_large(send)
                return
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_body:
                await self._too_large(send)
                return
            parts.append(body)
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await _refuse(send, 413, f"request body over the limit of {self.max_body:,} bytes")


async def _refuse(send: Send, status: int, reason: str) -> None:
    payload = json.dumps({"detail": reason}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
