"""What every journey resource shares: the reference in the path, the idempotency key, the answer
to a start, the client."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Header, Path, Request, Response
from pydantic import BaseModel, Field

from parcours.client import JourneyClient, ParcoursClient

JourneyRef = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,64}$", description="The journey's reference")]
AccountRef = Annotated[str, Path(pattern=r"^[A-Za-z0-9_\-]{1,64}$",
                                 description="The signed-in account's reference (from POST /sign-ins)")]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Any unique string (a UUID): a repeated start with the same key and request gets the same "
                "journey and the first answer; with another request, 422 idempotency_key_reused.")]

Outcome = TypeVar("Outcome")
Step = TypeVar("Step")


class Started(BaseModel, Generic[Outcome, Step]):
    journey_id: str = Field(description="The Temporal workflow id (operators find the journey by it)")
    location: str = Field(description="This journey's resource")
    replayed: bool = Field(description="True when an earlier request with this Idempotency-Key started it")
    outcome: Outcome | None = Field(description="The answer to the first step, when the start carried one")
    step: Step


def parcours(request: Request) -> ParcoursClient:
    return request.app.state.parcours


def journey(request: Request, client_class: type[JourneyClient], prefix: str, ref: str) -> JourneyClient:
    return client_class(parcours(request).client.get_workflow_handle(f"{prefix}{ref}"))


async def started(response: Response, resource: str, journey: JourneyClient, outcome=None) -> dict:
    """201 with the journey's location; the step is the outcome's, or read from the journey."""
    ref = journey.journey_id.split("/", 1)[1]
    location = f"{resource}/{ref}"
    response.status_code = 201
    response.headers["Location"] = location
    if journey.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    step = outcome.step if outcome is not None else await journey.current_step()
    return dict(journey_id=journey.journey_id, location=location, replayed=journey.replayed, outcome=outcome,
                step=step)
