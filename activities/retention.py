"""The retention purge's activity (parcours/db/retention.py says what goes when): one batch of each
class per call, Temporal asked which of the batch's journeys still run, what went counted on the
worker's metrics (`parcours_retention_purged{class}`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.activities import ActivityName
from parcours.contracts.retention import PurgeRound, PurgeRoundResult
from parcours.db.retention import purge_round

# Describes in flight at once: a batch's journeys are asked together, without flooding the frontend.
DESCRIBES_AT_ONCE = 20


async def running_journeys(journey_ids: set[str]) -> set[str]:
    """Which of these workflow ids have a run still open. Asked of the workflow itself, not of the
    visibility store (which may lag): a journey that is gone, its history past the namespace's
    retention, is not found, hence not running."""
    client, gate = activity.client(), asyncio.Semaphore(DESCRIBES_AT_ONCE)

    async def runs(journey_id: str) -> bool:
        async with gate:
            try:
                description = await client.get_workflow_handle(journey_id).describe()
            except RPCError as error:
                if error.status is RPCStatusCode.NOT_FOUND:
                    return False
                raise
            return description.status is WorkflowExecutionStatus.RUNNING

    ids = sorted(journey_ids)
    answers = await asyncio.gather(*(runs(journey_id) for journey_id in ids))
    return {journey_id for journey_id, alive in zip(ids, answers, strict=True) if alive}


class RetentionActivities:
    def __init__(self, dependencies: ActivityDependencies) -> None:
        self.deps = dependencies

    @activity.defn(name=ActivityName.PURGE_EXPIRED)
    async def purge_expired(self, round: PurgeRound) -> PurgeRoundResult:
        result = await purge_round(self.deps.sessions, self.deps.retention_config, round, datetime.now(UTC),
                                   running_journeys)
        counter = activity.metric_meter().create_counter(
            "parcours_retention_purged", "Rows purged past their retention (failed attempts: accounts cleared)")
        for name, count in result.purged.items():
            if count:
                counter.add(count, {"class": name})
                activity.logger.info("retention: %d %s purged", count, name)
        return result
