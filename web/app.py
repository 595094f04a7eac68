"""The front end's application: its pages, each journey's router, the session, the guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from parcours.web import dev_inbox as dev_inbox_page
from parcours.web.api import ParcoursApi, ServiceUnavailable
from parcours.web.dev_inbox import InboxReader
from parcours.web.journeys import JOURNEYS
from parcours.web.journeys.signed_in import SignInRequired, ask_sign_in
from parcours.web.pages import render
from parcours.web.security import CsrfRefused, SecurityHeaders
from parcours.web.settings import WebSettings

SESSION_COOKIE = "parcours_web"


def create_web_app(settings: WebSettings, *, api_transport: httpx.AsyncBaseTransport | None = None,
                   dev_inbox: InboxReader | None = None) -> FastAPI:
    """`api_transport`: how to reach the API (tests: in process); `dev_inbox`: the dev inbox's
    reader, given by the embedded stack only (dev_inbox.py says why)."""
    if settings.secret_key is None:
        raise ValueError("PARCOURS_WEB_SECRET_KEY manque : la clé qui signe le cookie de session est requise")
    api = ParcoursApi(settings, api_transport)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await api.aclose()

    app = FastAPI(title="Parcours web", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings, app.state.api, app.state.dev_inbox = settings, api, dev_inbox
    # Starlette's session: signed (itsdangerous), HttpOnly, SameSite=Lax, Secure unless told otherwise.
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key.get_secret_value(),
                       session_cookie=SESSION_COOKIE, max_age=int(settings.session_lifetime.total_seconds()),
                       same_site="lax", https_only=settings.cookie_secure)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/")
    async def home(request: Request) -> Response:
        return render(request, "home.html", journeys=JOURNEYS)

    for journey in JOURNEYS:
        app.include_router(journey.router)
    if dev_inbox is not None:
        app.include_router(dev_inbox_page.router)

    app.add_exception_handler(SignInRequired, ask_sign_in)  # « Mon compte » signed out: sign in, then back

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: Exception) -> Response:
        return render(request, "error.html", status_code=403, heading="Formulaire expiré",
                      text="Ce formulaire a expiré ou ne vient pas de ce site. Revenez à la page précédente, "
                           "actualisez-la et envoyez-le à nouveau.")

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, _: Exception) -> Response:
        return render(request, "error.html", status_code=503, heading="Service momentanément indisponible",
                      text="Le service ne répond pas pour le moment. Veuillez réessayer dans quelques minutes.")

    @app.exception_handler(HTTPException)
    async def not_found(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        return render(request, "error.html", status_code=status, heading="Page introuvable" if status == 404
                      else "Requête refusée", text="La page demandée n'existe pas ou n'est plus disponible.")

    return app
