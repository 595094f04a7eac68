"""Events out (docs/events.md): the relay, one long-running workflow per namespace and task queue
(id EVENTS_RELAY_ID, started by every worker, found running by all but the first). Each step is
one activity giving new events their position (each subscriber's own workflow delivers them:
events_subscriber.py); when a step found nothing new, it waits on a Temporal timer; after
`steps_per_run` steps, or when the server suggests it, it continues as new so that its history
stays short."""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.activities import ActivityName
    from parcours.contracts.events import EVENTS_RELAY_WORKFLOW, RelayStart, RelayStepResult

# A failing subscriber doubles the wait between steps up to the maximum (Temporal's backoff).
BACKOFF_COEFFICIENT = 2.0


@workflow.defn(name=EVENTS_RELAY_WORKFLOW)
class EventsRelayWorkflow:
    @workflow.run
    async def run(self, start: RelayStart) -> None:
        retry = RetryPolicy(initial_interval=start.retry_initial, backoff_coefficient=BACKOFF_COEFFICIENT,
                            maximum_interval=start.retry_maximum, maximum_attempts=0)  # never gives up
        for _ in range(start.steps_per_run):
            result = await workflow.execute_activity(
                ActivityName.RELAY_EVENTS.value, result_type=RelayStepResult, start_to_close_timeout=start.step_timeout,
                heartbeat_timeout=start.heartbeat_timeout, retry_policy=retry, summary="relay events")
            if workflow.info().is_continue_as_new_suggested():
                break
            if not result.more:
                await workflow.sleep(start.poll_interval, summary="wait for new events")
        workflow.continue_as_new(start)
