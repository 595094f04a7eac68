"""« Je n'ai pas de compte »: activation by SMS or mail (the API's /activations). Every screen is
drawn from the journey's current step — its state picks the template, its expected input, deadlines
and messages fill it. The journey's location lives in the session, never in a URL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcours.web.journeys.children import child_answer
from parcours.web.journeys.steps import CODE_REFUSALS, CODE_STATES, JourneyScreens
from parcours.web.security import checked_form

START_URL = "/activation"
router = APIRouter(prefix=START_URL)

SCREENS = JourneyScreens(
    start_url=START_URL, session_key="activation",  # the journey's location in the API (/activations/<ref>)
    templates={
        "identity_to_check": "activation/identity.html",
        **dict.fromkeys(CODE_STATES, "activation/code.html"),
        "children_to_confirm": "activation/children.html",
        "password_to_choose": "activation/password.html",
        "activated": "activation/activated.html",
    },
    first="activation/identity.html",
    other="activation/step.html",  # the identity being looked up, already active, abandoned, superseded
    refusals={"mismatch": None, **CODE_REFUSALS, "birth_date_incorrect": "birth_date"},
    defaults={"channel": "sms"},
)
IDENTITY_FIELDS = ("channel", "last_name", "first_name", "mobile", "email")
act = SCREENS.act


SCREENS.page_routes(router)


@router.post("/identite")
async def identity(request: Request) -> Response:
    form = await checked_form(request)
    values = {name: form.get(name, "") for name in IDENTITY_FIELDS}
    body: dict[str, Any] = {name: values[name] for name in ("channel", "last_name", "first_name")}
    destination = {"sms": "mobile", "mail": "email"}.get(values["channel"])
    if destination:  # only the channel's own: the other field may hold a leftover the user did not mean
        body[destination] = values[destination]
    step = await SCREENS.current_step(request)
    if step is not None and step["state"] == "identity_to_check":  # a corrected identity (R-ACT-1)
        return await act(request, "identity", body, values=values)
    return await SCREENS.start(request, "/activations", body, values=values)


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
    body = child_answer(await checked_form(request))
    return await act(request, "children", body, prefix=f"{body['student_ref']}.")


@router.post("/mot-de-passe")
async def password(request: Request) -> Response:
    form = await checked_form(request)
    body = {"password": form.get("password", ""), "confirmation": form.get("confirmation", "")}
    return await act(request, "password", body)
