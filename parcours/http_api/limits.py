"""Request size limit, on the declared length and on the bytes actually received (chunked bodies
are read up to the limit before the application sees them)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """`exempt`: path prefixes whose routes read large bodies themselves, streamed under a limit of
    their own (the admin import of an export), never buffered here."""

    def __init__(self, app: ASGIApp, max_bytes: int, too_large: Callable[[], Response], exempt: tuple[str, ...] = ()):
        self.app, self.max_bytes, self.too_large, self.exempt = app, max_bytes, too_large, exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self.too_large()(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                return await self.too_large()(scope, receive, send)
        replayed = False

        async def buffered_receive() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # later messages: the disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, buffered_receive, send)
