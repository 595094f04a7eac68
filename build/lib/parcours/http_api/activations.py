"""/activations: « Je n'ai pas de compte » (R-ACT-1 … R-ACT-9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from parcours.client import ActivationJourneyClient
from parcours.contracts.activation import (
    ID_PREFIX,
    ActivationOutcome,
    ActivationStep,
    ChildAnswerInput,
    IdentityInput,
    PasswordInput,
)
from parcours.contracts.common import CodeInput
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import IdempotencyKey, JourneyRef, Started, journey, parcours, started

RESOURCE = "/activations"
router = APIRouter(prefix=RESOURCE, tags=["activation"], responses=problem_responses(404, 409, 429))


def _activation(request: Request, ref: str) -> ActivationJourneyClient:
    return journey(request, ActivationJourneyClient, ID_PREFIX, ref)


@router.post("", status_code=201, summary="Start an activation, with the identity step if given")
async def start(request: Request, response: Response, idempotency_key: IdempotencyKey = None,
                identity: Annotated[IdentityInput | None, Body()] = None) -> Started[ActivationOutcome, ActivationStep]:
    activation, outcome = await parcours(request).start_activation(identity, idempotency_key=idempotency_key)
    return await started(response, RESOURCE, activation, outcome)


@router.get("/{ref}", summary="The current step: state, expected input, deadlines, messages")
async def current_step(request: Request, ref: JourneyRef) -> ActivationStep:
    return await _activation(request, ref).current_step()


@router.post("/{ref}/identity", summary="Names, channel and mobile or email (R-ACT-1/R-ACT-2)")
async def submit_identity(request: Request, ref: JourneyRef, identity: IdentityInput) -> ActivationOutcome:
    return await _activation(request, ref).submit_identity(identity)


@router.post("/{ref}/code", summary="The code received by SMS or mail (R-ACT-3 … R-ACT-5)")
async def submit_code(request: Request, ref: JourneyRef, code: CodeInput) -> ActivationOutcome:
    return await _activation(request, ref).submit_code(code.code)


@router.post("/{ref}/resend-code", summary="« Renvoyer le code » (R-ACT-6)")
async def resend_code(request: Request, ref: JourneyRef) -> ActivationOutcome:
    return await _activation(request, ref).resend_code()


@router.post("/{ref}/children", summary="Confirm or report one child (R-ACT-7)")
async def answer_child(request: Request, ref: JourneyRef, answer: ChildAnswerInput) -> ActivationOutcome:
    return await _activation(request, ref).answer_child(answer)


@router.post("/{ref}/password", summary="The password, twice (R-ACT-8/R-ACT-9)")
async def choose_password(request: Request, ref: JourneyRef, choice: PasswordInput) -> ActivationOutcome:
    return await _activation(request, ref).choose_password(choice.password, choice.confirmation)
