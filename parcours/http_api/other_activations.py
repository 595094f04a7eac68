"""/letter-activations (activation by notification letter, R-ACT-10) and
/franceconnect-activations (R-ACT-11, after the API layer's OpenID Connect exchange)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from parcours.contracts.franceconnect import (
    FranceConnectIdentity,
    FranceConnectOutcome,
    FranceConnectStep,
)
from parcours.contracts.letter_activation import (
    LetterActivationOutcome,
    LetterActivationStep,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import IdempotencyKey, Started, parcours, started, step_route, update_route
from parcours.workflows.franceconnect import FranceConnectActivationWorkflow
from parcours.workflows.letter_activation import LetterActivationWorkflow

LETTERS, FRANCECONNECT = "/letter-activations", "/franceconnect-activations"
router = APIRouter(responses=problem_responses(404, 409, 429))


@router.post(LETTERS, status_code=201, tags=["letter activation"], summary="Open the letter's activation page")
async def start_letter(request: Request, response: Response, idempotency_key: IdempotencyKey = None,
                       ) -> Started[LetterActivationOutcome, LetterActivationStep]:
    letter = await parcours(request).start_letter_activation(idempotency_key=idempotency_key)
    return await started(response, LETTERS, letter)


step_route(router, LETTERS + "/{ref}", LetterActivationWorkflow, name="letter_step", tags=["letter activation"])


update_route(router, LETTERS + "/{ref}/credentials", LetterActivationWorkflow, "submit_credentials",
             name="letter_credentials", tags=["letter activation"],
             summary="The identifier and provisional password printed on the letter")
update_route(router, LETTERS + "/{ref}/details", LetterActivationWorkflow, "submit_details", name="letter_details",
             tags=["letter activation"], summary="Email and the new password")


@router.post(FRANCECONNECT, status_code=201, tags=["FranceConnect activation"],
             summary="Match the identity FranceConnect verified")
async def start_franceconnect(request: Request, response: Response, identity: FranceConnectIdentity,
                              idempotency_key: IdempotencyKey = None,
                              ) -> Started[FranceConnectOutcome, FranceConnectStep]:
    franceconnect = await parcours(request).start_franceconnect_activation(identity, idempotency_key=idempotency_key)
    return await started(response, FRANCECONNECT, franceconnect)


step_route(router, FRANCECONNECT + "/{ref}", FranceConnectActivationWorkflow, name="franceconnect_step",
           tags=["FranceConnect activation"])


update_route(router, FRANCECONNECT + "/{ref}/children", FranceConnectActivationWorkflow, "answer_child",
             name="franceconnect_child", tags=["FranceConnect activation"], summary="Confirm or report one child")
