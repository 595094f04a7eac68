"""« Identifiant oublié » (the API's /identifier-recoveries, R-REC-1 by mail, R-REC-2 by SMS): the
address or number of the account; the answer is the same whether or not an account matches
(R-REC-7), so the page after the request only tells what the journey's step says."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcours.web.journeys.steps import JourneyScreens
from parcours.web.security import checked_form

START_URL = "/identifiant-oublie"
router = APIRouter(prefix=START_URL)
SCREENS = JourneyScreens(
    start_url=START_URL, session_key="identifier_recovery",
    templates={"request_to_receive": "recovery/identifier_request.html"},
    first="recovery/identifier_request.html",
    other="recovery/identifier_told.html",  # the request received, answered, abandoned
    refusals={"not_recognised": None},  # PARCOURS_RECOVERY_REVEALS_UNKNOWN only
    defaults={"channel": "mail"},
)
REQUEST_FIELDS = ("channel", "email", "mobile")


SCREENS.page_routes(router)


@router.post("/demande")
async def ask(request: Request) -> Response:
    form = await checked_form(request)
    values = {name: form.get(name, "") for name in REQUEST_FIELDS}
    body: dict[str, Any] = {"channel": values["channel"]}
    destination = {"sms": "mobile", "mail": "email"}.get(values["channel"])
    if destination and values[destination]:  # only the channel's own (the other may hold a leftover);
        body[destination] = values[destination]  # left empty, the API's refusal says it is required
    # Each request is a journey of its own: the API has no route to correct one (a refused one,
    # with PARCOURS_RECOVERY_REVEALS_UNKNOWN only, is left to idle out).
    return await SCREENS.start(request, "/identifier-recoveries", body, values=values)
