"""The activity names of the contract (ActivityName) and those the worker runs are the same set:
a workflow calls activities by these names, so one missing on either side fails at run time."""

from __future__ import annotations

from unittest.mock import MagicMock

from parcours.activities import activity_name, build_activities
from parcours.contracts.activities import ActivityName


def test_every_activity_of_the_worker_has_a_name_in_the_contract_and_back():
    names = [activity_name(function) for function in build_activities(MagicMock())]
    assert len(names) == len(set(names)), "an activity name given twice"
    assert set(names) == {name.value for name in ActivityName}
