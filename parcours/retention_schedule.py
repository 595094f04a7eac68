"""The Temporal Schedule that runs the retention purge (workflows/retention_purge.py): created by
whichever worker starts first, brought in line with the settings by every later start. Several
workers starting at once are safe: one creates it, the others find it and update it only if their
settings differ (the last one wins, as for the relay's start arguments); an operator's pause stays.
Not in tester mode: the time-skipping test server has no Schedules (docs/operators.md)."""

from __future__ import annotations

import dataclasses
import logging

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from parcours.contracts.retention import RETENTION_PURGE_WORKFLOW, RETENTION_SCHEDULE_ID, PurgeProgress
from parcours.settings import Settings

logger = logging.getLogger(__name__)


def retention_schedule(settings: Settings) -> Schedule:
    """Every interval, one purge on the worker's task queue; a purge still running when the next is
    due makes that one skipped, and a server down across several intervals starts one, not many."""
    interval = settings.retention_purge_interval
    return Schedule(
        action=ScheduleActionStartWorkflow(RETENTION_PURGE_WORKFLOW, PurgeProgress(), id=RETENTION_SCHEDULE_ID,
                                           task_queue=settings.task_queue,
                                           static_summary="Purge des données personnelles au-delà de leur durée "
                                                          "de conservation"),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=interval)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=interval),
    )


def _what_matters(schedule: Schedule) -> tuple:
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    return (action.workflow, action.task_queue, [spec.every for spec in schedule.spec.intervals],
            schedule.policy.overlap, schedule.policy.catchup_window)


async def ensure_retention_schedule(client: Client, settings: Settings) -> None:
    wanted = retention_schedule(settings)
    try:
        await client.create_schedule(RETENTION_SCHEDULE_ID, wanted)
        logger.info("retention purge scheduled every %s", settings.retention_purge_interval)
        return
    except ScheduleAlreadyRunningError:
        pass
    except RPCError as error:
        if error.status is not RPCStatusCode.UNIMPLEMENTED:
            raise
        # The time-skipping test server (a worker pointed at it by hand): run without the purge.
        logger.warning("this Temporal server has no Schedules: the retention purge will not run")
        return

    def in_line(update: ScheduleUpdateInput) -> ScheduleUpdate | None:
        current = update.description.schedule
        if _what_matters(current) == _what_matters(wanted):
            return None  # the usual case: nothing written
        logger.info("retention purge schedule updated: every %s", settings.retention_purge_interval)
        return ScheduleUpdate(schedule=dataclasses.replace(wanted, state=current.state))  # paused stays paused

    await client.get_schedule_handle(RETENTION_SCHEDULE_ID).update(in_line)
