"""Lost identifier (R-REC-1 by mail, R-REC-2 by SMS): the identifier is sent, nothing else changes."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import (
        ActivityName,
        IdentifierReminderRequest,
    )
    from parcours.contracts.recovery import (
        IDENTIFIER_RECOVERY_WORKFLOW,
        IdentifierRequestInput,
        RecoveryOutcome,
        RecoveryStart,
        RecoveryStep,
    )
    from parcours.states.recovery import IdentifierRecoveryJourney
    from parcours.workflows.common import USER_BUDGET, journey_workflow
    from parcours.workflows.recovery_common import RecoveryWorkflow
    from parcours.workflows.updates import journey_update


# The chart's states, e.g. `Identifier.abandoned.value`, rather than their names spelt again.
Identifier = IdentifierRecoveryJourney

ANSWERED_IDENTIFIER = [messages.IDENTIFIER_REQUEST_ANSWER, messages.CONTACT_SCHOOL]


@journey_workflow(IDENTIFIER_RECOVERY_WORKFLOW, kind="identifier_recovery")
class IdentifierRecoveryWorkflow(RecoveryWorkflow):
    @workflow.init
    def __init__(self, start: RecoveryStart) -> None:
        self._start_recovery(start, IdentifierRecoveryJourney)

    @workflow.run
    async def run(self, start: RecoveryStart) -> RecoveryStep:
        return await self._run_journey()

    def step_messages(self) -> list[str]:
        if self.data.state == Identifier.request_to_receive.value:
            return [messages.IDENTIFIER_REQUEST_PROMPT]
        if self.data.state == Identifier.abandoned.value:
            return [messages.RECOVERY_ABANDONED]
        return ANSWERED_IDENTIFIER

    @journey_update()
    async def request_identifier(self, request: IdentifierRequestInput) -> RecoveryOutcome:
        self._touch()
        self.data.channel = request.channel
        self.data.request = request.model_dump(mode="json")
        if not self.data.policy.reveals_unknown:
            self._fire("request_submitted")  # the lookup and the send follow (do_pending_work)
            return self._outcome("accepted", messages.IDENTIFIER_REQUEST_ANSWER)
        if not await self._send_reminder():
            self._fire("request_not_recognised")
            return self._outcome("not_recognised", messages.NOT_RECOGNISED_MAIL)
        self._fire("request_submitted")
        self._fire("request_processed")
        return self._outcome("accepted", messages.IDENTIFIER_REQUEST_ANSWER)

    async def do_pending_work(self) -> None:
        if self.data.state == Identifier.request_received.value:
            await self._send_reminder(budget=self.data.policy.idle_lifetime, background=True)  # answered already
            self._fire("request_processed")

    async def _send_reminder(self, budget: timedelta = USER_BUDGET, background: bool = False) -> bool:
        request = IdentifierRequestInput.model_validate(self.data.request)
        self.data.matched = await self._activity(
            ActivityName.SEND_IDENTIFIER_REMINDER, bool,
            IdentifierReminderRequest(**self._run_ref(), channel=request.channel, destination=request.destination,
                                      requested_at=workflow.now()),
            summary="send the identifier if an account matches", budget=budget, background=background,
        )
        self.data.request = None  # no longer needed: do not carry the address around
        return self.data.matched
