"""/activations: « Je n'ai pas de compte » (R-ACT-1 … R-ACT-9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from parcours.contracts.activation import (
    ActivationOutcome,
    ActivationStep,
    IdentityInput,
)
from parcours.http_api.problems import problem_responses
from parcours.http_api.resources import IdempotencyKey, Started, parcours, started, step_route, update_route
from parcours.workflows.activation import ActivationWorkflow

RESOURCE = "/activations"
router = APIRouter(prefix=RESOURCE, tags=["activation"], responses=problem_responses(404, 409, 429))


@router.post("", status_code=201, summary="Start an activation, with the identity step if given")
async def start(request: Request, response: Response, idempotency_key: IdempotencyKey = None,
                identity: Annotated[IdentityInput | None, Body()] = None) -> Started[ActivationOutcome, ActivationStep]:
    activation, outcome = await parcours(request).start_activation(identity, idempotency_key=idempotency_key)
    return await started(response, RESOURCE, activation, outcome)


step_route(router, "/{ref}", ActivationWorkflow, name="current_step",
           summary="The current step: state, expected input, deadlines, messages")


for path, update, summary in (
        ("/{ref}/identity", "submit_identity", "Names, channel and mobile or email (R-ACT-1/R-ACT-2)"),
        ("/{ref}/code", "submit_code", "The code received by SMS or mail (R-ACT-3 … R-ACT-5)"),
        ("/{ref}/resend-code", "resend_code", "« Renvoyer le code » (R-ACT-6)"),
        ("/{ref}/children", "answer_child", "Confirm or report one child (R-ACT-7)"),
        ("/{ref}/password", "choose_password", "The password, twice (R-ACT-8/R-ACT-9)")):
    update_route(router, path, ActivationWorkflow, update, name=update, summary=summary)
