"""What every journey resource shares: the reference in the path, the idempotency key, the answer
to a start, the client."""

from __future__ import annotations

import inspect
import typing
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel, Field, create_model

from parcours.client import JourneyClient, ParcoursClient
from parcours.http_api.problems import answer_with_retry_after
from parcours.journeys import journey_of
from parcours.workflows.updates import updates_of

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


def journey(request: Request, workflow_class: type[Any], ref: str) -> JourneyClient:
    """The journey of that workflow the path's reference names."""
    return parcours(request).journey(f"{journey_of(workflow_class).id_prefix}{ref}")


def routed(endpoint: Any, name: str, parameters: list[inspect.Parameter], answer: Any) -> Any:
    """`endpoint` as FastAPI must see it: its name (the OpenAPI operation id is made of it), its
    parameters and its answer's model, which FastAPI reads from the signature."""
    endpoint.__signature__ = inspect.Signature(parameters, return_annotation=answer)
    endpoint.__name__ = name
    return endpoint


def path_parameters(ref: tuple[str, Any]) -> list[inspect.Parameter]:
    """The request, then the path's reference to the journey (or its account)."""
    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return [inspect.Parameter("request", parameter, annotation=Request),
            inspect.Parameter(ref[0], parameter, annotation=ref[1])]


def step_route(router: APIRouter, path: str, workflow_class: type[Any], *, name: str,
               summary: str = "The current step", ref: tuple[str, Any] = ("ref", JourneyRef),
               **options: Any) -> None:
    """A GET route that reads the journey's current step (its `current_step` query)."""

    async def endpoint(request: Request, **arguments: Any) -> Any:
        return await journey(request, workflow_class, arguments[ref[0]]).current_step()

    step_type = typing.get_type_hints(workflow_class.current_step)["return"]
    router.get(path, summary=summary, **options)(routed(endpoint, name, path_parameters(ref), step_type))


def body_filling(input_type: type[BaseModel], fields: tuple[str, ...]) -> type[BaseModel]:
    """The update's input as the HTTP body, `fields` optional: the route fills them from the path."""
    if not fields:
        return input_type
    optional = {field: (str | None, Field(default=None, description="Left out: the path's account (the session's)"))
                for field in fields}
    return create_model(f"{input_type.__name__}Body", __base__=input_type, **optional)  # type: ignore[call-overload]


def update_route(router: APIRouter, path: str, workflow_class: type[Any], update_name: str, *, name: str,
                 summary: str, ref: tuple[str, Any] = ("ref", JourneyRef), from_path: tuple[str, ...] = (),
                 **options: Any) -> None:
    """A POST route that runs one of the journey's updates: its body the update's input (none when
    the input has no field), its answer the update's outcome, both from the update's declaration.
    `name` is the endpoint's, which the OpenAPI document's operation ids are made of; `from_path`
    the input's fields that the path's reference fills when the body leaves them out."""
    update = updates_of(workflow_class)[update_name]
    ref_name, ref_type = ref
    body_type = body_filling(update.input_type, from_path) if issubclass(update.input_type, BaseModel) else None

    async def endpoint(request: Request, response: Response, **arguments: Any) -> Any:
        given = arguments["body"] if "body" in arguments else update.input_type()
        if from_path:
            filled = {field: getattr(given, field) or arguments[ref_name] for field in from_path}
            given = typing.cast(type[BaseModel], update.input_type).model_validate({**given.model_dump(), **filled})
        outcome = await journey(request, workflow_class, arguments[ref_name]).act(update_name, given)
        return answer_with_retry_after(response, outcome)

    parameter = inspect.Parameter.POSITIONAL_OR_KEYWORD
    request, reference = path_parameters(ref)
    parameters = [request, inspect.Parameter("response", parameter, annotation=Response), reference]
    if body_type is not None and body_type.model_fields:
        parameters.append(inspect.Parameter("body", parameter, annotation=body_type))
    router.post(path, summary=summary, **options)(routed(endpoint, name, parameters, update.outcome_type))


async def started(response: Response, resource: str, journey: JourneyClient, outcome: Any = None) -> Any:
    """201 with the journey's location; the step is the outcome's, or read from the journey. The
    answer is the fields of a `Started`, which the route's own `Started[Outcome, Step]` validates."""
    ref = journey.journey_id.split("/", 1)[1]
    location = f"{resource}/{ref}"
    response.status_code = 201
    response.headers["Location"] = location
    if journey.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    step = outcome.step if outcome is not None else await journey.current_step()
    answer_with_retry_after(response, outcome)
    return dict(journey_id=journey.journey_id, location=location, replayed=journey.replayed, outcome=outcome,
                step=step)
