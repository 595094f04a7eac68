"""« Je n'ai pas de compte »: activation by SMS or mail (the API's /activations). Every screen is
drawn from the journey's current step — its state picks the template, its expected input, deadlines
and messages fill it. The journey's location lives in the session, never in a URL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from parcours.web.api import ApiAnswer, FormErrors, ParcoursApi
from parcours.web.pages import render
from parcours.web.security import checked_form

START_URL = "/activation"
JOURNEY = "activation"  # session key: the journey's location in the API (/activations/<ref>)
router = APIRouter(prefix=START_URL)

CODE_STEP = "activation/code.html"
TEMPLATE_OF_STATE = {
    "identity_to_check": "activation/identity.html",
    "code_sent": CODE_STEP, "code_expired": CODE_STEP, "code_void": CODE_STEP, "code_not_sent": CODE_STEP,
    "children_to_confirm": "activation/children.html",
    "password_to_choose": "activation/password.html",
    "activated": "activation/activated.html",
}
OTHER_STEP = "activation/step.html"  # the identity being looked up, already active, abandoned, superseded
# Outcomes that turn the user's input down: their message goes next to the field (None: on top only).
FIELD_OF_REFUSAL: dict[str, str | None] = {
    "mismatch": None, "code_incorrect": "code", "code_void": "code", "code_expired": "code",
    "resend_refused": "resend", "send_failed": "resend", "birth_date_incorrect": "birth_date",
}
IDENTITY_FIELDS = ("channel", "last_name", "first_name", "mobile", "email")


def api(request: Request) -> ParcoursApi:
    return request.app.state.api


async def current_step(request: Request) -> dict[str, Any] | None:
    """The journey's step from the API; None without a journey, or when the API no longer knows it."""
    location = request.session.get(JOURNEY)
    if location is None:
        return None
    answer = await api(request).get(location)
    if not answer.ok:
        request.session.pop(JOURNEY, None)
        return None
    return answer.body


def render_step(request: Request, step: dict[str, Any] | None, *, errors: FormErrors | None = None,
                notice: str | None = None, values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    template = TEMPLATE_OF_STATE.get(step["state"], OTHER_STEP) if step else TEMPLATE_OF_STATE["identity_to_check"]
    return render(request, template, status_code=status_code, errors=errors, step=step, notice=notice,
                  values={"channel": "sms", **(values or {})})


async def answered(request: Request, answer: ApiAnswer, *, values: dict[str, str] | None = None,
                   prefix: str = "") -> Response:
    """The page after an action: an accepted one redirects to the journey's page (reloading it
    sends nothing again); a refusal or an answer other than accepted shows the step with its message
    next to the field it concerns."""
    if not answer.ok:
        step = await current_step(request)
        return render_step(request, step, errors=answer.errors(prefix=prefix), values=values,
                           status_code=answer.status_code)
    outcome = answer.body.get("outcome", answer.body)  # a start answers {outcome, step, location}
    if outcome["status"] == "accepted":
        return RedirectResponse(START_URL, status_code=303)
    errors, notice = FormErrors(), None
    if outcome["status"] in FIELD_OF_REFUSAL:
        errors.summary = outcome["message"]
        if (field := FIELD_OF_REFUSAL[outcome["status"]]) is not None:
            errors.add(prefix + field, outcome["message"])
    else:  # news, not a refusal: a child reported or left unconfirmed, an account already active
        notice = outcome["message"]
    return render_step(request, answer.body["step"], errors=errors, notice=notice, values=values)


async def act(request: Request, action: str, body: dict[str, Any] | None = None, *, prefix: str = "",
              values: dict[str, str] | None = None) -> Response:
    """One of the journey's actions (the API's POST /activations/<ref>/<action>), then its page."""
    location = request.session.get(JOURNEY)
    if location is None:  # no journey (the session ended): its first page
        return RedirectResponse(START_URL, status_code=303)
    return await answered(request, await api(request).post(f"{location}/{action}", body), prefix=prefix, values=values)


@router.get("")
async def show(request: Request) -> Response:
    return render_step(request, await current_step(request))


@router.post("/recommencer")
async def restart(request: Request) -> Response:
    await checked_form(request)
    request.session.pop(JOURNEY, None)
    return RedirectResponse(START_URL, status_code=303)


@router.post("/identite")
async def identity(request: Request) -> Response:
    form = await checked_form(request)
    values = {name: form.get(name, "") for name in IDENTITY_FIELDS}
    body: dict[str, Any] = {name: values[name] for name in ("channel", "last_name", "first_name")}
    destination = {"sms": "mobile", "mail": "email"}.get(values["channel"])
    if destination:  # only the channel's own: the other field may hold a leftover the user did not mean
        body[destination] = values[destination]
    step = await current_step(request)
    if step is not None and step["state"] == "identity_to_check":  # a corrected identity (R-ACT-1)
        return await act(request, "identity", body, values=values)
    answer = await api(request).post("/activations", body)
    if answer.ok:
        request.session[JOURNEY] = answer.body["location"]
    return await answered(request, answer, values=values)


@router.post("/code")
async def code(request: Request) -> Response:
    form = await checked_form(request)
    return await act(request, "code", {"code": form.get("code", "")})


@router.post("/renvoi")
async def resend(request: Request) -> Response:
    await checked_form(request)
    return await act(request, "resend-code")


@router.post("/enfants")
async def child(request: Request) -> Response:
    form = await checked_form(request)
    student_ref = form.get("student_ref", "")
    body: dict[str, Any] = {"student_ref": student_ref}
    if form.get("answer") in ("oui", "non"):  # no answer: the API names the missing field
        body["is_guardian"] = form["answer"] == "oui"
    if form.get("birth_date") and body.get("is_guardian", True):
        body["birth_date"] = form["birth_date"]
    return await act(request, "children", body, prefix=f"{student_ref}.")


@router.post("/mot-de-passe")
async def password(request: Request) -> Response:
    form = await checked_form(request)
    body = {"password": form.get("password", ""), "confirmation": form.get("confirmation", "")}
    return await act(request, "password", body)
