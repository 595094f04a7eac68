"""« Mot de passe oublié » (the API's /password-resets, R-REC-3 by mail, R-REC-4 by SMS). By SMS: the
code step (activation's pieces), then the new password. By mail: the link in the mail points at
/mot-de-passe/nouveau (public_base_url's page); opening it shows the new-password form without
consuming the link (mail scanners open links too), submitting the form consumes it.

The link's token is the one secret a URL carries (the mail has it): the page keeps it in the
session cookie and redirects to a URL without it, so it stays out of the address bar, the history
and any Referer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcours.web.api import FormErrors
from parcours.web.journeys.steps import CODE_REFUSALS, CODE_STATES, JourneyScreens, api
from parcours.web.security import checked_form

START_URL = "/mot-de-passe-oublie"
LINK_URL = "/mot-de-passe/nouveau"  # the mailed link's page: ?parcours=<journey id>&jeton=<token>
JOURNEY_ID_PREFIX, RESOURCE = "password-reset/", "/password-resets"
TOKEN = "password_reset_token"  # session key: the mailed link's token, until the password is chosen
router = APIRouter()
SCREENS = JourneyScreens(
    start_url=START_URL, session_key="password_reset",
    templates={
        "request_to_receive": "recovery/reset_request.html",
        **dict.fromkeys(CODE_STATES, "recovery/reset_code.html"),
        "password_to_choose": "recovery/reset_password.html",
        "password_reset": "recovery/reset_done.html",
    },
    first="recovery/reset_request.html",
    other="recovery/reset_told.html",  # request received, link sent, link expired, abandoned, superseded
    refusals={"not_recognised": None, "link_invalid": None, **CODE_REFUSALS},
    defaults={"channel": "mail"},
)
REQUEST_FIELDS = ("identifier", "channel", "email")
# A link cut short or altered: no journey to ask the API about (the front end's own wording).
LINK_INCOMPLETE = ("Ce lien n'est pas complet : ouvrez-le directement depuis le mail ou copiez-le en entier, "
                   "ou faites une nouvelle demande.")


@router.get(START_URL)
async def show(request: Request) -> Response:
    return await SCREENS.show(request)


@router.post(START_URL + "/recommencer")
async def restart(request: Request) -> Response:
    await checked_form(request)
    request.session.pop(TOKEN, None)
    return SCREENS.restart(request)


@router.post(START_URL + "/demande")
async def ask(request: Request) -> Response:
    form = await checked_form(request)
    values = {name: form.get(name, "") for name in REQUEST_FIELDS}
    body: dict[str, Any] = {"channel": values["channel"], "identifier": values["identifier"]}
    if values["channel"] == "mail" and values["email"]:  # by mail the account's address too (R-REC-3);
        body["email"] = values["email"]  # left empty, the API's refusal says it is required
    request.session.pop(TOKEN, None)
    return await SCREENS.start(request, RESOURCE, body, values=values)


@router.post(START_URL + "/code")
async def code(request: Request) -> Response:
    form = await checked_form(request)
    return await SCREENS.act(request, "code", {"code": form.get("code", "")})


@router.post(START_URL + "/renvoi")
async def resend(request: Request) -> Response:
    await checked_form(request)
    return await SCREENS.act(request, "resend-code")


@router.post(START_URL + "/mot-de-passe")
async def password(request: Request) -> Response:
    """The new password: with the link's token when the journey came from the mail (this consumes
    the link), without after the SMS code."""
    form = await checked_form(request)
    body = {"password": form.get("password", ""), "confirmation": form.get("confirmation", "")}
    if token := request.session.get(TOKEN):
        body["token"] = token
    return await SCREENS.act(request, "password", body)


@router.get(LINK_URL)
async def link(request: Request, parcours: str = "", jeton: str = "") -> Response:
    """The mailed link: `open_link` checks it and shows the identifier, consuming nothing."""
    if not parcours.startswith(JOURNEY_ID_PREFIX) or not jeton:
        return SCREENS.render_step(request, None, errors=FormErrors(summary=LINK_INCOMPLETE), status_code=400)
    request.session[SCREENS.session_key] = f"{RESOURCE}/{parcours.removeprefix(JOURNEY_ID_PREFIX)}"
    request.session.pop(TOKEN, None)
    answer = await api(request).post(f"{request.session[SCREENS.session_key]}/link", {"token": jeton})
    if answer.ok and answer.body["status"] == "accepted":
        request.session[TOKEN] = jeton
    return await SCREENS.answered(request, answer)
