"""One journey, by its id: its current step, its result, and its updates, each resolved from the
registry (parcours/journeys.py) and the workflow's `@journey_update` declarations, so no update is
restated here. `journey.act("submit_code", {"code": "123456"})`, or `journey.submit_code("123456")`:
an update's method takes its input model, a dict, or the model's fields in their order.

Inputs are validated here first (pydantic: a bad field raises ValidationError naming it), then
again by the workflow's update validators, so a journey never sees a bad action."""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from parcours import messages
from parcours.contracts.common import INPUT_ERRORS_DETAIL, FieldError, Refusal
from parcours.journeys import journey_by_id
from parcours.refusals import refusal_of
from parcours.workflows.updates import JourneyUpdate, updates_of

# An action on a journey that has ended (its step still reads, `finished`), or on an id no journey has.
JOURNEY_FINISHED = Refusal(reason="journey_finished", message=messages.JOURNEY_FINISHED)
UNKNOWN_JOURNEY = Refusal(reason="unknown_journey", message=messages.UNKNOWN_JOURNEY)


class JourneyActionRejected(Exception):
    """The journey refused the action and did not change: `reason`, a French `message`, and the
    field errors when the input was at fault."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.reason = refusal.reason
        self.message = refusal.message
        self.errors = refusal.errors
        self.retry_at = refusal.retry_at
        self.debug = refusal.debug


def _input_refusal(invalid: ApplicationError) -> Refusal:
    """What an input the workflow could not decode carries (parcours/temporal/codec.py): the French
    message and the field errors."""
    carried = invalid.details[0] if invalid.details and isinstance(invalid.details[0], dict) else {}
    return Refusal(reason="invalid_input", message=carried.get("message", messages.INPUT_INVALID_AS_A_WHOLE),
                   errors=[FieldError.model_validate(error) for error in carried.get(INPUT_ERRORS_DETAIL, [])])


def refusal_from(error: WorkflowUpdateFailedError) -> Refusal:
    cause = error.cause
    refusal = refusal_of(cause)
    if refusal is not None:
        return refusal
    invalid: BaseException | None = cause
    while isinstance(invalid, ApplicationError) and invalid.type != "ValidationError":
        invalid = invalid.cause
    if isinstance(invalid, ApplicationError):  # the workflow could not decode the input
        return _input_refusal(invalid)
    # Whatever else failed (a bug, an unknown error) says so in English: for developers only.
    debug = str(cause.message if isinstance(cause, ApplicationError) else cause or error)
    return Refusal(reason="failed", message=messages.INTERNAL_ERROR, debug=debug)


async def execute(handle: WorkflowHandle, update: Any, argument: Any, update_id: str | None = None,
                  result_type: type | None = None) -> Any:
    """Run an update; a refusal, a finished journey or an unknown one raises JourneyActionRejected.
    `result_type`: the journey's outcome, where the update's own declaration names a shared one."""
    try:
        return await handle.execute_update(update, argument, id=update_id, result_type=result_type)
    except WorkflowUpdateFailedError as error:
        raise JourneyActionRejected(refusal_from(error)) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:  # finished, or never existed: Temporal says the same
            raise JourneyActionRejected(await finished_or_unknown(handle)) from None
        raise


async def finished_or_unknown(handle: WorkflowHandle) -> Refusal:
    """Which of the two an update found no running workflow for: a journey that has ended (409 over
    HTTP, its step still readable) or an id no journey has (404)."""
    try:
        await handle.describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return UNKNOWN_JOURNEY
        raise
    return JOURNEY_FINISHED


def input_of(update: JourneyUpdate, args: tuple, fields: dict) -> BaseModel:
    """The update's input model from a model or a dict, or from its fields (positional in order)."""
    model = typing.cast(type[BaseModel], update.input_type)
    if len(args) == 1 and not fields and isinstance(args[0], BaseModel | dict):
        return model.model_validate(args[0])
    return model(**dict(zip(model.model_fields, args, strict=False)), **fields)


class JourneyClient:
    """One journey, by its id. `replayed`: it was started earlier with the same idempotency key."""

    def __init__(self, handle: WorkflowHandle, *, replayed: bool = False):
        self.handle = handle
        self.replayed = replayed
        self.journey = journey_by_id(handle.id)
        self.updates = updates_of(self.journey.workflow)

    @property
    def journey_id(self) -> str:
        return self.handle.id

    async def act(self, update_name: str, *args: Any, update_id: str | None = None, **fields: Any) -> Any:
        update = self.updates[update_name]
        return await execute(self.handle, update.method, input_of(update, args, fields), update_id,
                             result_type=update.outcome_type)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name not in self.__dict__.get("updates", {}):
            raise AttributeError(name)

        async def update_method(*args: Any, **fields: Any) -> Any:
            return await self.act(name, *args, **fields)

        return update_method

    async def current_step(self) -> Any:
        step_type = typing.get_type_hints(self.journey.workflow.current_step)["return"]
        return await self.handle.query("current_step", result_type=step_type)

    async def result(self) -> Any:
        result_type = typing.get_type_hints(self.journey.workflow.run)["return"]
        return result_type.model_validate(await self.handle.result())


# The names each journey's client had when each restated its updates.
ActivationJourneyClient = PasswordChangeClient = RecoveryJourneyClient = ChildrenJourneyClient = JourneyClient
MergeJourneyClient = EmailChangeClient = MobileChangeClient = LetterActivationClient = JourneyClient
FranceConnectClient = JourneyClient
