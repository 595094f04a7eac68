"""The front end's settings, PARCOURS_WEB_*: a deployable of its own (another process, another
host at times), so it reads its own prefix and none of the service's settings — sharing
parcours/settings.py would import the service into the front end and blur what each one may read."""

from __future__ import annotations

from datetime import timedelta

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARCOURS_WEB_", env_file=(".env", ".parcours/secrets.env"),
                                      env_file_encoding="utf-8", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000  # the service's public_base_url (its mailed links point here)
    # The HTTP API it drives, and the bearer token that API wants when it has one.
    api_url: str = "http://127.0.0.1:8080"
    api_token: SecretStr | None = None
    api_timeout: timedelta = timedelta(seconds=30)  # a step that sends a code waits for the send
    # Signs the session cookie (itsdangerous). Required: without it
    # nobody could trust a cookie after a restart, so the front end refuses to start. The embedded
    # stack finds it in .parcours/secrets.env (generated once, like the service's keys).
    secret_key: SecretStr | None = None
    session_lifetime: timedelta = timedelta(hours=1)  # the cookie's; the API's own session is shorter
    # Secure cookies (HTTPS only): on in production; the embedded stack serves plain http://localhost.
    cookie_secure: bool = True
    # Times shown to users (« à partir de 08:47 »): the service's PARCOURS_USER_TIME_ZONE.
    time_zone: str = "Europe/Paris"
    service_name: str = "EduConnect"  # as the seeds, SMS and mails write it
