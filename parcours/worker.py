"""Runs a Parcours worker: `python -m parcours.worker` (settings from PARCOURS_* variables)."""

from __future__ import annotations

import asyncio
import gc
import logging

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.worker import Worker

from parcours.activities import build_activities
from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.events import EVENTS_RELAY_ID, RelayStart, SubscriberStart, subscriber_workflow_id
from parcours.db.engine import create_schema
from parcours.journeys import WORKFLOWS
from parcours.logs import configure_logging
from parcours.retention_schedule import ensure_retention_schedule
from parcours.settings import Settings, get_settings
from parcours.temporal.connection import connect
from parcours.temporal.sandbox import workflow_runner
from parcours.workflows.events_relay import EventsRelayWorkflow
from parcours.workflows.events_subscriber import EventsSubscriberWorkflow
from parcours.workflows.retention_purge import RetentionPurgeWorkflow
from parcours.workflows.update_errors import UpdateErrorsInterceptor

EVENT_WORKFLOWS = [EventsRelayWorkflow, EventsSubscriberWorkflow]  # events out: the relay, a workflow per subscriber
MAINTENANCE_WORKFLOWS = [RetentionPurgeWorkflow]  # started by its Schedule (parcours/retention_schedule.py)


def workflow_options(settings: Settings) -> dict:
    """How workflow code runs, the same for a worker and a replayer (tests/test_replay.py): a
    history replays only as the worker that made it ran it."""
    return dict(workflows=[*WORKFLOWS, *EVENT_WORKFLOWS, *MAINTENANCE_WORKFLOWS],
                workflow_runner=workflow_runner(settings), interceptors=[UpdateErrorsInterceptor()])


def build_worker(client: Client, settings: Settings, dependencies: ActivityDependencies) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        activities=build_activities(dependencies),
        max_cached_workflows=settings.worker_max_cached_workflows,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        sticky_queue_schedule_to_start_timeout=settings.worker_sticky_queue_timeout,
        **workflow_options(settings),
    )


async def start_events_relay(client: Client, settings: Settings) -> None:
    """The relay runs with the stack, started by whichever worker comes first, and so does each
    subscriber's delivery workflow: the fixed ids and USE_EXISTING make every later start find the
    running one (never two); ALLOW_DUPLICATE starts one again after it ended (an operator
    terminated it, or its subscriber left the settings and came back)."""
    relay = RelayStart(poll_interval=settings.event_poll_interval, step_timeout=settings.event_relay_step_timeout,
                       heartbeat_timeout=settings.event_relay_heartbeat_timeout,
                       retry_initial=settings.event_retry_initial, retry_maximum=settings.event_retry_maximum,
                       steps_per_run=settings.event_relay_steps_per_run)
    await client.start_workflow(EventsRelayWorkflow.run, relay, id=EVENTS_RELAY_ID, task_queue=settings.task_queue,
                                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                                static_summary="Relais des événements vers les services abonnés")
    for hook in settings.event_webhooks:
        start = SubscriberStart(**relay.model_dump(), subscriber=hook.name,
                                give_up_after=settings.event_subscriber_give_up_after)
        await client.start_workflow(EventsSubscriberWorkflow.run, start, id=subscriber_workflow_id(hook.name),
                                    task_queue=settings.task_queue,
                                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                                    static_summary=f"Livraison des événements à « {hook.name} »")


async def run_worker(settings: Settings) -> None:
    dependencies = ActivityDependencies.from_settings(settings)
    await create_schema(dependencies.engine)  # the migrations, idempotent
    client = await connect(settings, serve_metrics=True)
    logging.getLogger(__name__).info("worker listening on task queue %r", settings.task_queue)
    try:
        worker = build_worker(client, settings, dependencies)
        await start_events_relay(client, settings)
        await ensure_retention_schedule(client, settings)
        # What is loaded by now (modules, classes, schemas: most of the heap) lives as long as the
        # process: out of the collector's sight, a full collection — which stops the event loop,
        # every journey's step with it — scans only what journeys made (80 → 20 ms, bench README).
        gc.freeze()
        await worker.run()
    finally:
        await dependencies.engine.dispose()


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format)
    asyncio.run(run_worker(settings))


if __name__ == "__main__":
    main()
