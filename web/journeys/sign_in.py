"""« Me connecter »: identifier and password (POST /sign-ins). Signed in, the session keeps the
account's ref and the API's session token; new students to confirm come first (R-KID-2), then
the page that asked for the sign-in, or « Mon compte ». Refused (`invalid`, `locked` with the
lock's end, `merged`), the API's French message is shown on top of the form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from parcours.web.api import FormErrors
from parcours.web.journeys.signed_in import (
    ACCOUNT_URL,
    AFTER_SIGN_IN,
    SIGN_IN_URL,
    SIGNED_IN,
    account_call,
    sign_out,
    tell_next_page,
    told,
)
from parcours.web.journeys.steps import SIGN_IN_AS, api
from parcours.web.pages import render
from parcours.web.security import checked_form

NEW_CHILDREN_URL = "/mes-enfants/nouveaux"
router = APIRouter(prefix=SIGN_IN_URL)


def sign_in_page(request: Request, *, errors: FormErrors | None = None, identifier: str = "",
                 status_code: int = 200) -> Response:
    return render(request, "account/sign_in.html", status_code=status_code, errors=errors, notice=told(request),
                  values={"identifier": identifier})


@router.get("")
async def show(request: Request) -> Response:
    return sign_in_page(request, identifier=request.session.pop(SIGN_IN_AS, ""))


@router.post("")
async def sign_in(request: Request) -> Response:
    form = await checked_form(request)
    identifier = form.get("identifier", "")
    answer = await api(request).post("/sign-ins", {"identifier": identifier, "password": form.get("password", "")})
    if not answer.ok:  # a malformed identifier, a missing field: next to the field
        return sign_in_page(request, errors=answer.errors(), identifier=identifier, status_code=answer.status_code)
    if answer.body["status"] != "signed_in":  # the same words for an unknown identifier and a wrong password
        return sign_in_page(request, errors=FormErrors(summary=answer.body["message"]), identifier=identifier)
    request.session[SIGNED_IN] = {"ref": answer.body["account_ref"], "token": answer.body["session_token"],
                                  "identifier": answer.body["identifier"]}
    after = request.session.pop(AFTER_SIGN_IN, None) or ACCOUNT_URL
    if answer.body.get("kind") == "guardian":  # new students first (R-KID-2): the API looks them up
        children = await account_call(request, "/children-confirmation")
        if children.ok and children.body["state"] == "children_to_confirm":
            request.session[AFTER_SIGN_IN] = after
            return RedirectResponse(NEW_CHILDREN_URL, status_code=303)
    return RedirectResponse(after, status_code=303)


@router.post("/deconnexion")
async def sign_out_route(request: Request) -> Response:
    await checked_form(request)
    sign_out(request)
    tell_next_page(request, "Vous êtes déconnecté.")
    return RedirectResponse(SIGN_IN_URL, status_code=303)
