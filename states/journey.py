"""What every journey's chart shares, and what a journey expects of its user, derived from it."""

from __future__ import annotations

from datetime import datetime
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


def utc_text(moment: datetime, *, seconds: bool = True) -> str:
    """« 2026-12-04 12:15:04 » (UTC), for operators. Not by strftime: it imports `time` when it runs,
    and in the workflow sandbox an import is one more restricted module made for each journey."""
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
    return f"{text}:{moment.second:02d}" if seconds else text
