"""Every outcome status is a closed list in the contracts (an enum in both schemas), and every
status a journey's workflow can answer is in its outcome's list: read from the workflows' code, so
a new status that the contract does not name fails here, not as a refused answer in production
(pydantic would refuse to build the outcome)."""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from pathlib import Path

import pytest

from parcours.contracts.account_activities import MergeResult
from parcours.contracts.common import OutcomeStatus
from parcours.journeys import JOURNEYS
from parcours.workflows.updates import updates_of


def closed_list(model: type) -> set[str]:
    annotation = model.model_fields["status"].annotation
    if isinstance(annotation, type) and issubclass(annotation, OutcomeStatus):
        return {status.value for status in annotation}
    assert typing.get_origin(annotation) is typing.Literal, f"{model.__name__}.status is not a closed list"
    return set(typing.get_args(annotation))


def answered_statuses(workflow_class: type) -> set[str]:
    """The statuses the workflow (its own code and its mixins') passes to `_outcome` as constants."""
    found = set()
    for klass in workflow_class.__mro__:
        if not klass.__module__.startswith("parcours.workflows"):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "_outcome" and call.args):
                continue
            status = call.args[0]
            if isinstance(status, ast.Constant):
                found.add(status.value)
            elif isinstance(status, ast.Attribute) and getattr(status.value, "id", None) == "OutcomeStatus":
                found.add(OutcomeStatus[status.attr].value)
            # else: a status passed on (`outcome.status`, a step's own, or an activity's: see below)
    return found


JOURNEYS_WITH_UPDATES = [journey for journey in JOURNEYS if updates_of(journey.workflow)]


@pytest.mark.parametrize("journey", JOURNEYS_WITH_UPDATES, ids=lambda journey: journey.name)
def test_every_status_a_journey_answers_is_in_its_contract(journey):
    outcomes = {update.outcome_type for update in updates_of(journey.workflow).values()}
    (outcome,) = outcomes  # one outcome model per journey
    answered = answered_statuses(journey.workflow)
    assert answered, journey.name
    assert answered <= closed_list(outcome), f"{journey.name}: {answered - closed_list(outcome)}"


def test_a_merge_refused_by_the_activity_answers_a_status_of_the_contract():
    """The merge journey passes the activity's refusal on as its status (workflows/children.py)."""
    merge = next(journey for journey in JOURNEYS if journey.name == "account-merge")
    (outcome,) = {update.outcome_type for update in updates_of(merge.workflow).values()}
    assert closed_list(MergeResult) - {"merged"} <= closed_list(outcome)


def test_each_status_is_an_enum_in_the_schemas():
    for journey in JOURNEYS_WITH_UPDATES:
        for update in updates_of(journey.workflow).values():
            status = update.outcome_type.model_json_schema()["properties"]["status"]
            listed = status.get("enum") or status.get("$ref")
            assert listed, f"{journey.name}.{update.name}: status not closed in the schema"


def journey_page(name: str) -> str:
    """The docs/journeys page that holds the journey's diagram block."""
    for page in sorted((Path(__file__).resolve().parents[1] / "docs" / "journeys").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        if f"<!-- BEGIN {name} diagram " in text:
            return text
    raise AssertionError(f"no page in docs/journeys holds the {name} diagram")


@pytest.mark.parametrize("journey", JOURNEYS_WITH_UPDATES, ids=lambda journey: journey.name)
def test_each_journey_page_names_every_status(journey):
    (outcome,) = {update.outcome_type for update in updates_of(journey.workflow).values()}
    page = journey_page(journey.name)
    missing = {status for status in closed_list(outcome) if f"`{status}`" not in page}
    assert not missing, f"docs/journeys page of {journey.name} does not name {sorted(missing)}"
