"""/sign-ins and /accounts/{account_ref}/…: « Mon compte » — password and contact changes, new
students, link reports, merging accounts. Each account has at most one live journey of each kind:
POST on the journey starts it or joins the live one."""

from __future__ import annotations

import typing
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from parcours.contracts.accounts import (
    SignInInput,
)
from parcours.contracts.children import (
    AccountView,
    LinkReportStep,
)
from parcours.contracts.common import OpaqueRef, StrictInput
from parcours.http_api.problems import answer_with_retry_after, problem_responses
from parcours.http_api.resources import AccountRef, parcours, path_parameters, routed, step_route, update_route
from parcours.http_api.sessions import SignInAnswer, signed_in, with_session
from parcours.workflows.children import AccountMergeWorkflow, ChildrenConfirmationWorkflow
from parcours.workflows.contact import EmailChangeWorkflow, MobileChangeWorkflow
from parcours.workflows.password_change import PasswordChangeWorkflow

ACCOUNT = "/accounts/{account_ref}"
router = APIRouter(responses=problem_responses(404, 409, 429))
# Every /accounts/{account_ref} route but the mailed link's wants the account's session token.
signed_in_router = APIRouter(dependencies=[Depends(signed_in)], responses=problem_responses(401, 404, 409, 429))
FOR_ACCOUNT = ("account_ref", AccountRef)  # the path names the journey by its account


class LinkReportInput(StrictInput):
    student_ref: OpaqueRef


def journey_routes(router: APIRouter, path: str, workflow_class: type[Any], start: str, *, tag: str, summary: str,
                   names: tuple[str, str]) -> None:
    """POST starts (or joins) the account's journey, GET reads its step; `start` names the
    ParcoursClient method, `names` the two endpoints (the OpenAPI operation ids are made of them)."""

    async def start_or_join(request: Request, account_ref: str) -> Any:
        return await (await getattr(parcours(request), start)(account_ref)).current_step()

    step_type = typing.get_type_hints(workflow_class.current_step)["return"]
    start_name, step_name = names
    router.post(ACCOUNT + path, tags=[tag], summary=summary)(
        routed(start_or_join, start_name, path_parameters(FOR_ACCOUNT), step_type))
    step_route(router, ACCOUNT + path, workflow_class, name=step_name, ref=FOR_ACCOUNT, tags=[tag])


@router.post("/sign-ins", tags=["account"],
             summary="Identifier and password: the account and its session token, `invalid` or `locked`")
async def sign_in(request: Request, response: Response, credentials: SignInInput) -> SignInAnswer:
    result = await parcours(request).sign_in(credentials.identifier, credentials.password)
    return answer_with_retry_after(response, with_session(request, result))


@signed_in_router.get(ACCOUNT, tags=["account"], summary="« Mes informations » and « Mes enfants »")
async def account_view(request: Request, account_ref: AccountRef) -> AccountView:
    return request.state.account_view  # read to check the session (sessions.signed_in)


@signed_in_router.post(ACCOUNT + "/link-reports", tags=["children"],
             summary="« Je ne suis pas le représentant légal de cet élève »")
async def report_link(request: Request, account_ref: AccountRef, body: LinkReportInput) -> LinkReportStep:
    return await parcours(request).report_link(account_ref, body.student_ref)


# Each account journey: its start-or-join and step routes, then one route per update.
UpdateRow = tuple[str, str, str, str]  # the path under the journey's, the update, the endpoint's name, summary
ACCOUNT_JOURNEYS: tuple[tuple[str, type[Any], str, str, str, tuple[str, str], tuple[UpdateRow, ...]], ...] = (
    ("/password-change", PasswordChangeWorkflow, "start_password_change", "account",
     "Start (or join) the password change", ("start_password_change", "password_change"),
     (("/password", "change_password", "change_password", "Current password and the new one twice"),)),
    # New students at sign-in (R-KID-2)
    ("/children-confirmation", ChildrenConfirmationWorkflow, "start_children_confirmation", "children",
     "Start (or join): the students to confirm", ("start_children_confirmation", "children_confirmation"),
     (("/answers", "answer_child", "answer_child", "Confirm or report one student"),)),
    # Merging another account into this one (R-KID-1)
    ("/merge", AccountMergeWorkflow, "start_merge", "children",
     "Start (or join) « Ajouter des élèves depuis un autre compte »", ("start_merge", "merge_step"),
     (("/source", "merge", "merge", "The other account's identifier and password"),)),
    # Email change (R-CON-2 … R-CON-6)
    ("/email-change", EmailChangeWorkflow, "email_change", "contact",
     "Start (or join) « Modifier mon adresse mail »", ("start_email_change", "email_change"),
     (("/request", "request_change", "request_email_change", "The new address, twice: a link is mailed"),
      ("/resend-link", "resend_link", "resend_email_link", "Mail the link again"),
      ("/link", "open_link", "open_email_link", "The mailed link was opened"),
      ("/confirmation", "confirm", "confirm_email",
       "Confirm, signed in to this account (its session; `signed_in_account_ref` may be left out)"))),
    # Mobile change (R-CON-7)
    ("/mobile-change", MobileChangeWorkflow, "mobile_change", "contact",
     "Start (or join) « Modifier mon numéro de portable »", ("start_mobile_change", "mobile_change"),
     (("/request", "request_change", "request_mobile_change", "The new number: a code is sent to it"),
      ("/code", "submit_code", "mobile_code", "The code received on the new number"),
      ("/resend-code", "resend_code", "resend_mobile_code", "« Renvoyer le code »"))),
)
# The inputs that name the signed-in account: the session proves it, the body may leave it out.
SIGNED_IN_FIELDS = {"confirm": ("signed_in_account_ref",)}
# The mailed link's own token proves its route: it is opened from the mail, perhaps signed out.
OPENED_BY_LINK = {(EmailChangeWorkflow, "open_link")}
for path, workflow_class, start, tag, summary, names, updates in ACCOUNT_JOURNEYS:
    journey_routes(signed_in_router, path, workflow_class, start, tag=tag, summary=summary, names=names)
    for under, update, name, update_summary in updates:
        update_route(router if (workflow_class, update) in OPENED_BY_LINK else signed_in_router,
                     ACCOUNT + path + under, workflow_class, update, name=name, tags=[tag],
                     summary=update_summary, ref=FOR_ACCOUNT, from_path=SIGNED_IN_FIELDS.get(update, ()))
router.include_router(signed_in_router)
