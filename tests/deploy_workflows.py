"""A deliberately non-deterministic change to the activation workflow, for tests/test_deploys.py, in
a module of its own: the sandbox imports a workflow's module again for each run."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.activation import ActivationStart, ActivationStep
    from parcours.workflows.activation import ActivationWorkflow

TODAYS = workflow._Definition.must_from_class(ActivationWorkflow)


@workflow.defn(name=TODAYS.name, failure_exception_types=TODAYS.failure_exception_types)
class ActivationWithANewFirstStep(ActivationWorkflow):
    """Today's activation with an activity before anything else, as a change made without
    `workflow.patched` would have it: a journey started before it no longer replays."""

    @workflow.run
    async def run(self, start: ActivationStart) -> ActivationStep:
        await workflow.execute_activity("a_new_first_step", start_to_close_timeout=timedelta(seconds=5))
        return await super().run(start)
