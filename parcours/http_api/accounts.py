"""/sign-ins and /accounts/{account_ref}/…: « Mon compte » — password and contact changes, new
students, link reports, merging accounts. Each account has at most one live journey of each kind:
POST on the journey starts it or joins the live one."""

from __future__ import annotations

import inspect
import typing
from typing import Any

from fastapi import APIRouter, Request, Response

from parcours.contracts.accounts import (
    SignInInput,
    SignInResult,
)
from parcours.contracts.children import (
    AccountView,
    LinkReportStep,
)
from parcours.contracts.common import OpaqueRef, StrictInput
from parcours.http_api.problems import answer_with_retry_after, problem_responses
from parcours.http_api.resources import AccountRef, journey, parcours, update_route
from parcours.workflows.children import AccountMergeWorkflow, ChildrenConfirmationWorkflow
from parcours.workflows.contact import EmailChangeWorkflow, MobileChangeWorkflow
from parcours.workflows.password_change import PasswordChangeWorkflow

ACCOUNT = "/accounts/{account_ref}"
router = APIRouter(responses=problem_responses(404, 409, 429))
FOR_ACCOUNT = ("account_ref", AccountRef)  # the path names the journey by its account


class LinkReportInput(StrictInput):
    student_ref: OpaqueRef


def journey_routes(router: APIRouter, path: str, workflow_class: type[Any], start: str, *, tag: str, summary: str,
                   names: tuple[str, str]) -> None:
    """POST starts (or joins) the account's journey, GET reads its step; `start` names the
    ParcoursClient method, `names` the two endpoints (the OpenAPI operation ids are made of them)."""

    async def start_or_join(request: Request, account_ref: str) -> Any:
        return await (await getattr(parcours(request), start)(account_ref)).current_step()

    async def current_step(request: Request, account_ref: str) -> Any:
        return await journey(request, workflow_class, account_ref).current_step()

    step_type = typing.get_type_hints(workflow_class.current_step)["return"]
    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    signature = inspect.Signature([inspect.Parameter("request", parameter, annotation=Request),
                                   inspect.Parameter("account_ref", parameter, annotation=AccountRef)],
                                  return_annotation=step_type)
    for endpoint, name in zip((start_or_join, current_step), names, strict=True):
        endpoint.__signature__ = signature  # type: ignore[attr-defined]  # FastAPI reads the signature
        endpoint.__name__ = name
    router.post(ACCOUNT + path, tags=[tag], summary=summary)(start_or_join)
    router.get(ACCOUNT + path, tags=[tag], summary="The current step")(current_step)


@router.post("/sign-ins", tags=["account"], summary="Identifier and password: the account, `invalid` or `locked`")
async def sign_in(request: Request, response: Response, credentials: SignInInput) -> SignInResult:
    return answer_with_retry_after(response, await parcours(request).sign_in(credentials.identifier,
                                                                             credentials.password))


@router.get(ACCOUNT, tags=["account"], summary="« Mes informations » and « Mes enfants »")
async def account_view(request: Request, account_ref: AccountRef) -> AccountView:
    return await parcours(request).account_view(account_ref)


@router.post(ACCOUNT + "/link-reports", tags=["children"],
             summary="« Je ne suis pas le représentant légal de cet élève »")
async def report_link(request: Request, account_ref: AccountRef, body: LinkReportInput) -> LinkReportStep:
    return await parcours(request).report_link(account_ref, body.student_ref)


# Password change
journey_routes(router, "/password-change", PasswordChangeWorkflow, "start_password_change", tag="account",
               summary="Start (or join) the password change",
               names=("start_password_change", "password_change"))


update_route(router, ACCOUNT + "/password-change/password", PasswordChangeWorkflow, "change_password",
             name="change_password", tags=["account"], summary="Current password and the new one twice",
             ref=FOR_ACCOUNT)


# New students at sign-in (R-KID-2)
journey_routes(router, "/children-confirmation", ChildrenConfirmationWorkflow, "start_children_confirmation",
               tag="children",
               summary="Start (or join): the students to confirm",
               names=("start_children_confirmation", "children_confirmation"))


update_route(router, ACCOUNT + "/children-confirmation/answers", ChildrenConfirmationWorkflow, "answer_child",
             name="answer_child", tags=["children"], summary="Confirm or report one student", ref=FOR_ACCOUNT)


# Merging another account into this one (R-KID-1)
journey_routes(router, "/merge", AccountMergeWorkflow, "start_merge", tag="children",
               summary="Start (or join) « Ajouter des élèves depuis un autre compte »",
               names=("start_merge", "merge_step"))


update_route(router, ACCOUNT + "/merge/source", AccountMergeWorkflow, "merge", name="merge", tags=["children"],
             summary="The other account's identifier and password", ref=FOR_ACCOUNT)


# Email change (R-CON-2 … R-CON-6)
journey_routes(router, "/email-change", EmailChangeWorkflow, "email_change", tag="contact",
               summary="Start (or join) « Modifier mon adresse mail »",
               names=("start_email_change", "email_change"))


for path, update, name, summary in (
        ("/request", "request_change", "request_email_change", "The new address, twice: a link is mailed"),
        ("/resend-link", "resend_link", "resend_email_link", "Mail the link again"),
        ("/link", "open_link", "open_email_link", "The mailed link was opened"),
        ("/confirmation", "confirm", "confirm_email",
         "Confirm, signed in as `signed_in_account_ref` (it must be this account)")):
    update_route(router, ACCOUNT + "/email-change" + path, EmailChangeWorkflow, update, name=name, tags=["contact"],
                 summary=summary, ref=FOR_ACCOUNT)


# Mobile change (R-CON-7)
journey_routes(router, "/mobile-change", MobileChangeWorkflow, "mobile_change", tag="contact",
               summary="Start (or join) « Modifier mon numéro de portable »",
               names=("start_mobile_change", "mobile_change"))


for path, update, name, summary in (
        ("/request", "request_change", "request_mobile_change", "The new number: a code is sent to it"),
        ("/code", "submit_code", "mobile_code", "The code received on the new number"),
        ("/resend-code", "resend_code", "resend_mobile_code", "« Renvoyer le code »")):
    update_route(router, ACCOUNT + "/mobile-change" + path, MobileChangeWorkflow, update, name=name, tags=["contact"],
                 summary=summary, ref=FOR_ACCOUNT)
