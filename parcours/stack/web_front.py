"""The reference front end in the embedded stack: served where the mails' links point
(PARCOURS_PUBLIC_BASE_URL, http://localhost:8000), before the stack's HTTP API, with the dev
inbox page when the stack's providers are the dev ones — the stack hands the page its reader, so
a front end started on its own (`parcours-web`, production) never has it."""

from __future__ import annotations

from urllib.parse import urlsplit

import uvicorn

from parcours.http_api.serve import app_server
from parcours.messaging.providers import DevInbox
from parcours.settings import Settings
from parcours.web.app import create_web_app
from parcours.web.settings import WebSettings


def web_address(settings: Settings) -> tuple[str, int]:
    """Where the front end listens: public_base_url's port, on the HTTP API's interface."""
    url = urlsplit(settings.public_base_url)
    return settings.http_api_host, url.port or (443 if url.scheme == "https" else 80)


def web_front_end(settings: Settings) -> uvicorn.Server:
    host, port = web_address(settings)
    web_settings = WebSettings(
        host=host, port=port, api_url=f"http://{settings.http_api_host}:{settings.http_api_port}",
        api_token=settings.http_api_token, cookie_secure=settings.public_base_url.startswith("https://"),
        time_zone=settings.user_time_zone)
    uses_dev_inbox = "dev" in (settings.mail_provider, settings.sms_provider)
    reader = DevInbox(settings.dev_inbox_path).read if uses_dev_inbox else None
    return app_server(create_web_app(web_settings, dev_inbox=reader), host, port, embedded=True)
