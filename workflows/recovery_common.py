"""What both recovery workflows share (R-REC-1 … R-REC-7).

The request is answered before any lookup (R-REC-7): the update returns the same outcome, in
the same time, whether or not an account matches; the lookup and the message follow in the
workflow's loop."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.common import Deadlines
    from parcours.contracts.recovery import (
        RecoveryData,
        RecoveryOutcome,
        RecoveryStart,
        RecoveryStep,
    )
    from parcours.workflows.common import JourneyWorkflow



class RecoveryWorkflow(JourneyWorkflow):
    """What both recovery journeys share: the start, idleness, the step and outcome shapes."""

    @workflow.query
    def current_step(self) -> RecoveryStep:
        """The step as the chart has it (password reset adds its link or code step)."""
        return self._step()

    def _start_recovery(self, start: RecoveryStart, machine_class) -> None:
        self._init_journey(RecoveryData(policy=start.policy), machine_class)

    def operator_details(self) -> str:
        matched = {None: "", True: " (an account matched)", False: " (no account matched)"}[self.data.matched]
        return f"**{self.data.state}**{matched}"

    def step_messages(self) -> list[str]:
        raise NotImplementedError

    def _step(self, deadlines: Deadlines | None = None) -> RecoveryStep:
        return RecoveryStep(**self._step_basics(), messages=self.step_messages(),
                            deadlines=deadlines or Deadlines(), identifier=self.data.identifier)

    def _outcome(self, status: str, message: str, *, tries_left: int | None = None, retry_at=None) -> RecoveryOutcome:
        return RecoveryOutcome(status=status, message=message, tries_left=tries_left, retry_at=retry_at,
                               step=self.current_step())

