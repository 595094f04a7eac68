"""/identifier-recoveries and /password-resets: « Identifiant oublié », « Mot de passe oublié »
(R-REC-1 … R-REC-7). The answers are the same whether or not an account matches."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from parcours.client import RecoveryJourneyClient
from parcours.contracts.common import CodeInput
from parcours.contracts.recovery import (
    IDENTIFIER_RECOVERY_ID_PREFIX,
    PASSWORD_RESET_ID_PREFIX,
    IdentifierRequestInput,
    LinkInput,
    LinkPasswordInput,
    RecoveryOutcome,
    RecoveryStep,
    ResetRequestInput,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import IdempotencyKey, JourneyRef, Started, journey, parcours, started

IDENTIFIERS, RESETS = "/identifier-recoveries", "/password-resets"
router = APIRouter(tags=["recovery"], responses=problem_responses(404, 409, 429))


def _reset(request: Request, ref: str) -> RecoveryJourneyClient:
    return journey(request, RecoveryJourneyClient, PASSWORD_RESET_ID_PREFIX, ref)


@router.post(IDENTIFIERS, status_code=201, summary="« Identifiant oublié »: the identifier goes by mail or SMS")
async def request_identifier(request: Request, response: Response, body: IdentifierRequestInput,
                             idempotency_key: IdempotencyKey = None) -> Started[RecoveryOutcome, RecoveryStep]:
    recovery, outcome = await parcours(request).start_identifier_recovery(body, idempotency_key=idempotency_key)
    return await started(response, IDENTIFIERS, recovery, outcome)


@router.get(IDENTIFIERS + "/{ref}", summary="The current step")
async def identifier_recovery(request: Request, ref: JourneyRef) -> RecoveryStep:
    return await journey(request, RecoveryJourneyClient, IDENTIFIER_RECOVERY_ID_PREFIX, ref).current_step()


@router.post(RESETS, status_code=201, summary="« Mot de passe oublié »: a link by mail or a code by SMS")
async def request_reset(request: Request, response: Response, body: ResetRequestInput,
                        idempotency_key: IdempotencyKey = None) -> Started[RecoveryOutcome, RecoveryStep]:
    reset, outcome = await parcours(request).start_password_reset(body, idempotency_key=idempotency_key)
    return await started(response, RESETS, reset, outcome)


@router.get(RESETS + "/{ref}", summary="The current step")
async def password_reset(request: Request, ref: JourneyRef) -> RecoveryStep:
    return await _reset(request, ref).current_step()


@router.post(RESETS + "/{ref}/link", summary="The mailed link was opened: shows the identifier, consumes nothing")
async def open_link(request: Request, ref: JourneyRef, link: LinkInput) -> RecoveryOutcome:
    return await _reset(request, ref).open_link(link.token)


@router.post(RESETS + "/{ref}/code", summary="The code received by SMS")
async def submit_code(request: Request, ref: JourneyRef, code: CodeInput) -> RecoveryOutcome:
    return await _reset(request, ref).submit_code(code.code)


@router.post(RESETS + "/{ref}/resend-code", summary="« Renvoyer le code »")
async def resend_code(request: Request, ref: JourneyRef) -> RecoveryOutcome:
    return await _reset(request, ref).resend_code()


@router.post(RESETS + "/{ref}/password", summary="The new password, with the link's token (mail) or after the code")
async def choose_password(request: Request, ref: JourneyRef, choice: LinkPasswordInput) -> RecoveryOutcome:
    return await _reset(request, ref).choose_password(choice.token, choice.password, choice.confirmation)
