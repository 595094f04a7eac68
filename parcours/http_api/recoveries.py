"""/identifier-recoveries and /password-resets: « Identifiant oublié », « Mot de passe oublié »
(R-REC-1 … R-REC-7). The answers are the same whether or not an account matches."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from parcours.contracts.recovery import (
    IdentifierRequestInput,
    RecoveryOutcome,
    RecoveryStep,
    ResetRequestInput,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import IdempotencyKey, Started, parcours, started, step_route, update_route
from parcours.workflows.recovery import IdentifierRecoveryWorkflow, PasswordResetWorkflow

IDENTIFIERS, RESETS = "/identifier-recoveries", "/password-resets"
router = APIRouter(tags=["recovery"], responses=problem_responses(404, 409, 429))


@router.post(IDENTIFIERS, status_code=201, summary="« Identifiant oublié »: the identifier goes by mail or SMS")
async def request_identifier(request: Request, response: Response, body: IdentifierRequestInput,
                             idempotency_key: IdempotencyKey = None) -> Started[RecoveryOutcome, RecoveryStep]:
    recovery, outcome = await parcours(request).start_identifier_recovery(body, idempotency_key=idempotency_key)
    return await started(response, IDENTIFIERS, recovery, outcome)


step_route(router, IDENTIFIERS + "/{ref}", IdentifierRecoveryWorkflow, name="identifier_recovery")


@router.post(RESETS, status_code=201, summary="« Mot de passe oublié »: a link by mail or a code by SMS")
async def request_reset(request: Request, response: Response, body: ResetRequestInput,
                        idempotency_key: IdempotencyKey = None) -> Started[RecoveryOutcome, RecoveryStep]:
    reset, outcome = await parcours(request).start_password_reset(body, idempotency_key=idempotency_key)
    return await started(response, RESETS, reset, outcome)


step_route(router, RESETS + "/{ref}", PasswordResetWorkflow, name="password_reset")


for path, update, summary in (
        ("/link", "open_link", "The mailed link was opened: shows the identifier, consumes nothing"),
        ("/code", "submit_code", "The code received by SMS"),
        ("/resend-code", "resend_code", "« Renvoyer le code »"),
        ("/password", "choose_password", "The new password, with the link's token (mail) or after the code")):
    update_route(router, RESETS + "/{ref}" + path, PasswordResetWorkflow, update, name=update, summary=summary)
