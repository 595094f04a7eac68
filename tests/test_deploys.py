"""A deploy whose workflow code no longer replays the journeys it finds open (a non-deterministic
change) leaves them stuck, not failed; the fixed deploy then completes them (docs/deploys.md). On
the Temporal dev server, as in production: the server retries the failed workflow task."""

import asyncio
import time
from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Worker

from parcours.activities import build_activities
from parcours.activities.dependencies import ActivityDependencies
from parcours.client import ActivationJourneyClient
from parcours.contracts.activation import ID_PREFIX, ActivationStart
from parcours.security.crypto import new_reference
from parcours.testing import Inbox, running_parcours, settings_for
from parcours.worker import workflow_options
from parcours.workflows.activation import ActivationWorkflow
from tests.activation_helpers import CAMILLE_SMS, GOOD_PASSWORD, LEA
from tests.deploy_workflows import ActivationWithANewFirstStep

pytestmark = pytest.mark.integration
SEEN_WITHIN_S = 30
TASK_TIMEOUT = timedelta(seconds=1)


@pytest.fixture
def settings(tmp_path, module_keys):
    # No cache: each worker replays a journey from its history, as a freshly deployed one does.
    return settings_for(tmp_path, secret_key=module_keys.secret_key, payload_keys=module_keys.payload_keys,
                        worker_max_cached_workflows=0)


def changed_worker(client, settings, dependencies, workflow_class) -> Worker:
    """A worker like Parcours' own whose activation workflow is `workflow_class`."""
    options = workflow_options(settings) | {"workflows": [workflow_class]}
    return Worker(client, task_queue=settings.task_queue, activities=build_activities(dependencies),
                  max_cached_workflows=settings.worker_max_cached_workflows, **options)


async def stuck_or_closed(handle) -> tuple[WorkflowExecutionStatus, bool]:
    """(status, whether a workflow task failed) once a workflow task has failed or the journey closed."""
    deadline = time.monotonic() + SEEN_WITHIN_S
    while time.monotonic() < deadline:
        status = (await handle.describe()).status
        history = await handle.fetch_history()
        task_failed = any(event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED for event in history.events)
        if task_failed or status is not WorkflowExecutionStatus.RUNNING:
            return status, task_failed
        await asyncio.sleep(0.2)
    raise AssertionError("the changed worker neither failed a workflow task nor closed the journey")


async def test_a_non_deterministic_deploy_leaves_journeys_stuck_and_the_fixed_one_completes_them(dev_env, settings):
    inbox = Inbox(settings.dev_inbox_path)
    async with running_parcours(dev_env.client, settings) as (parcours, _):
        # A short workflow task timeout: the task the stopped changed worker held is given to the
        # fixed one after 1 s instead of the default 10 s.
        handle = await dev_env.client.start_workflow(
            ActivationWorkflow.run, ActivationStart(policy=parcours.policy), id=f"{ID_PREFIX}{new_reference()}",
            task_queue=settings.task_queue, task_timeout=TASK_TIMEOUT)
        journey = ActivationJourneyClient(handle)
        assert (await journey.submit_identity(CAMILLE_SMS)).step.state == "code_sent"
    code = inbox.last_code()

    dependencies = ActivityDependencies.from_settings(settings)
    try:
        async with changed_worker(dev_env.client, settings, dependencies, ActivationWithANewFirstStep):
            submitted = asyncio.ensure_future(journey.submit_code(code))  # waits for a worker that can replay
            assert await stuck_or_closed(journey.handle) == (WorkflowExecutionStatus.RUNNING, True)
            assert not submitted.done()
    finally:
        await dependencies.engine.dispose()

    async with running_parcours(dev_env.client, settings, demo_records=False) as (parcours, _):
        outcome = await asyncio.wait_for(submitted, SEEN_WITHIN_S)
        assert outcome.step.state == "children_to_confirm"
        await journey.answer_child(LEA)
        await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
        assert (await journey.result()).state == "activated"
