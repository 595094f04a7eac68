"""A journey asks its chart's layout, not a machine, whether it is over and what it expects between
two events (states/journey.py, `ChartLayout`): for every chart, the layout must say what a machine
says, state by state, or a journey would accept an update its machine then refuses to send."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic import BaseModel
from statemachine.exceptions import TransitionNotAllowed

import parcours.states
from parcours.states.journey import JourneyChart, layout_of


def charts() -> list[type[JourneyChart]]:
    """Every journey's chart: the JourneyChart classes no other chart extends."""
    for module in pkgutil.iter_modules(parcours.states.__path__):
        importlib.import_module(f"parcours.states.{module.name}")
    found, waiting = [], [JourneyChart]
    while waiting:
        chart = waiting.pop()
        waiting += chart.__subclasses__()
        if not chart.__subclasses__():
            found.append(chart)
    return sorted(found, key=lambda chart: chart.__name__)


def model_of(chart: type[JourneyChart]) -> type[BaseModel]:
    """The chart's data model, from its generic parameter (`ActivationJourney(CodeStepChart[ActivationData])`)."""
    for base in getattr(chart, "__orig_bases__", ()):
        for argument in getattr(base, "__args__", ()):
            if isinstance(argument, type) and issubclass(argument, BaseModel):
                return argument
    raise AssertionError(f"{chart.__name__}: no data model among its generic parameters")


def with_defaults(model: type[BaseModel]) -> BaseModel:
    return model.model_construct()  # the states' rules are not looked at: no validation needed


CHARTS = charts()


def test_every_journey_chart_is_found():
    names = {chart.__name__ for chart in CHARTS}
    assert {"ActivationJourney", "PasswordResetJourney", "EmailChangeJourney", "MobileChangeJourney",
            "ChildrenConfirmationJourney", "LetterActivationJourney"} <= names
    assert "CodeStepChart" not in names and "JourneyChart" not in names


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_the_layout_starts_where_a_machine_starts(chart):
    data = with_defaults(model_of(chart))
    data.state = None
    chart(data)
    assert layout_of(chart).initial == data.state


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_the_layout_expects_what_a_machine_allows_in_each_open_state(chart):
    layout = layout_of(chart)
    open_states = [state.value for state in chart.states if not state.final]
    assert open_states, chart.__name__
    for state in open_states:
        data = with_defaults(model_of(chart))
        data.state = state
        machine = chart(data)
        assert not layout.finished(state) and not machine.is_terminated
        assert layout.events_from[state] == {event.id for event in machine.allowed_events}, state
        assert layout.expected_updates(state) == [
            update for update, events in chart.user_updates.items()
            if {event.id for event in machine.allowed_events}.intersection(events)], state


@pytest.mark.parametrize("chart", CHARTS, ids=lambda chart: chart.__name__)
def test_the_layout_ends_where_a_machine_ends(chart):
    """The final states a machine reaches by an event (with the data's defaults: some transitions'
    conditions choose another state): the machine stops there, the layout says finished and expects
    nothing (a machine made over a final state would not know it ended)."""
    layout = layout_of(chart)
    final_states = {state.value for state in chart.states if state.final}
    assert layout.final == final_states and final_states, chart.__name__
    reached = set()
    for state in chart.states:
        for transition in state.transitions:
            if not transition.target.final:
                continue
            data = with_defaults(model_of(chart))
            data.state = state.value
            machine = chart(data)
            try:
                machine.send(transition.event)
            except (TypeError, TransitionNotAllowed):  # a condition wanting the time, or refusing the defaults
                continue
            if data.state not in final_states:  # the event's other transition, by its condition
                assert not machine.is_terminated and not layout.finished(data.state)
                continue
            assert machine.is_terminated
            assert layout.finished(data.state) and layout.expected_updates(data.state) == []
            reached.add(data.state)
    assert reached, f"{chart.__name__}: no final state reached"
