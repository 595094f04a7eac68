"""The codec server: /encode and /decode for the Temporal Web UI and `temporal workflow show
--codec-endpoint`, which send it the encrypted payloads and get them back readable. It holds the
keys, so it is an app of its own — its own address, bearer token (PARCOURS_CODEC_SERVER_TOKEN) and
CORS origin (the Web UI's) — never routes of the HTTP API, whose token API layers hold. Bind it to
a private address and set the token when anyone but the operator can reach it."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from google.protobuf import json_format
from starlette.responses import Response
from temporalio.api.common.v1 import Payloads

from parcours.http_api.limits import BodySizeLimit
from parcours.http_api.serve import app_server
from parcours.settings import Settings
from parcours.temporal.codec import EncryptionCodec

MAX_BODY_BYTES = 4 * 1024 * 1024
CORS_METHODS = "POST, OPTIONS"
CORS_HEADERS = "Content-Type, X-Namespace, Authorization"


def codec_routes(codec: EncryptionCodec, token: str | None) -> APIRouter:
    operations = {"encode": codec.encode, "decode": codec.decode}
    router = APIRouter()

    # One route for both, trailing slash or not, and no redirect: the Web UI adds query
    # parameters (2.5x: /decode?preserveStorageRefs=true), which are ignored.
    @router.post("/{name:path}", include_in_schema=False)
    async def encode_or_decode(name: str, request: Request) -> Response:
        operation = operations.get(name.rstrip("/"))
        if operation is None:
            return Response(status_code=404)
        if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
            return Response(status_code=401)
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
            result = Payloads(payloads=await operation(list(payloads.payloads)))
        except Exception:  # an unreadable body, or a payload no key of the ring opens
            return Response(status_code=400)
        return Response(json_format.MessageToJson(result), media_type="application/json")

    return router


def create_codec_app(codec: EncryptionCodec, *, allowed_origin: str, token: str | None = None) -> FastAPI:
    """The codec server's app: every answer, refusals and preflights included, carries the CORS
    headers of the Web UI's origin (the Web UI reads the refusals too)."""
    app = FastAPI(title="Parcours codec server", openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(codec_routes(codec, token))
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES, too_large=lambda: Response(status_code=413))
    cors = {"Access-Control-Allow-Origin": allowed_origin, "Access-Control-Allow-Methods": CORS_METHODS,
            "Access-Control-Allow-Headers": CORS_HEADERS, "Access-Control-Allow-Credentials": "true"}

    @app.middleware("http")  # added last: outside the size limit, so its 413 has the headers too
    async def with_cors(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = Response(status_code=200) if request.method == "OPTIONS" else await call_next(request)
        response.headers.update(cors)
        return response

    return app


def codec_app(settings: Settings) -> FastAPI:
    """The codec server of these settings: their key ring, the Web UI's origin, the token if set."""
    token = settings.codec_server_token.get_secret_value() if settings.codec_server_token else None
    return create_codec_app(EncryptionCodec(settings.payload_key_ring()), allowed_origin=settings.temporal_ui_origin,
                            token=token)


def codec_server(settings: Settings, *, embedded: bool = True) -> uvicorn.Server:
    """The codec server on its own address; embedded: signals are left to the program around it."""
    return app_server(codec_app(settings), settings.codec_server_host, settings.codec_server_port,
                      embedded=embedded, lifespan="off")
