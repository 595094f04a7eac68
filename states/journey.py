"""What every journey's chart shares, and what a journey expects of its user, derived from it."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from statemachine import StateChart

Model = TypeVar("Model")


class JourneyChart(StateChart[Model]):
    """A journey's chart. `user_updates` names, for each update a user may send, the events its
    handler can fire, in the order the journey lists them: an update is expected where one of its
    events has a transition from the current state (conditions aside: a refused resend is still
    an answer the user may ask for)."""

    catch_errors_as_events = False  # a bug must fail loudly, not become an event
    allow_event_without_transition = False
    user_updates: ClassVar[dict[str, tuple[str, ...]]] = {}


def expected_updates(machine: JourneyChart) -> list[str]:
    """The updates the journey accepts in its current state."""
    allowed = {event.id for event in machine.allowed_events}
    return [update for update, events in machine.user_updates.items() if allowed.intersection(events)]
