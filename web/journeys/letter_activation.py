"""Activation by notification letter (the API's /letter-activations, R-ACT-10): the identifier and
provisional password printed on the school's letter, then an email (mandatory for a guardian) and
the new password, whose criteria are drawn from the step as in « Je n'ai pas de compte »."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcours.web.journeys.steps import JourneyScreens
from parcours.web.security import checked_form

START_URL = "/activation-par-courrier"
RESOURCE = "/letter-activations"
router = APIRouter(prefix=START_URL)
SCREENS = JourneyScreens(
    start_url=START_URL, session_key="letter_activation",
    templates={"credentials_to_check": "letter/credentials.html", "details_to_give": "letter/details.html",
               "activated": "letter/activated.html"},
    first="letter/credentials.html",
    other="letter/step.html",  # abandoned
    refusals={"invalid": None, "locked": None},  # the same answer for a wrong identifier or password
)


SCREENS.page_routes(router)


@router.post("/identifiants")
async def credentials(request: Request) -> Response:
    """The letter's credentials: the journey opens with the first try (a page shown opens none)."""
    form = await checked_form(request)
    values = {"identifier": form.get("identifier", "")}  # the provisional password is never written back
    step = await SCREENS.current_step(request)
    if step is None or step["state"] != "credentials_to_check":
        answer = await SCREENS.start(request, RESOURCE)
        if answer.status_code != 303:  # the API refused to open one: its page says why
            return answer
    body = {"identifier": values["identifier"], "provisional_password": form.get("provisional_password", "")}
    return await SCREENS.act(request, "credentials", body, values=values)


@router.post("/details")
async def details(request: Request) -> Response:
    form = await checked_form(request)
    values = {"email": form.get("email", "")}
    body: dict[str, Any] = {"password": form.get("password", ""), "confirmation": form.get("confirmation", "")}
    if values["email"]:  # left empty: none (a student's is optional; a guardian's refusal names the field)
        body["email"] = values["email"]
    return await SCREENS.act(request, "details", body, values=values)
