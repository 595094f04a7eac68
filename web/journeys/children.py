"""« Mes enfants »: the account's students (GET /accounts/<ref>: a birth date only for a confirmed
link, as the API gives it), « Je ne suis pas le représentant légal de cet élève » (POST
/link-reports), the new students to confirm (the children-confirmation journey, activation's
screen), and « Ajouter des élèves depuis un autre compte » (the merge journey)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from parcours.web.journeys.signed_in import (
    AFTER_SIGN_IN,
    AccountScreens,
    account_call,
    account_view,
    tell_next_page,
    told,
)
from parcours.web.pages import render
from parcours.web.security import checked_form

CHILDREN_URL = "/mes-enfants"
router = APIRouter(prefix=CHILDREN_URL)
NEW_CHILDREN = AccountScreens(
    start_url=CHILDREN_URL + "/nouveaux", session_key="", resource="/children-confirmation", done_url=CHILDREN_URL,
    templates={"children_to_confirm": "children/new_children.html"}, first="account/unavailable.html",
    other="account/step.html", refusals={"birth_date_incorrect": "birth_date"})
MERGE = AccountScreens(
    start_url=CHILDREN_URL + "/regroupement", session_key="", resource="/merge", ends_session=True,
    templates={"other_account_to_give": "children/merge.html"}, first="account/unavailable.html",
    other="account/step.html", refusals={"invalid": None, "locked": None, "names_differ": None, "same_account": None})


@router.get("")
async def children(request: Request) -> Response:
    return render(request, "children/children.html", account=await account_view(request), notice=told(request))


@router.post("/signalement")
async def report_link(request: Request) -> Response:
    """« Je ne suis pas le représentant légal de cet élève »: the report's answer is its final step,
    told on the list (a sole link is kept, and said so)."""
    form = await checked_form(request)
    answer = await account_call(request, "/link-reports", {"student_ref": form.get("student_ref", "")})
    tell_next_page(request, " ".join(answer.body["messages"]) if answer.ok else answer.body.get("detail"))
    return RedirectResponse(CHILDREN_URL, status_code=303)


@router.get("/nouveaux")
async def new_children(request: Request) -> Response:
    step = await NEW_CHILDREN.current_step(request)
    if step is not None and step["finished"]:  # nothing (more) to confirm: where the sign-in was going
        tell_next_page(request, " ".join(step["messages"]))
        return RedirectResponse(request.session.pop(AFTER_SIGN_IN, None) or CHILDREN_URL, status_code=303)
    return NEW_CHILDREN.render_step(request, step, notice=told(request))


def child_answer(form: dict[str, str]) -> dict[str, Any]:
    """« Je confirme mes enfants »' form (steps.children_step) as the API takes it: its errors
    then go next to that student's fields (prefix `<student_ref>.`)."""
    body: dict[str, Any] = {"student_ref": form.get("student_ref", "")}
    if form.get("answer") in ("oui", "non"):  # no answer: the API names the missing field
        body["is_guardian"] = form["answer"] == "oui"
    if form.get("birth_date") and body.get("is_guardian", True):
        body["birth_date"] = form["birth_date"]
    return body


@router.post("/nouveaux")
async def answer_child(request: Request) -> Response:
    body = child_answer(await checked_form(request))
    response = await NEW_CHILDREN.act(request, "answers", body, prefix=f"{body['student_ref']}.")
    all_answered = response.headers.get("location") == NEW_CHILDREN.done_url
    after = request.session.pop(AFTER_SIGN_IN, None) if all_answered else None
    return RedirectResponse(after, status_code=303) if after else response  # where the sign-in was going


@router.get("/regroupement")
async def merge_page(request: Request) -> Response:
    return await MERGE.show(request)


@router.post("/regroupement")
async def merge(request: Request) -> Response:
    form = await checked_form(request)
    values = {"identifier": form.get("identifier", "")}
    return await MERGE.act(request, "source", {**values, "password": form.get("password", "")}, values=values)
