"""« Mon compte »: « Mes informations » (GET /accounts/<ref>), and its journeys — the password
change, the email change (its pending state, « Renvoyer le mail », the mailed link's page), the
mobile change (the code step as activation's). Every page wants a sign-in (signed_in.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from parcours.web.journeys import sign_in
from parcours.web.journeys.signed_in import (
    ACCOUNT_URL,
    AFTER_SIGN_IN,
    SIGN_IN_URL,
    AccountScreens,
    account_view,
    signed_in_ref,
    tell_next_page,
    told,
)
from parcours.web.journeys.steps import CODE_REFUSALS, CODE_STATES, ENDED, LINK_INCOMPLETE, UNKNOWN, api
from parcours.web.pages import render
from parcours.web.security import checked_form

pages = APIRouter(prefix=ACCOUNT_URL)
PASSWORD = AccountScreens(
    start_url=ACCOUNT_URL + "/mot-de-passe", session_key="", resource="/password-change", ends_session=True,
    templates={"password_to_change": "account/password.html"}, first="account/unavailable.html",
    other="account/step.html", renamed={"new_password": "password"},  # the criteria's field (steps.new_password)
    refusals={"wrong_password": "current_password", "locked": "current_password", "franceconnect": None})
EMAIL = AccountScreens(
    start_url=ACCOUNT_URL + "/email", session_key="", resource="/email-change",
    templates=dict.fromkeys(("change_to_request", "link_sent", "link_not_sent"), "account/email.html"),
    first="account/unavailable.html", other="account/step.html",
    refusals={"resend_refused": "resend", "send_failed": "resend", "link_invalid": None})
MOBILE = AccountScreens(
    start_url=ACCOUNT_URL + "/portable", session_key="", resource="/mobile-change",
    templates={"number_to_request": "account/mobile.html", **dict.fromkeys(CODE_STATES, "account/mobile_code.html")},
    first="account/unavailable.html", other="account/step.html", refusals=CODE_REFUSALS)
EMAIL_LINK_URL = EMAIL.start_url + "/confirmer"  # the mailed link's page (activities/contact.py builds it)
EMAIL_JOURNEY_PREFIX = "email-change/"  # the link's `parcours`: the journey's id, email-change/<account_ref>
EMAIL_LINK = "lien_mail"  # session key: the opened link's account and token, out of the address bar
EMAIL_LINK_USED = ("Ce lien a déjà servi ou n'est plus valable : votre nouvelle adresse mail est peut-être déjà "
                   "confirmée. Vérifiez-la dans « Mes informations », ou faites une nouvelle demande.")


@pages.get("")
async def information(request: Request) -> Response:
    return render(request, "account/information.html", account=await account_view(request), notice=told(request))


@pages.get("/mot-de-passe")
async def password_page(request: Request) -> Response:
    return await PASSWORD.show(request)


@pages.post("/mot-de-passe")
async def change_password(request: Request) -> Response:
    form = await checked_form(request)
    return await PASSWORD.act(request, "password", {
        "current_password": form.get("current_password", ""), "new_password": form.get("password", ""),
        "confirmation": form.get("confirmation", "")})


@pages.get("/email")
async def email_page(request: Request) -> Response:
    return await EMAIL.show(request)


@pages.post("/email/demande")
async def request_email(request: Request) -> Response:
    form = await checked_form(request)
    values = {"new_email": form.get("new_email", ""), "confirmation": form.get("confirmation", "")}
    return await EMAIL.act(request, "request", values, values=values)


@pages.post("/email/renvoi")
async def resend_email(request: Request) -> Response:
    await checked_form(request)
    return await EMAIL.act(request, "resend-link")


@pages.get("/email/confirmer")
async def email_link(request: Request, parcours: str = "", jeton: str = "") -> Response:
    """The mailed link: kept in the session, then the same page without the token in its address
    (nor in the history); it shows identifier, old and new address (R-CON-5) and changes nothing."""
    if parcours or jeton:
        if parcours.startswith(EMAIL_JOURNEY_PREFIX) and jeton:
            request.session[EMAIL_LINK] = {"ref": parcours.removeprefix(EMAIL_JOURNEY_PREFIX), "token": jeton}
        return RedirectResponse(EMAIL_LINK_URL, status_code=303)
    link = request.session.get(EMAIL_LINK)
    if link is None:
        return render(request, "account/email_link.html", step=None, status_code=404)
    answer = await api(request).post(f"/accounts/{link['ref']}/email-change/link", {"token": link["token"]})
    reason = answer.body.get("reason")
    body = answer.body if answer.ok else {"status": "link_invalid", "step": None, "message": (
        EMAIL_LINK_USED if reason in (ENDED, UNKNOWN)
        else LINK_INCOMPLETE if reason in ("invalid_input", "unknown_account") else answer.body.get("detail"))}
    signed_in_as = signed_in_ref(request)
    return render(request, "account/email_link.html", outcome=body, step=body["step"],
                  signed_in_here=signed_in_as == link["ref"],
                  signed_in_elsewhere=signed_in_as is not None and signed_in_as != link["ref"],
                  status_code=answer.status_code)


@pages.post("/email/confirmer")
async def confirm_email(request: Request) -> Response:
    await checked_form(request)
    link = request.session.get(EMAIL_LINK)
    if link is None:
        return RedirectResponse(EMAIL_LINK_URL, status_code=303)
    if signed_in_ref(request) != link["ref"]:  # R-CON-5: signed in to that account
        request.session[AFTER_SIGN_IN] = EMAIL_LINK_URL
        tell_next_page(request, "Connectez-vous au compte dont vous confirmez l'adresse mail.")
        return RedirectResponse(SIGN_IN_URL, status_code=303)
    response = await EMAIL.act(request, "confirmation", {"token": link["token"]})
    if response.status_code == 303:  # confirmed: the link has done its work
        request.session.pop(EMAIL_LINK, None)
    return response


@pages.get("/portable")
async def mobile_page(request: Request) -> Response:
    return await MOBILE.show(request)


@pages.post("/portable/demande")
async def request_mobile(request: Request) -> Response:
    form = await checked_form(request)
    values = {"new_mobile": form.get("new_mobile", "")}
    return await MOBILE.act(request, "request", values, values=values)


@pages.post("/portable/code")
async def mobile_code(request: Request) -> Response:
    form = await checked_form(request)
    return await MOBILE.act(request, "code", {"code": form.get("code", "")})


@pages.post("/portable/renvoi")
async def resend_mobile_code(request: Request) -> Response:
    await checked_form(request)
    return await MOBILE.act(request, "resend-code")


router = APIRouter()  # « Mon compte »'s pages and « Me connecter », which they ask for
router.include_router(pages)
router.include_router(sign_in.router)
