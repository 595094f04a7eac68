"""What guards every page: the signed session cookie, the CSRF token of every form, the security
headers. The session is Starlette's (an itsdangerous-signed cookie, HttpOnly, SameSite=Lax): it
holds the journeys' references and, after a sign-in, the account ref and the API's session token,
so no secret ever travels in a URL (the mailed link's token excepted: the mail carries it)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

CSRF_FIELD = "csrf_token"
# No inline script or style anywhere: every script and sheet is a file of this front end.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
                           "object-src 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the mailed link's token must not leak to another page
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages show personal data and one-time steps
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and request.url.path.startswith("/static/"):
                continue
            response.headers.setdefault(name, value)
        return response


def csrf_token(request: Request) -> str:
    """The session's token, made on first use: every form carries it in a hidden field."""
    token = request.session.get(CSRF_FIELD)
    if token is None:
        token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


class CsrfRefused(Exception):
    """A form without the session's token: sent from another site, or after the session ended."""


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form's fields, once its CSRF token matched the session's (else CsrfRefused).
    Values that are not text (files) are not read."""
    form = await request.form()
    expected, sent = request.session.get(CSRF_FIELD), form.get(CSRF_FIELD)
    if not (isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)):
        raise CsrfRefused
    return {name: value for name, value in form.items() if isinstance(value, str) and name != CSRF_FIELD}
