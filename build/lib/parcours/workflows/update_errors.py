"""What an update handler's unexpected error becomes: a refusal (reason `internal_error`) that fails
that update alone, the journey left open. Every update of every journey goes through the worker's
interceptor here, so no handler has to say it.

Only the update fails: the user is told to try again, operators find the error's type and where it
was raised in the worker's log (never its message, which may quote an input: a code, a password).
A non-determinism error is left alone: it fails the workflow task, which the server retries until a
fixed worker replays the journey (docs/deploys.md). Refusals and other Temporal failures pass as
they are."""

from __future__ import annotations

import traceback
from typing import Any

from temporalio import workflow
from temporalio.exceptions import FailureError
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from parcours import messages
from parcours.refusals import rejection

INTERNAL_ERROR = "internal_error"


def raised_at(error: BaseException) -> str:
    """Where an error was raised, innermost frame first: functions, files and lines, without the
    error's message or the source lines (no file is read inside a workflow)."""
    frames = traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__), lookup_lines=False)
    return " < ".join(f"{frame.name} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"
                      for frame in reversed(frames))


class _UpdatesRefuseUnexpectedErrors(WorkflowInboundInterceptor):
    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        try:
            return await super().handle_update_handler(input)
        except (FailureError, workflow.NondeterminismError):
            raise
        except Exception as error:
            workflow.logger.error("update %s failed on an unexpected %s at %s", input.update,
                                  type(error).__name__, raised_at(error))
            raise rejection(INTERNAL_ERROR, messages.INTERNAL_ERROR) from None


class UpdateErrorsInterceptor(Interceptor):
    """The worker's (and the replayer's) interceptor: see the module's docstring."""

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput
                                   ) -> type[WorkflowInboundInterceptor] | None:
        return _UpdatesRefuseUnexpectedErrors
