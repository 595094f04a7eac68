"""A user's action on a journey, declared once: `@journey_update()` over its handler gives it the
journey's lock, the state check and a validator, and records it for the client, the HTTP API and
the contract (`updates_of`).

What it writes out for each update, as Temporal's message-passing samples do by hand: a validator
that refuses, before anything reaches the history, an action the chart does not expect now (and
whatever `check` refuses: a password against the policy, an unknown child); a handler that takes
the lock (handlers await activities: one action at a time), checks again under it — the state may
have moved while the update waited — and runs the action."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.common import JourneyOutcome

Check = Callable[[Any, Any], None]
Preparing = Callable[[Any], bool]
UPDATE_MARK = "__journey_update__"


@dataclass(frozen=True)
class JourneyUpdate:
    """What callers need of an update: its name, its argument's model and its outcome's model;
    `method` is what a Temporal client passes to `execute_update`."""

    name: str
    input_type: type
    outcome_type: type
    method: Callable[..., Any]
    description: str


def journey_update(check: Check | None = None, *, input_rule: Check | None = None,
                   waits_while: Preparing | None = None) -> Callable[[Callable[[Any, Any], Awaitable[Any]]], Any]:
    """The update named after its handler; `check(self, argument)` runs in the validator and again
    under the lock, before the handler. `input_rule(self, argument)` runs in the validator only: a
    rule of the input itself, which the wait for the lock cannot change, added after histories whose
    handler took such inputs (validators do not run on replay: those histories replay as written).

    `waits_while(self)`: the journey is still preparing what this update acts on (a link mailed from
    inside an activity reaches its reader before the activity's result reaches the journey). The
    update is then accepted and waits for the preparation to end before it is judged, instead of
    being refused in a state the user cannot see. Histories from before it replay alike: such an
    update was refused by its validator then, and never reached them; one accepted outside the
    preparation does not wait (no step of the handler moves)."""

    def declare(handler: Callable[[Any, Any], Awaitable[Any]]) -> Any:
        name = handler.__name__

        def refuse_if_not_now(self: Any, argument: Any) -> None:
            self._require(name)
            if check is not None:
                check(self, argument)

        def validate(self: Any, argument: Any) -> None:
            if input_rule is not None:
                input_rule(self, argument)
            if waits_while is None or not waits_while(self):  # else judged once the preparation ends
                refuse_if_not_now(self, argument)

        @functools.wraps(handler)
        async def act(self: Any, argument: Any) -> Any:
            if waits_while is not None and waits_while(self):
                await workflow.wait_condition(lambda: not waits_while(self))
            async with self.lock:
                refuse_if_not_now(self, argument)
                return await handler(self, argument)

        update = workflow.update(act)
        # Temporal wants the validator's parameters to be the handler's, annotations included.
        validate.__signature__ = inspect.signature(handler).replace(  # type: ignore[attr-defined]
            return_annotation=None)
        update.validator(validate)
        hints = typing.get_type_hints(handler)
        argument_name = next(iter(parameter for parameter in hints if parameter != "return"))
        setattr(update, UPDATE_MARK, JourneyUpdate(name=name, input_type=hints[argument_name],
                                                   outcome_type=hints["return"], method=update,
                                                   description=(handler.__doc__ or "").strip()))
        return update

    return declare


def updates_of(workflow_class: type) -> dict[str, JourneyUpdate]:
    """The journey updates of a workflow class (its own and its mixins'), by name. A step shared by
    several journeys (the code step) declares its updates' outcome as JourneyOutcome: each journey
    answers them with its own outcome, the one its own updates declare."""
    found: dict[str, JourneyUpdate] = {}
    for klass in reversed(workflow_class.__mro__):
        for attribute in vars(klass).values():
            declared = getattr(attribute, UPDATE_MARK, None)
            if declared is not None:
                found[declared.name] = declared
    own = {update.outcome_type for update in found.values() if update.outcome_type is not JourneyOutcome}
    if len(own) == 1:
        (outcome,) = own
        found = {name: dataclasses.replace(update, outcome_type=outcome)
                 if update.outcome_type is JourneyOutcome else update for name, update in found.items()}
    return found
