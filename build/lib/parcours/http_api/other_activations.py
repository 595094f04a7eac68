"""/letter-activations (activation by notification letter, R-ACT-10) and
/franceconnect-activations (R-ACT-11, after the API layer's OpenID Connect exchange)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from parcours.client import FranceConnectClient, LetterActivationClient
from parcours.contracts.activation import ChildAnswerInput
from parcours.contracts.franceconnect import (
    FRANCECONNECT_ID_PREFIX,
    FranceConnectIdentity,
    FranceConnectOutcome,
    FranceConnectStep,
)
from parcours.contracts.letter_activation import (
    LETTER_ACTIVATION_ID_PREFIX,
    LetterActivationOutcome,
    LetterActivationStep,
    LetterCredentialsInput,
    LetterDetailsInput,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import IdempotencyKey, JourneyRef, Started, journey, parcours, started

LETTERS, FRANCECONNECT = "/letter-activations", "/franceconnect-activations"
router = APIRouter(responses=problem_responses(404, 409, 429))


def _letter(request: Request, ref: str) -> LetterActivationClient:
    return journey(request, LetterActivationClient, LETTER_ACTIVATION_ID_PREFIX, ref)


def _franceconnect(request: Request, ref: str) -> FranceConnectClient:
    return journey(request, FranceConnectClient, FRANCECONNECT_ID_PREFIX, ref)


@router.post(LETTERS, status_code=201, tags=["letter activation"], summary="Open the letter's activation page")
async def start_letter(request: Request, response: Response, idempotency_key: IdempotencyKey = None,
                       ) -> Started[LetterActivationOutcome, LetterActivationStep]:
    letter = await parcours(request).start_letter_activation(idempotency_key=idempotency_key)
    return await started(response, LETTERS, letter)


@router.get(LETTERS + "/{ref}", tags=["letter activation"], summary="The current step")
async def letter_step(request: Request, ref: JourneyRef) -> LetterActivationStep:
    return await _letter(request, ref).current_step()


@router.post(LETTERS + "/{ref}/credentials", tags=["letter activation"],
             summary="The identifier and provisional password printed on the letter")
async def letter_credentials(request: Request, ref: JourneyRef, body: LetterCredentialsInput) -> LetterActivationOutcome:
    return await _letter(request, ref).submit_credentials(body.identifier, body.provisional_password)


@router.post(LETTERS + "/{ref}/details", tags=["letter activation"], summary="Email and the new password")
async def letter_details(request: Request, ref: JourneyRef, body: LetterDetailsInput) -> LetterActivationOutcome:
    return await _letter(request, ref).submit_details(body.email, body.password, body.confirmation)


@router.post(FRANCECONNECT, status_code=201, tags=["FranceConnect activation"],
             summary="Match the identity FranceConnect verified")
async def start_franceconnect(request: Request, response: Response, identity: FranceConnectIdentity,
                              idempotency_key: IdempotencyKey = None,
                              ) -> Started[FranceConnectOutcome, FranceConnectStep]:
    franceconnect = await parcours(request).start_franceconnect_activation(identity, idempotency_key=idempotency_key)
    return await started(response, FRANCECONNECT, franceconnect)


@router.get(FRANCECONNECT + "/{ref}", tags=["FranceConnect activation"], summary="The current step")
async def franceconnect_step(request: Request, ref: JourneyRef) -> FranceConnectStep:
    return await _franceconnect(request, ref).current_step()


@router.post(FRANCECONNECT + "/{ref}/children", tags=["FranceConnect activation"], summary="Confirm or report one child")
async def franceconnect_child(request: Request, ref: JourneyRef, answer: ChildAnswerInput) -> FranceConnectOutcome:
    return await _franceconnect(request, ref).answer_child(answer)
