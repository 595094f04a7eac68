"""The reference: a bare Temporal workflow with the shape of a straightforward activation — a
start, 4 updates (identity, code, children, password), 5 regular activities that do nothing, the
30-minute code timer. Fixed on purpose: it does not follow Parcours' changes, so it stays the
yardstick. Run its worker with `python -m bench.skeleton ADDRESS TASK_QUEUE`."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

WORKFLOW_TYPE = "BenchSkeletonActivation"
CODE_VALIDITY = timedelta(minutes=30)
ACTIVITY_TIMEOUT = timedelta(seconds=30)


@activity.defn
async def noop(step: str) -> str:
    return step


@workflow.defn(name=WORKFLOW_TYPE)
class SkeletonActivation:
    def __init__(self) -> None:
        self.activated = False

    @workflow.run
    async def run(self) -> str:
        try:
            await workflow.wait_condition(lambda: self.activated, timeout=CODE_VALIDITY)
        except TimeoutError:
            return "code_expired"
        await workflow.wait_condition(workflow.all_handlers_finished)
        return "activated"

    async def _noop(self, step: str) -> str:
        return await workflow.execute_activity(noop, step, start_to_close_timeout=ACTIVITY_TIMEOUT)

    @workflow.update
    async def submit_identity(self, identity: str) -> str:
        await self._noop("match identity")
        return await self._noop("send code")

    @workflow.update
    async def submit_code(self, code: str) -> str:
        return await self._noop("check code")

    @workflow.update
    async def answer_child(self, answer: str) -> str:
        return await self._noop("check birth date")

    @workflow.update
    async def choose_password(self, password: str) -> str:
        result = await self._noop("activate")
        self.activated = True
        return result


async def run_worker(address: str, task_queue: str) -> None:
    client = await Client.connect(address)
    await Worker(client, task_queue=task_queue, workflows=[SkeletonActivation], activities=[noop]).run()


if __name__ == "__main__":
    asyncio.run(run_worker(sys.argv[1], sys.argv[2]))
