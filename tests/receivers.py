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


class Holder:
    """Holds the next request it is told to, until released: the peer has it and has not answered
    (a worker killed then sees no answer, and the peer goes on with the request once released)."""

    def __init__(self):
        self.armed, self.holding, self.released = False, threading.Event(), threading.Event()

    def hold_next(self) -> None:
        self.armed = True
        self.holding.clear()
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    def take(self) -> bool:
        """For the receiver's handler: is this request the one to hold?"""
        if not self.armed:
            return False
        self.armed = False
        self.holding.set()
        return True

    def wait_holding(self, timeout: float) -> None:
        if not self.holding.wait(timeout):
            raise AssertionError(f"no request held within {timeout} s")


class SmsGateway:
    """Records each POSTed SMS; answers with the queued status codes first (e.g. 503, 503), then
    `success_status`. Like real gateways, it keeps one message per Idempotency-Key (`keys` has the
    key of every request). `holder.hold_next()` holds a request until `holder.release()`."""

    def __init__(self, token: str = "gateway-token", success_status: int = 200, delay_seconds: float = 0.0):
        self.token, self.success_status = token, success_status
        self.delay_seconds = delay_seconds  # every request answered this much later (a slow gateway)
        self.received: list[dict] = []
        self.keys: list[str | None] = []
        self.requests = 0
        self.holder = Holder()
        self.queued_statuses: list[int] = []
        self.hang_next = 0  # requests left to answer only after `hang_seconds` (a provider timing out)
        self.hang_seconds = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
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
                gateway.keys.append(key)
                if gateway.holder.take():
                    gateway.holder.released.wait()
                if all(message["key"] != key for message in gateway.received):
                    gateway.received.append({"key": key, **body})
                self._answer(gateway.success_status)

            def _answer(self, status: int):
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the client is gone (a worker killed while the request was held)
                    pass

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
    """aiosmtpd on a free local port, keeping every message it receives; `delay_seconds` before
    accepting each (a slow mail server). `holder.hold_next()` holds the answer to the next DATA
    until `holder.release()`; the mail is kept all the same, as a server that has it in full
    delivers it whether or not the client hears the answer."""

    def __init__(self, port: int | None = None, delay_seconds: float = 0.0):
        self.messages = []
        self.holder = Holder()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                await asyncio.sleep(delay_seconds)
                outer.messages.append(message_from_bytes(envelope.content, policy=default_policy))
                if outer.holder.take():  # (aiosmtpd cancels this when the client goes: kept before)
                    await asyncio.to_thread(outer.holder.released.wait)
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


class WebhookReceiver:
    """A service taking events by webhook (docs/events.md): answers the queued statuses first (e.g.
    500 × 5), then 204, recording each request taken (headers and body bytes, as signed) in order.
    `holder.hold_next()` holds the next request: the relay then waits for an answer it never gets
    when its worker is killed, and the request is taken once released (a repeat follows)."""

    def __init__(self, delay_seconds: float = 0.0):
        self.taken: list[tuple[dict[str, str], bytes]] = []
        self.requests, self.queued_statuses, self.delay_seconds = 0, [], delay_seconds
        self.holder = Holder()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.requests += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay_seconds)
                if receiver.queued_statuses:
                    status = receiver.queued_statuses.pop(0)
                else:
                    if receiver.holder.take():
                        receiver.holder.released.wait()
                    receiver.taken.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    status = 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.holder.release()
        self.server.shutdown()
        self.server.server_close()
