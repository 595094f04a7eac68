"""The retention purge (parcours/db/retention.py), started by the Temporal Schedule `retention-purge`
every PARCOURS_RETENTION_PURGE_INTERVAL: rounds of one activity, each purging one batch of every
class not done yet, until every class is done; what it purged is its result (the Web UI shows it).
A long backlog continues as new when the server suggests it, its progress carried over."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.activities import ActivityName
    from parcours.contracts.retention import RETENTION_PURGE_WORKFLOW, PurgeProgress, PurgeRoundResult

# One round is a few batches of at most 10,000 rows and their journeys' describes.
ROUND_TIMEOUT = timedelta(minutes=5)
# A database or server out of reach: tried again for some minutes, then this run fails and the
# Schedule's next one starts over (every round is idempotent: nothing is lost by stopping).
ROUND_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                          maximum_interval=timedelta(minutes=1), maximum_attempts=8)


@workflow.defn(name=RETENTION_PURGE_WORKFLOW)
class RetentionPurgeWorkflow:
    @workflow.run
    async def run(self, progress: PurgeProgress) -> PurgeProgress:
        while True:
            result = await workflow.execute_activity(
                ActivityName.PURGE_EXPIRED.value, progress.round, result_type=PurgeRoundResult,
                start_to_close_timeout=ROUND_TIMEOUT, retry_policy=ROUND_RETRY, summary="purge one batch per class")
            for name, count in result.purged.items():
                progress.purged[name] = progress.purged.get(name, 0) + count
            progress.round = result.next
            if result.finished:
                return progress
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(progress)
