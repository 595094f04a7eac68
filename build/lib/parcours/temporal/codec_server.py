"""A Temporal codec server: the Web UI and `temporal workflow show --codec-endpoint` send it the
encrypted payloads and get them back readable. It holds the keys, so bind it to a private address
and set PARCOURS_CODEC_SERVER_TOKEN when anyone but the operator can reach it."""

from __future__ import annotations

import asyncio
import hmac
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from parcours.temporal.codec import EncryptionCodec

MAX_BODY_BYTES = 4 * 1024 * 1024


def make_codec_server(codec: EncryptionCodec, host: str, port: int, *, allowed_origin: str,
                      token: str | None = None) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_OPTIONS(self):
            self.send_response(200)
            self._cors()
            self.end_headers()

        def do_POST(self):
            # The Web UI adds query parameters (2.5x: /decode?preserveStorageRefs=true).
            path = urlsplit(self.path).path.rstrip("/")
            operation = {"/encode": codec.encode, "/decode": codec.decode}.get(path)
            if operation is None:
                return self._fail(404)
            if token and not hmac.compare_digest(self.headers.get("Authorization", ""), f"Bearer {token}"):
                return self._fail(401)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                return self._fail(413)
            try:
                payloads = json_format.Parse(self.rfile.read(length), Payloads())
                result = Payloads(payloads=asyncio.run(operation(list(payloads.payloads))))
            except Exception:
                return self._fail(400)
            body = json_format.MessageToJson(result).encode()
            self.send_response(200)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _cors(self):
            self.send_header("Access-Control-Allow-Origin", allowed_origin)
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
            self.send_header("Access-Control-Allow-Credentials", "true")

        def _fail(self, status: int):
            self.send_response(status)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # requests carry journey data: no access log
            pass

    return ThreadingHTTPServer((host, port), Handler)
