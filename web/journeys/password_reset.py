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
from starlette.responses import RedirectResponse, Response

from parcours.web.journeys.steps import (
    CODE_REFUSALS,
    CODE_STATES,
    ENDED,
    LINK_INCOMPLETE,
    UNKNOWN,
    JourneyScreens,
    api,
    refuse_on_next_page,
)
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
# The link opened in two places, used in one: the other is told its password was not set, and what to do.
LINK_USED = ("Ce lien a déjà servi : un nouveau mot de passe a déjà été choisi avec lui. Si ce n'est pas vous, "
             "faites une nouvelle demande ci-dessous.")
PASSWORD_NOT_SET = ("Votre mot de passe n'a pas été modifié : ce lien avait déjà servi à choisir un nouveau mot "
                    "de passe. Si ce n'est pas vous, faites une nouvelle demande ci-dessous.")
LINK_GONE = "Ce lien n'est plus valable : faites une nouvelle demande ci-dessous."


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
    location, token = request.session.get(SCREENS.session_key), request.session.get(TOKEN)
    if location is None or token is None:  # after the SMS code (or no journey: its first page)
        return await SCREENS.act(request, "password", body)
    answer = await api(request).post(f"{location}/password", {**body, "token": token})
    if answer.body.get("reason") == ENDED:  # the link used elsewhere first: this password was not set
        return forget_link(request, PASSWORD_NOT_SET)
    if answer.ok and answer.body["status"] == "accepted":
        request.session.pop(TOKEN, None)  # the link has done its work
    return await SCREENS.answered(request, answer)


def forget_link(request: Request, refusal: str) -> Response:
    """A link that cannot serve: the journey is forgotten, its first page (a new request) says why."""
    SCREENS.forget(request)
    request.session.pop(TOKEN, None)
    refuse_on_next_page(request, refusal)
    return RedirectResponse(START_URL, status_code=303)


@router.get(LINK_URL)
async def link(request: Request, parcours: str = "", jeton: str = "") -> Response:
    """The mailed link: `open_link` checks it and shows the identifier, consuming nothing. Whatever
    its answer, the page redirects, so the token leaves the address bar and the history."""
    if not parcours.startswith(JOURNEY_ID_PREFIX) or not jeton:
        return forget_link(request, LINK_INCOMPLETE)
    location = f"{RESOURCE}/{parcours.removeprefix(JOURNEY_ID_PREFIX)}"
    answer = await api(request).post(f"{location}/link", {"token": jeton})
    if not answer.ok:  # altered (422), used (409), past its retention (404)
        reason = answer.body.get("reason")
        return forget_link(request, LINK_USED if reason == ENDED else LINK_GONE if reason == UNKNOWN
                           else LINK_INCOMPLETE)
    request.session[SCREENS.session_key] = location
    request.session.pop(TOKEN, None)
    if answer.body["status"] == "accepted":
        request.session[TOKEN] = jeton
    else:  # refused with its step (e.g. expired): told on the journey's page
        refuse_on_next_page(request, answer.body["message"])
    return RedirectResponse(START_URL, status_code=303)
