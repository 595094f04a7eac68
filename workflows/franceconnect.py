"""Activation through FranceConnect (R-ACT-11): match, children (R-ACT-7), activate without password."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activation import ChildAnswerInput, ChildToConfirm
    from parcours.contracts.activities import (
        ActivityName,
        ChildDecision,
        FranceConnectActivateRequest,
        FranceConnectMatch,
        FranceConnectMatchRequest,
    )
    from parcours.contracts.franceconnect import (
        FRANCECONNECT_WORKFLOW,
        FranceConnectData,
        FranceConnectOutcome,
        FranceConnectStart,
        FranceConnectStep,
    )
    from parcours.states.children_view import child_views
    from parcours.states.franceconnect import FranceConnectActivationJourney
    from parcours.workflows.children_step import ChildrenStep
    from parcours.workflows.common import JourneyWorkflow, journey_workflow
    from parcours.workflows.updates import journey_update

# The charts' states, e.g. `FranceConnect.abandoned.value`, rather than their names spelt again.
FranceConnect = FranceConnectActivationJourney

MATCH_EVENTS = {"not_found": "identity_not_found", "subject_taken": "subject_already_linked",
                "already_active": "account_already_active"}
STATE_MESSAGES = {FranceConnect.children_to_confirm.value: messages.CHILDREN_PROMPT,
                  FranceConnect.activated.value: messages.FC_ACTIVATED,
                  FranceConnect.not_found.value: messages.FC_NOT_FOUND,
                  FranceConnect.subject_taken.value: messages.FC_SUBJECT_TAKEN,
                  FranceConnect.already_active.value: messages.ALREADY_ACTIVE,
                  FranceConnect.abandoned.value: messages.ABANDONED}


@journey_workflow(FRANCECONNECT_WORKFLOW, kind="franceconnect_activation")
class FranceConnectActivationWorkflow(ChildrenStep, JourneyWorkflow):
    @workflow.init
    def __init__(self, start: FranceConnectStart) -> None:
        self._init_journey(FranceConnectData(), FranceConnectActivationJourney, start)

    @workflow.run
    async def run(self, start: FranceConnectStart) -> FranceConnectStep:
        self.data.last_activity_at = workflow.now()
        identity = start.identity
        match: FranceConnectMatch = await self._activity(
            ActivityName.MATCH_FRANCECONNECT, FranceConnectMatch,
            FranceConnectMatchRequest(subject=identity.subject, family_name=identity.family_name,
                                      given_name=identity.given_name, email=identity.email),
            summary="match the FranceConnect identity with the school records",
        )
        if match.status != "matched":
            self._fire(MATCH_EVENTS[match.status])
            return self.current_step()
        self.data.account_ref, self.data.identifier = match.account_ref, match.identifier
        self.data.children = [ChildToConfirm(**child.model_dump()) for child in match.children]
        self._fire("identity_matched")
        async with self.lock:
            await self._activate_when_ready()
        return await self._run_journey()

    async def _activate_when_ready(self) -> None:
        if self.data.state != FranceConnect.account_to_activate.value:
            return
        await self._activity(
            ActivityName.ACTIVATE_WITH_FRANCECONNECT, bool,
            FranceConnectActivateRequest(
                **self._run_ref(), account_ref=self.data.account_ref, subject=self.start.identity.subject,
                email=self.start.identity.email, now=workflow.now(),
                children=[ChildDecision(student_ref=c.student_ref, status=c.status.value) for c in self.data.children]),
            summary="activate with the FranceConnect identity, no password",
        )
        self._fire("account_activated")

    def birth_date_max_tries(self) -> int:
        return self.start.policy.birth_date_max_wrong_tries

    def idle_lifetime(self) -> timedelta:
        return self.start.policy.idle_lifetime

    @workflow.query
    def current_step(self) -> FranceConnectStep:
        return FranceConnectStep(
            **self._step_basics(), messages=[STATE_MESSAGES.get(self.data.state, "")],
            identifier=self.data.identifier if self.data.state == FranceConnect.activated.value else None,
            children=child_views(self.data.children, self.birth_date_max_tries())
            if self.data.state == FranceConnect.children_to_confirm.value else [],
        )

    @journey_update(check=lambda self, answer: self._pending_child(answer.student_ref))
    async def answer_child(self, answer: ChildAnswerInput) -> FranceConnectOutcome:
        outcome = await self._answer_child(answer)
        await self._activate_when_ready()
        return self._outcome(outcome.status, outcome.message, tries_left=outcome.tries_left)

    def _outcome(self, status: str, message: str, *, tries_left: int | None = None) -> FranceConnectOutcome:
        return FranceConnectOutcome(status=status, message=message, tries_left=tries_left, step=self.current_step())
