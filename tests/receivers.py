"""Real local peers for integration tests: an HTTP SMS gateway and an SMTP server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from parcours.testing import free_port


class SmsGateway:
    """Records each POSTed SMS; answers with the queued status codes first (e.g. 503, 503), then
    `success_status`. Like real gateways, it keeps one message per Idempotency-Key."""

    def __init__(self, token: str = "gateway-token", success_status: int = 200, delay_seconds: float = 0.0):
        self.token, self.success_status = token, success_status
        self.delay_seconds = delay_seconds  # every request answered this much later (a slow gateway)
        self.received: list[dict] = []
        self.requests = 0
        self.queued_statuses: list[int] = []
        self.hang_next = 0  # requests left to answer only after `hang_seconds` (a provider timing out)
        self.hang_seconds = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                gateway.requests += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(gateway.delay_seconds)
                if gateway.hang_next > 0:
                    gateway.hang_next -= 1
                    time.sleep(gateway.hang_seconds)
                    return self._answer(504)
                if self.headers.get("Authorization") != f"Bearer {gateway.token}":
                    return self._answer(401)
                if gateway.queued_statuses:
                    return self._answer(gateway.queued_statuses.pop(0))
                key = self.headers.get("Idempotency-Key")
                if all(message["key"] != key for message in gateway.received):
                    gateway.received.append({"key": key, **body})
                self._answer(gateway.success_status)

            def _answer(self, status: int):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SmtpServer:
    """aiosmtpd on a free local port, keeping every message it accepts; `delay_seconds` before
    accepting each (a slow mail server)."""

    def __init__(self, port: int | None = None, delay_seconds: float = 0.0):
        self.messages = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                await asyncio.sleep(delay_seconds)
                outer.messages.append(message_from_bytes(envelope.content, policy=default_policy))
                return "250 OK"

        if port is None:
            port = free_port()
        self.port = port
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
