"""/sign-ins and /accounts/{account_ref}/…: « Mon compte » — password and contact changes, new
students, link reports, merging accounts. Each account has at most one live journey of each kind:
POST on the journey starts it or joins the live one."""

from __future__ import annotations

from fastapi import APIRouter, Request

from parcours.contracts.accounts import (
    PasswordChangeStep,
    SignInInput,
    SignInResult,
)
from parcours.contracts.children import (
    AccountView,
    ChildrenConfirmationStep,
    LinkReportStep,
    MergeStep,
)
from parcours.contracts.common import OpaqueRef, StrictInput
from parcours.contracts.contact import (
    EmailChangeStep,
    MobileChangeStep,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import AccountRef, journey, parcours, update_route
from parcours.workflows.children import AccountMergeWorkflow, ChildrenConfirmationWorkflow
from parcours.workflows.contact import EmailChangeWorkflow, MobileChangeWorkflow
from parcours.workflows.password_change import PasswordChangeWorkflow

ACCOUNT = "/accounts/{account_ref}"
router = APIRouter(responses=problem_responses(404, 409, 429))
FOR_ACCOUNT = ("account_ref", AccountRef)  # the path names the journey by its account


class LinkReportInput(StrictInput):
    student_ref: OpaqueRef


@router.post("/sign-ins", tags=["account"], summary="Identifier and password: the account, `invalid` or `locked`")
async def sign_in(request: Request, credentials: SignInInput) -> SignInResult:
    return await parcours(request).sign_in(credentials.identifier, credentials.password)


@router.get(ACCOUNT, tags=["account"], summary="« Mes informations » and « Mes enfants »")
async def account_view(request: Request, account_ref: AccountRef) -> AccountView:
    return await parcours(request).account_view(account_ref)


@router.post(ACCOUNT + "/link-reports", tags=["children"],
             summary="« Je ne suis pas le représentant légal de cet élève »")
async def report_link(request: Request, account_ref: AccountRef, body: LinkReportInput) -> LinkReportStep:
    return await parcours(request).report_link(account_ref, body.student_ref)


# Password change
@router.post(ACCOUNT + "/password-change", tags=["account"], summary="Start (or join) the password change")
async def start_password_change(request: Request, account_ref: AccountRef) -> PasswordChangeStep:
    return await (await parcours(request).start_password_change(account_ref)).current_step()


@router.get(ACCOUNT + "/password-change", tags=["account"], summary="The current step")
async def password_change(request: Request, account_ref: AccountRef) -> PasswordChangeStep:
    return await journey(request, PasswordChangeWorkflow, account_ref).current_step()


update_route(router, ACCOUNT + "/password-change/password", PasswordChangeWorkflow, "change_password",
             name="change_password", tags=["account"], summary="Current password and the new one twice",
             ref=FOR_ACCOUNT)


# New students at sign-in (R-KID-2)
@router.post(ACCOUNT + "/children-confirmation", tags=["children"], summary="Start (or join): the students to confirm")
async def start_children_confirmation(request: Request, account_ref: AccountRef) -> ChildrenConfirmationStep:
    return await (await parcours(request).start_children_confirmation(account_ref)).current_step()


@router.get(ACCOUNT + "/children-confirmation", tags=["children"], summary="The current step")
async def children_confirmation(request: Request, account_ref: AccountRef) -> ChildrenConfirmationStep:
    return await journey(request, ChildrenConfirmationWorkflow, account_ref).current_step()


update_route(router, ACCOUNT + "/children-confirmation/answers", ChildrenConfirmationWorkflow, "answer_child",
             name="answer_child", tags=["children"], summary="Confirm or report one student", ref=FOR_ACCOUNT)


# Merging another account into this one (R-KID-1)
@router.post(ACCOUNT + "/merge", tags=["children"],
             summary="Start (or join) « Ajouter des élèves depuis un autre compte »")
async def start_merge(request: Request, account_ref: AccountRef) -> MergeStep:
    return await (await parcours(request).start_merge(account_ref)).current_step()


@router.get(ACCOUNT + "/merge", tags=["children"], summary="The current step")
async def merge_step(request: Request, account_ref: AccountRef) -> MergeStep:
    return await journey(request, AccountMergeWorkflow, account_ref).current_step()


update_route(router, ACCOUNT + "/merge/source", AccountMergeWorkflow, "merge", name="merge", tags=["children"],
             summary="The other account's identifier and password", ref=FOR_ACCOUNT)


# Email change (R-CON-2 … R-CON-6)
@router.post(ACCOUNT + "/email-change", tags=["contact"], summary="Start (or join) « Modifier mon adresse mail »")
async def start_email_change(request: Request, account_ref: AccountRef) -> EmailChangeStep:
    return await (await parcours(request).email_change(account_ref)).current_step()


@router.get(ACCOUNT + "/email-change", tags=["contact"], summary="The current step")
async def email_change(request: Request, account_ref: AccountRef) -> EmailChangeStep:
    return await journey(request, EmailChangeWorkflow, account_ref).current_step()


for path, update, name, summary in (
        ("/request", "request_change", "request_email_change", "The new address, twice: a link is mailed"),
        ("/resend-link", "resend_link", "resend_email_link", "Mail the link again"),
        ("/link", "open_link", "open_email_link", "The mailed link was opened"),
        ("/confirmation", "confirm", "confirm_email",
         "Confirm, signed in as `signed_in_account_ref` (it must be this account)")):
    update_route(router, ACCOUNT + "/email-change" + path, EmailChangeWorkflow, update, name=name, tags=["contact"],
                 summary=summary, ref=FOR_ACCOUNT)


# Mobile change (R-CON-7)
@router.post(ACCOUNT + "/mobile-change", tags=["contact"],
             summary="Start (or join) « Modifier mon numéro de portable »")
async def start_mobile_change(request: Request, account_ref: AccountRef) -> MobileChangeStep:
    return await (await parcours(request).mobile_change(account_ref)).current_step()


@router.get(ACCOUNT + "/mobile-change", tags=["contact"], summary="The current step")
async def mobile_change(request: Request, account_ref: AccountRef) -> MobileChangeStep:
    return await journey(request, MobileChangeWorkflow, account_ref).current_step()


for path, update, name, summary in (
        ("/request", "request_change", "request_mobile_change", "The new number: a code is sent to it"),
        ("/code", "submit_code", "mobile_code", "The code received on the new number"),
        ("/resend-code", "resend_code", "resend_mobile_code", "« Renvoyer le code »")):
    update_route(router, ACCOUNT + "/mobile-change" + path, MobileChangeWorkflow, update, name=name, tags=["contact"],
                 summary=summary, ref=FOR_ACCOUNT)
