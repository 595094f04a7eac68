"""Workflows for tests/test_sandbox.py, in a module of their own: the sandbox imports a workflow's
module again for each run, which a test module (pytest and all) would make slow."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import activity, workflow


@activity.defn
async def echo(text: str) -> str:
    return text


@workflow.defn
class ReadsTheClock:
    """Reads the machine's clock, which a replay would not read again the same."""

    @workflow.run
    async def run(self) -> str:
        try:
            datetime.now()
        except Exception as refused:
            return type(refused).__name__
        return "allowed"


@workflow.defn
class CallsActivities:
    """One activity and one local activity, whose payloads carry their own serialization context."""

    @workflow.run
    async def run(self, text: str) -> list[str]:
        timeout = timedelta(seconds=10)
        return [await workflow.execute_activity(echo, text, start_to_close_timeout=timeout),
                await workflow.execute_local_activity(echo, text, start_to_close_timeout=timeout)]
