"""`python -m bench replay`: the workflow side of one activation alone — its history replayed many
times in this process, by each way of running workflow code — in CPU milliseconds per replay.

No server, database or message takes part in a replay, and nothing else runs meanwhile, so the
figure holds still from run to run where throughput does not: it is how a change to the workflow,
the state machine or the sandbox is measured."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from bench import drive
from parcours.temporal.codec import parcours_data_converter
from parcours.temporal.sandbox import RESTRICTIONS, JourneySandboxRunner
from parcours.worker import WORKFLOWS
from parcours.workflows.update_errors import UpdateErrorsInterceptor

RUNNERS: dict[str, WorkflowRunner] = {
    "the SDK's sandbox": SandboxedWorkflowRunner(restrictions=RESTRICTIONS),
    "Parcours' sandbox (default)": JourneySandboxRunner(restrictions=RESTRICTIONS),
    "no sandbox": UnsandboxedWorkflowRunner(),
}


async def one_activation_history(stack: drive.Stack) -> WorkflowHistory:
    workers = await stack.start_workers("parcours")
    try:
        await stack._run(stack.parcours_journey, drive.WARM_UP, drive.WARM_UP)
        journey_id, _, _ = await stack.parcours_journey()
        return await stack.parcours_client.get_workflow_handle(journey_id).fetch_history()
    finally:
        stack.stop_workers(workers)


async def cpu_ms_per_replay(runner: WorkflowRunner, history: WorkflowHistory, replays: int, converter) -> float:
    replayer = Replayer(workflows=WORKFLOWS, workflow_runner=runner, data_converter=converter,
                        interceptors=[UpdateErrorsInterceptor()])
    await replayer.replay_workflow(history)  # warm-up: imports, validation

    async def histories():
        for _ in range(replays):
            yield history

    started = time.process_time()
    await replayer.replay_workflows(histories(), raise_on_replay_failure=True)
    return 1000 * (time.process_time() - started) / replays


async def replay_one_activation(options, directory: Path) -> None:
    async with drive.Stack(directory, guardians=drive.WARM_UP + 1) as stack:
        history = await one_activation_history(stack)
        # Bytecode, as an installed package has it: the sandbox executes the workflow modules again
        # for each run, from source where there is none (PYTHONDONTWRITEBYTECODE, an editable install).
        sys.pycache_prefix, sys.dont_write_bytecode = str(directory / "bytecode"), False
        converter = parcours_data_converter(stack.settings.payload_key_ring())
        print(f"\nOne activation's history ({len(history.events)} events) replayed {options.replays} times "
              f"— {stack.machine()}")
        results = {}
        for name, runner in RUNNERS.items():
            results[name] = await cpu_ms_per_replay(runner, history, options.replays, converter)
        unsandboxed = results["no sandbox"]
        for name, milliseconds in results.items():
            print(f"{name:30}{milliseconds:7.1f} ms CPU per replay  ({milliseconds / unsandboxed:.2f}× no sandbox)")
