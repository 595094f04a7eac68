"""The recorded histories (tests/record_histories.py) replay against today's workflows, run as the
worker runs them (sandbox, interceptors, data converter): a change that would leave the journeys
open at a deploy stuck fails here first (docs/deploys.md)."""

import asyncio
import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from parcours.temporal.codec import parcours_data_converter
from parcours.worker import EVENT_WORKFLOWS, MAINTENANCE_WORKFLOWS, WORKFLOWS, workflow_options
from tests.record_histories import HISTORIES, history_settings

RECORDED = sorted(HISTORIES.glob("*/*.json"))


def workflow_type(history: dict) -> str:
    return history["events"][0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]


def event_types(history: dict) -> set[str]:
    return {event["eventType"] for event in history["events"]}


@pytest.fixture(scope="module")
def replayer(tmp_path_factory) -> Replayer:
    settings = history_settings(tmp_path_factory.mktemp("replay"))
    return Replayer(**workflow_options(settings), data_converter=parcours_data_converter(settings.payload_key_ring()))


@pytest.mark.parametrize("path", RECORDED, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_a_recorded_history_replays(replayer, path: Path):
    recorded = await asyncio.to_thread(path.read_text)
    await replayer.replay_workflow(WorkflowHistory.from_json(path.stem, recorded))


def test_every_workflow_type_has_a_history_with_its_timers_and_updates():
    histories = [json.loads(path.read_text()) for path in RECORDED]
    recorded_types = {workflow_type(history) for history in histories}
    every_type = [*WORKFLOWS, *EVENT_WORKFLOWS, *MAINTENANCE_WORKFLOWS]  # the journeys, events out, the purge
    assert {workflow._Definition.must_from_class(cls).name for cls in every_type} <= recorded_types
    seen = set().union(*(event_types(history) for history in histories))
    assert {"EVENT_TYPE_TIMER_FIRED", "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED"} <= seen
