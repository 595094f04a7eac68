"""What « Mon compte » and « Mes enfants » share: the signed-in account kept in the session (its
ref and the API's `Parcours-Session` token: never in a URL), every API call made with that token,
a sign-in asked again when the API refuses it (expired, revoked by a password change or a merge),
and the account's journeys — one per account, started or joined by a POST on their resource —
drawn like any journey's screens (JourneyScreens)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from parcours.web.api import ApiAnswer
from parcours.web.journeys.steps import JourneyScreens, api, propose_sign_in

SIGN_IN_URL = "/connexion"
ACCOUNT_URL = "/mon-compte"
SIGNED_IN = "compte"  # session key: {"ref", "token", "identifier"} after a sign-in
AFTER_SIGN_IN = "apres_connexion"  # session key: the page that asked for a sign-in
NOTICE = "message"  # session key: news for the next page (a redirect carries no page)
SIGN_IN_NEEDED = "Connectez-vous pour accéder à votre compte."


class SignInRequired(Exception):
    """No signed-in account, or the API no longer takes its token: the sign-in page, then back."""

    def __init__(self, message: str = SIGN_IN_NEEDED):
        super().__init__(message)
        self.message = message


def ask_sign_in(request: Request, error: Exception) -> Response:
    """SignInRequired's handler: the sign-in page, saying why, then back to the page asked for
    (a form sent signed out goes back to its page, not to the post)."""
    tell_next_page(request, error.message if isinstance(error, SignInRequired) else SIGN_IN_NEEDED)
    request.session[AFTER_SIGN_IN] = request.url.path if request.method == "GET" else ACCOUNT_URL
    return RedirectResponse(SIGN_IN_URL, status_code=303)


def signed_in(request: Request) -> dict[str, str]:
    account = request.session.get(SIGNED_IN)
    if not account:
        raise SignInRequired
    return account


def signed_in_ref(request: Request) -> str | None:
    return (request.session.get(SIGNED_IN) or {}).get("ref")


def sign_out(request: Request) -> None:
    request.session.pop(SIGNED_IN, None)


def tell_next_page(request: Request, message: str | None) -> None:
    if message:
        request.session[NOTICE] = message


def told(request: Request) -> str | None:
    """The news a redirect left for this page, said once."""
    return request.session.pop(NOTICE, None)


async def account_call(request: Request, path: str = "", body: dict[str, Any] | None = None, *,
                       method: str = "POST") -> ApiAnswer:
    """A call under /accounts/<ref> with the session's token; a refused token (401) signs the
    user out and asks for a sign-in with the API's French reason."""
    account = signed_in(request)
    location = f"/accounts/{account['ref']}{path}"
    if method == "GET":
        answer = await api(request).get(location, session_token=account["token"])
    else:
        answer = await api(request).post(location, body, session_token=account["token"])
    if answer.status_code == 401:
        sign_out(request)
        raise SignInRequired(answer.body.get("detail") or SIGN_IN_NEEDED)
    return answer


async def account_view(request: Request) -> dict[str, Any]:
    """« Mes informations » and « Mes enfants »: GET /accounts/<ref>."""
    return (await account_call(request, method="GET")).body


@dataclass(frozen=True)
class AccountScreens(JourneyScreens):
    """An account's journey (`resource` under /accounts/<ref>): its step is the answer of the
    POST that starts or joins it, so its location needs no keeping. An action that finishes it
    goes back to `done_url` with its message (the journey page would start a new one)."""

    resource: str = ""
    done_url: str = ACCOUNT_URL
    ends_session: bool = False  # a password change and a merge revoke the session: sign in again
    renamed: dict[str, str] = field(default_factory=dict)  # the API's field → the form's, for its errors

    async def current_step(self, request: Request) -> dict[str, Any] | None:
        answer = await account_call(request, self.resource)
        return answer.body if answer.ok else None

    async def show(self, request: Request) -> Response:
        return self.render_step(request, await self.current_step(request), notice=told(request))

    async def act(self, request: Request, action: str, body: dict[str, Any] | None = None, *, prefix: str = "",
                  values: dict[str, str] | None = None) -> Response:
        answer = await account_call(request, f"{self.resource}/{action}", body)
        for error in [] if answer.ok else answer.body.get("errors") or []:
            error["field"] = self.renamed.get(error.get("field", ""), error.get("field", ""))
        if answer.ok and answer.body["status"] == "accepted" and answer.body["step"]["finished"]:
            tell_next_page(request, answer.body["message"])
            if self.ends_session:  # the same account again (a merge's: the one kept), named
                propose_sign_in(request, signed_in(request).get("identifier"))
                sign_out(request)
            return RedirectResponse(SIGN_IN_URL if self.ends_session else self.done_url, status_code=303)
        return await self.answered(request, answer, prefix=prefix, values=values)
