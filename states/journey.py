"""What every journey's chart shares, and what a journey expects of its user, derived from it."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ChartLayout:
    """What a chart's class says of each state — where it starts, which states end it, which events
    have a transition from each (conditions aside), what the user may send there — read once per
    chart. A journey asks these between two events (is it over? what does it expect?) without a
    machine: making one resolves every callback of the chart against the model (0.5 ms each time,
    and a waiting journey lets its machine go), and a machine made over a final state does not
    know it ended (its engine starts running again)."""

    initial: str
    final: frozenset[str]
    events_from: Mapping[str, frozenset[str]]
    user_updates: Mapping[str, tuple[str, ...]]

    def finished(self, state: str | None) -> bool:
        return state in self.final

    def expected_updates(self, state: str | None) -> list[str]:
        """The updates the journey accepts in `state` (None: data no machine has started, as a
        machine would take it: at the initial state), in the order the chart lists them."""
        allowed = self.events_from[self.initial if state is None else state]
        return [update for update, events in self.user_updates.items() if allowed.intersection(events)]


@functools.cache
def layout_of(chart: type[JourneyChart]) -> ChartLayout:
    (initial,) = (state.value for state in chart.states if state.initial)
    return ChartLayout(
        initial=initial,
        final=frozenset(state.value for state in chart.states if state.final),
        events_from={state.value: frozenset(event.id for event in state.transitions.unique_events)
                     for state in chart.states},
        user_updates=dict(chart.user_updates),
    )


def expected_updates(machine: JourneyChart) -> list[str]:
    """The updates the journey accepts in its machine's current state."""
    return layout_of(type(machine)).expected_updates(machine.model.state)


def utc_text(moment: datetime, *, seconds: bool = True) -> str:
    """« 2026-12-04 12:15:04 » (UTC), for operators. Not by strftime: it imports `time` when it runs,
    and in the workflow sandbox an import is one more restricted module made for each journey."""
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
    return f"{text}:{moment.second:02d}" if seconds else text
