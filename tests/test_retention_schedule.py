"""The retention purge's Temporal Schedule on a real dev server: a worker's start creates it, several
starts at once leave one, a changed interval is applied and an operator's pause kept, and
triggering it purges — a journey Temporal says is running keeping its rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, ScheduleDescription
from temporalio.service import RPCError

from parcours.contracts.retention import RETENTION_PURGE_WORKFLOW, RETENTION_SCHEDULE_ID, PurgeProgress
from parcours.db.models import VerificationCode
from parcours.db.retention import PurgedClass
from parcours.retention_schedule import ensure_retention_schedule
from tests.test_retention import ENDED, LONG_AGO, code

LIVE = "activation/live-on-the-server"
WAIT_S = 60


async def described(client: Client) -> ScheduleDescription:
    """The Schedule once it exists (the worker process creates it at its start)."""
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while True:
        try:
            return await client.get_schedule_handle(RETENTION_SCHEDULE_ID).describe()
        except RPCError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def triggered_run(client: Client) -> PurgeProgress:
    """Trigger the Schedule and wait for the purge it starts to end: its result."""
    handle = client.get_schedule_handle(RETENTION_SCHEDULE_ID)
    actions_before = (await handle.describe()).info.num_actions
    await handle.trigger()
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while (info := (await handle.describe()).info).num_actions == actions_before:
        assert asyncio.get_running_loop().time() < deadline, "the triggered purge did not start"
        await asyncio.sleep(0.2)
    started = info.recent_actions[-1].action
    assert isinstance(started, ScheduleActionExecutionStartWorkflow)
    run = client.get_workflow_handle(started.workflow_id, result_type=PurgeProgress)
    return await asyncio.wait_for(run.result(), WAIT_S)


async def test_the_worker_schedules_the_purge_and_triggering_it_purges(settings, worker_in_its_process):
    async with worker_in_its_process(settings.model_copy(update={"retention_purge_interval": timedelta(days=1)})) \
            as stack:
        schedule = (await described(stack.client)).schedule
        assert schedule.action.workflow == RETENTION_PURGE_WORKFLOW  # type: ignore[attr-defined]
        assert schedule.action.task_queue == stack.settings.task_queue  # type: ignore[attr-defined]
        assert [spec.every for spec in schedule.spec.intervals] == [timedelta(days=1)]
        # A journey still running as far as Temporal knows (on a queue nobody polls, it stays so).
        live = await stack.client.start_workflow("Activation", id=LIVE, task_queue="nobody-polls-this")
        try:
            async with stack.dependencies.sessions.begin() as session:
                session.add_all([code("live", LIVE, LONG_AGO), code("ended", ENDED, LONG_AGO)])
            first = await triggered_run(stack.client)
            async with stack.dependencies.sessions() as session:
                kept = set((await session.scalars(select(VerificationCode.id))).all())
            assert first.purged[PurgedClass.CODES] == 1 and kept == {"live"}
            again = await triggered_run(stack.client)
            assert set(again.purged.values()) == {0}
        finally:
            await live.terminate("test over")


async def test_workers_starting_at_once_leave_one_schedule_in_line_with_the_settings(settings, own_dev_server):
    async with own_dev_server(settings) as own:
        await asyncio.gather(*(ensure_retention_schedule(own.client, own.settings) for _ in range(4)))
        handle = own.client.get_schedule_handle(RETENTION_SCHEDULE_ID)
        created = await handle.describe()
        await ensure_retention_schedule(own.client, own.settings)  # the same settings: nothing written
        assert (await handle.describe()).info.last_updated_at == created.info.last_updated_at

        await handle.pause(note="an operator's pause")
        every_day = own.settings.model_copy(update={"retention_purge_interval": timedelta(days=1)})
        await asyncio.gather(*(ensure_retention_schedule(own.client, every_day) for _ in range(3)))
        updated = await handle.describe()
        assert [spec.every for spec in updated.schedule.spec.intervals] == [timedelta(days=1)]
        assert updated.schedule.state.paused and updated.schedule.state.note == "an operator's pause"
