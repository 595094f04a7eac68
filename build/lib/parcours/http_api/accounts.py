"""/sign-ins and /accounts/{account_ref}/…: « Mon compte » — password and contact changes, new
students, link reports, merging accounts. Each account has at most one live journey of each kind:
POST on the journey starts it or joins the live one."""

from __future__ import annotations

from fastapi import APIRouter, Request

from parcours.client import (
    ChildrenJourneyClient,
    EmailChangeClient,
    MergeJourneyClient,
    MobileChangeClient,
    PasswordChangeClient,
)
from parcours.contracts.accounts import (
    PASSWORD_CHANGE_ID_PREFIX,
    PasswordChangeInput,
    PasswordChangeOutcome,
    PasswordChangeStep,
    SignInInput,
    SignInResult,
)
from parcours.contracts.activation import ChildAnswerInput
from parcours.contracts.children import (
    CHILDREN_ID_PREFIX,
    MERGE_ID_PREFIX,
    AccountView,
    ChildrenConfirmationStep,
    ChildrenOutcome,
    LinkReportStep,
    MergeInput,
    MergeOutcome,
    MergeStep,
)
from parcours.contracts.common import CodeInput, OpaqueRef, StrictInput
from parcours.contracts.contact import (
    EMAIL_CHANGE_ID_PREFIX,
    MOBILE_CHANGE_ID_PREFIX,
    EmailChangeInput,
    EmailChangeOutcome,
    EmailChangeStep,
    EmailConfirmInput,
    EmailLinkInput,
    MobileChangeInput,
    MobileChangeOutcome,
    MobileChangeStep,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import AccountRef, journey, parcours

ACCOUNT = "/accounts/{account_ref}"
router = APIRouter(responses=problem_responses(404, 409, 429))


class LinkReportInput(StrictInput):
    student_ref: OpaqueRef


@router.post("/sign-ins", tags=["account"], summary="Identifier and password: the account, `invalid` or `locked`")
async def sign_in(request: Request, credentials: SignInInput) -> SignInResult:
    return await parcours(request).sign_in(credentials.identifier, credentials.password)


@router.get(ACCOUNT, tags=["account"], summary="« Mes informations » and « Mes enfants »")
async def account_view(request: Request, account_ref: AccountRef) -> AccountView:
    return await parcours(request).account_view(account_ref)


@router.post(ACCOUNT + "/link-reports", tags=["children"], summary="« Je ne suis pas le représentant légal de cet élève »")
async def report_link(request: Request, account_ref: AccountRef, body: LinkReportInput) -> LinkReportStep:
    return await parcours(request).report_link(account_ref, body.student_ref)


# Password change
@router.post(ACCOUNT + "/password-change", tags=["account"], summary="Start (or join) the password change")
async def start_password_change(request: Request, account_ref: AccountRef) -> PasswordChangeStep:
    return await (await parcours(request).start_password_change(account_ref)).current_step()


@router.get(ACCOUNT + "/password-change", tags=["account"], summary="The current step")
async def password_change(request: Request, account_ref: AccountRef) -> PasswordChangeStep:
    return await journey(request, PasswordChangeClient, PASSWORD_CHANGE_ID_PREFIX, account_ref).current_step()


@router.post(ACCOUNT + "/password-change/password", tags=["account"], summary="Current password and the new one twice")
async def change_password(request: Request, account_ref: AccountRef, change: PasswordChangeInput) -> PasswordChangeOutcome:
    password_change = journey(request, PasswordChangeClient, PASSWORD_CHANGE_ID_PREFIX, account_ref)
    return await password_change.change_password(change.current_password, change.new_password, change.confirmation)


# New students at sign-in (R-KID-2)
@router.post(ACCOUNT + "/children-confirmation", tags=["children"], summary="Start (or join): the students to confirm")
async def start_children_confirmation(request: Request, account_ref: AccountRef) -> ChildrenConfirmationStep:
    return await (await parcours(request).start_children_confirmation(account_ref)).current_step()


@router.get(ACCOUNT + "/children-confirmation", tags=["children"], summary="The current step")
async def children_confirmation(request: Request, account_ref: AccountRef) -> ChildrenConfirmationStep:
    return await journey(request, ChildrenJourneyClient, CHILDREN_ID_PREFIX, account_ref).current_step()


@router.post(ACCOUNT + "/children-confirmation/answers", tags=["children"], summary="Confirm or report one student")
async def answer_child(request: Request, account_ref: AccountRef, answer: ChildAnswerInput) -> ChildrenOutcome:
    return await journey(request, ChildrenJourneyClient, CHILDREN_ID_PREFIX, account_ref).answer_child(answer)


# Merging another account into this one (R-KID-1)
@router.post(ACCOUNT + "/merge", tags=["children"], summary="Start (or join) « Ajouter des élèves depuis un autre compte »")
async def start_merge(request: Request, account_ref: AccountRef) -> MergeStep:
    return await (await parcours(request).start_merge(account_ref)).current_step()


@router.get(ACCOUNT + "/merge", tags=["children"], summary="The current step")
async def merge_step(request: Request, account_ref: AccountRef) -> MergeStep:
    return await journey(request, MergeJourneyClient, MERGE_ID_PREFIX, account_ref).current_step()


@router.post(ACCOUNT + "/merge/source", tags=["children"], summary="The other account's identifier and password")
async def merge(request: Request, account_ref: AccountRef, source: MergeInput) -> MergeOutcome:
    return await journey(request, MergeJourneyClient, MERGE_ID_PREFIX, account_ref).merge(source.identifier,
                                                                                             source.password)


# Email change (R-CON-2 … R-CON-6)
def _email_change(request: Request, account_ref: str) -> EmailChangeClient:
    return journey(request, EmailChangeClient, EMAIL_CHANGE_ID_PREFIX, account_ref)


@router.post(ACCOUNT + "/email-change", tags=["contact"], summary="Start (or join) « Modifier mon adresse mail »")
async def start_email_change(request: Request, account_ref: AccountRef) -> EmailChangeStep:
    return await (await parcours(request).email_change(account_ref)).current_step()


@router.get(ACCOUNT + "/email-change", tags=["contact"], summary="The current step")
async def email_change(request: Request, account_ref: AccountRef) -> EmailChangeStep:
    return await _email_change(request, account_ref).current_step()


@router.post(ACCOUNT + "/email-change/request", tags=["contact"], summary="The new address, twice: a link is mailed")
async def request_email_change(request: Request, account_ref: AccountRef, change: EmailChangeInput) -> EmailChangeOutcome:
    return await _email_change(request, account_ref).request_change(change.new_email, change.confirmation)


@router.post(ACCOUNT + "/email-change/resend-link", tags=["contact"], summary="Mail the link again")
async def resend_email_link(request: Request, account_ref: AccountRef) -> EmailChangeOutcome:
    return await _email_change(request, account_ref).resend_link()


@router.post(ACCOUNT + "/email-change/link", tags=["contact"], summary="The mailed link was opened")
async def open_email_link(request: Request, account_ref: AccountRef, link: EmailLinkInput) -> EmailChangeOutcome:
    return await _email_change(request, account_ref).open_link(link.token)


@router.post(ACCOUNT + "/email-change/confirmation", tags=["contact"],
             summary="Confirm, signed in as `signed_in_account_ref` (it must be this account)")
async def confirm_email(request: Request, account_ref: AccountRef, confirmation: EmailConfirmInput) -> EmailChangeOutcome:
    return await _email_change(request, account_ref).confirm(confirmation.token, confirmation.signed_in_account_ref)


# Mobile change (R-CON-7)
def _mobile_change(request: Request, account_ref: str) -> MobileChangeClient:
    return journey(request, MobileChangeClient, MOBILE_CHANGE_ID_PREFIX, account_ref)


@router.post(ACCOUNT + "/mobile-change", tags=["contact"], summary="Start (or join) « Modifier mon numéro de portable »")
async def start_mobile_change(request: Request, account_ref: AccountRef) -> MobileChangeStep:
    return await (await parcours(request).mobile_change(account_ref)).current_step()


@router.get(ACCOUNT + "/mobile-change", tags=["contact"], summary="The current step")
async def mobile_change(request: Request, account_ref: AccountRef) -> MobileChangeStep:
    return await _mobile_change(request, account_ref).current_step()


@router.post(ACCOUNT + "/mobile-change/request", tags=["contact"], summary="The new number: a code is sent to it")
async def request_mobile_change(request: Request, account_ref: AccountRef, change: MobileChangeInput) -> MobileChangeOutcome:
    return await _mobile_change(request, account_ref).request_change(change.new_mobile)


@router.post(ACCOUNT + "/mobile-change/code", tags=["contact"], summary="The code received on the new number")
async def mobile_code(request: Request, account_ref: AccountRef, code: CodeInput) -> MobileChangeOutcome:
    return await _mobile_change(request, account_ref).submit_code(code.code)


@router.post(ACCOUNT + "/mobile-change/resend-code", tags=["contact"], summary="« Renvoyer le code »")
async def resend_mobile_code(request: Request, account_ref: AccountRef) -> MobileChangeOutcome:
    return await _mobile_change(request, account_ref).resend_code()
