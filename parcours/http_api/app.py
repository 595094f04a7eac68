"""The FastAPI application: OpenAPI at /openapi.json (Swagger UI at /docs, its scripts served by
the API itself), one router per journey."""

from __future__ import annotations

import hmac
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from parcours.client import ParcoursClient
from parcours.http_api import accounts, activations, other_activations, recoveries, wording
from parcours.http_api.admin_records import PREFIX as ADMIN_PREFIX
from parcours.http_api.admin_records import admin_records_router
from parcours.http_api.events import events_router
from parcours.http_api.limits import BodySizeLimit
from parcours.http_api.problems import install_problem_handlers, problem_response, problem_responses
from parcours.http_api.sessions import session_tokens
from parcours.settings import Settings

DESCRIPTION = """Self-service account journeys (activation, recovery, contact changes, children)
as durable Temporal workflows.

One rule for every answer. **The user's action answered** — accepted or not: a wrong code, a
refused resend, a wrong password — is 200 (201 for a start) with the outcome's `status`, one of a
closed list per journey, and the step after it; when it knows a time (`retry_at`: a cooldown, a
lock), `Retry-After` says it too; « Mon compte »'s journeys, one per account, are started or joined
by a POST on their resource: 200 with their step. **A request the API layer should not have sent** is a 4xx RFC 9457
problem (application/problem+json; `type` `urn:parcours:problem:<reason>`, `detail` in French for
the user, `errors` naming the fields at fault): 422 invalid input, 409 an action the journey's step
does not expect now or a journey that has finished (its step still reads), 404 an unknown journey
or account, 429 a limit (with `retry_at` and `Retry-After`), 413 too large, 400 not JSON, 415 not
sent as JSON, 401 no token or no session. 5xx is the service's: 503 Temporal or a message sender unreachable.

Starts accept an `Idempotency-Key` header: the same key and request give the same journey and the
first answer. This API is for API layers: they authenticate the user; `account_ref` comes from
`POST /sign-ins`."""


def create_app(settings: Settings, parcours: ParcoursClient | None = None) -> FastAPI:
    """The HTTP API; with no `parcours` client, it connects to Temporal at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if parcours is None:
            from parcours.temporal.connection import connect

            app.state.parcours = ParcoursClient.from_settings(await connect(settings), settings)
        else:
            app.state.parcours = parcours
        yield
        if app.state.event_engine is not None:
            await app.state.event_engine.dispose()

    token = settings.http_api_token.get_secret_value() if settings.http_api_token else None

    async def authorised(request: Request) -> None:
        if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
            raise HTTPException(401, "Missing or wrong bearer token")  # the English for `debug`

    # FastAPI's own /docs loads its scripts from a CDN: a blank page on a closed network.
    # FastAPIOffline serves the same page with the scripts from its package, under
    # /static-offline-docs. The page, its scripts and /openapi.json stay open as before (they hold
    # no data); the bearer token guards the journeys' routes. No /redoc: its bundle fetches the
    # Redocly logo from cdn.redoc.ly whatever the options, and /docs already shows every operation.
    app = FastAPIOffline(title="Parcours", version="1", description=DESCRIPTION, lifespan=lifespan,
                         redoc_url=None, responses=problem_responses(400, 401, 413, 422, 503))
    app.state.parcours = parcours  # given: usable without the lifespan (in-process tests)
    app.state.sessions = session_tokens(settings)
    install_problem_handlers(app)
    limit = settings.http_api_max_body_bytes
    app.add_middleware(BodySizeLimit, max_bytes=limit,
                       too_large=lambda: problem_response(None, 413, "request_too_large",
                                                          wording.HTTP_PROBLEMS[413][0],
                                                          wording.BODY_TOO_LARGE.format(limit=limit)),
                       exempt=(f"{ADMIN_PREFIX}/",))  # an export is streamed by its route, under its own limit
    for module in (activations, recoveries, accounts, other_activations):
        app.include_router(module.router, dependencies=[Depends(authorised)])
    app.include_router(admin_records_router(settings))  # its own token, not the API layers'
    app.state.event_engine = app.state.event_sessions = None  # the outbox's, made at the first GET /events
    app.include_router(events_router(settings), dependencies=[Depends(authorised)])

    @app.get("/health", tags=["service"], summary="Liveness: the API answers")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", tags=["service"], summary="Readiness: Temporal answers", responses=problem_responses(503))
    async def ready(request: Request) -> JSONResponse:
        await request.app.state.parcours.client.service_client.check_health()
        return JSONResponse({"status": "ready"})

    return app
