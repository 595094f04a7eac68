"""Mobile change from « Mon compte » (R-CON-7): a code by SMS to the new number, one live
journey per account like the email change."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import (
        ActivityName,
        CodePurpose,
        MobileChangeRequest,
        MobileConfirmRequest,
    )
    from parcours.contracts.common import CodeInput, Deadlines, FieldError
    from parcours.contracts.contact import (
        MOBILE_CHANGE_WORKFLOW,
        MobileChangeData,
        MobileChangeInput,
        MobileChangeOutcome,
        MobileChangeStart,
        MobileChangeStep,
    )
    from parcours.states.code_step import (
        CODE_STEP_STATES,
        code_step_deadline,
        code_tries_left,
        resend_available_at,
        resends_left,
    )
    from parcours.states.contact import MobileChangeJourney
    from parcours.workflows.code_step import CodeStep
    from parcours.workflows.common import JourneyWorkflow, journey_workflow, rejection
    from parcours.workflows.updates import journey_update


# The chart's states, e.g. `Mobile.code_sent.value`, rather than their names spelt again.
Mobile = MobileChangeJourney


@journey_workflow(MOBILE_CHANGE_WORKFLOW, kind="mobile_change")
class MobileChangeWorkflow(CodeStep, JourneyWorkflow):
    """R-CON-7, one per account like the email change."""

    code_purpose = CodePurpose.MOBILE_CHANGE

    @workflow.init
    def __init__(self, start: MobileChangeStart) -> None:
        self._init_journey(MobileChangeData(account_ref=start.account_ref, policy=start.policy), MobileChangeJourney)

    @workflow.run
    async def run(self, start: MobileChangeStart) -> MobileChangeStep:
        await self._run_journey()
        if self.data.state == Mobile.abandoned.value and self.data.new_mobile:  # R-CON-8: the old number stays
            await self._activity(
                ActivityName.DROP_PENDING_MOBILE, bool,
                MobileChangeRequest(account_ref=self.data.account_ref, new_mobile=self.data.new_mobile),
                summary="drop the pending number")
        return self.current_step()

    def next_deadline(self, now: datetime) -> datetime | None:
        return code_step_deadline(self.data, now, CODE_STEP_STATES)

    def fire_due_events(self, now: datetime) -> None:
        if self.data.state == Mobile.code_sent.value and now >= self.data.code_expires_at:
            self._fire("code_expiry_reached")
        elif now >= self.data.last_activity_at + self.data.policy.idle_lifetime:
            self._fire("idle_timeout")
        else:
            self._publish()

    def _require(self, update: str) -> None:
        self._require_code_state(update)
        super()._require(update)

    def operator_details(self) -> str:
        return f"**{self.data.state}**"

    def code_accepted_message(self) -> str:
        return messages.MOBILE_CONFIRMED

    @workflow.query
    def current_step(self) -> MobileChangeStep:
        minutes = int(self.data.policy.code_validity.total_seconds() // 60)
        text = {Mobile.number_to_request.value: [messages.MOBILE_CHANGE_PROMPT],
                Mobile.code_expired.value: [messages.CODE_EXPIRED, messages.MOBILE_RESEND],
                Mobile.code_void.value: [messages.CODE_VOID, messages.MOBILE_RESEND],
                Mobile.code_not_sent.value: [messages.CODE_NOT_SENT, messages.MOBILE_RESEND],
                Mobile.confirmed.value: [messages.MOBILE_CONFIRMED],
                Mobile.number_to_save.value: [messages.MOBILE_CONFIRMED],
                Mobile.abandoned.value: [messages.RECOVERY_ABANDONED]}
        in_code_step = self.data.state in CODE_STEP_STATES
        available_at = resend_available_at(self.data) if in_code_step else None
        return MobileChangeStep(
            **self._step_basics(),
            messages=text.get(self.data.state,
                              [messages.MOBILE_PENDING.format(minutes=minutes), messages.MOBILE_RESEND]),
            deadlines=Deadlines(
                code_expires_at=self.data.code_expires_at if self.data.state == Mobile.code_sent.value else None,
                resend_available_at=available_at if available_at and available_at > workflow.now() else None),
            new_mobile=self.data.new_mobile,
            code_tries_left=code_tries_left(self.data) if self.data.state == Mobile.code_sent.value else None,
            resends_left=resends_left(self.data) if in_code_step else None,
        )

    @journey_update()
    async def request_change(self, change: MobileChangeInput) -> MobileChangeOutcome:
        now = self._touch()
        if resends_left(self.data) == 0:  # new numbers count against the cap too: no SMS pumping
            return self._outcome("resend_refused", messages.RESEND_CAP_REACHED)
        status: str = await self._activity(
            ActivityName.REQUEST_MOBILE_CHANGE, str,
            MobileChangeRequest(account_ref=self.data.account_ref, new_mobile=change.new_mobile),
            summary="record the pending number")
        if status != "pending":
            message = messages.MOBILE_SAME_AS_CURRENT if status == "same_as_current" else messages.MOBILE_GUARDIANS_ONLY
            raise rejection(status, message, [FieldError(field="new_mobile", message=message)])
        try:
            sent = await self._send_code(now)
        except ApplicationError:  # refused (the number had its share of SMS): the request leaves no trace
            await self._activity(ActivityName.DROP_PENDING_MOBILE, bool,
                                 MobileChangeRequest(account_ref=self.data.account_ref, new_mobile=change.new_mobile),
                                 summary="forget the refused number")
            raise
        self.data.new_mobile = change.new_mobile
        if sent is None:  # the number stands: the user asks a resend, not to type it again
            return self._code_not_sent()
        self._record_code(sent, now)
        self._fire("change_requested")
        return self._outcome("accepted", messages.MOBILE_PENDING.format(
            minutes=int(self.data.policy.code_validity.total_seconds() // 60)))

    @journey_update(input_rule=lambda self, submission: self.check_code_length(submission))
    async def submit_code(self, submission: CodeInput) -> MobileChangeOutcome:
        outcome = await self._check_code(submission)
        if self.data.state == Mobile.number_to_save.value:
            await self._activity(
                ActivityName.CONFIRM_MOBILE_CHANGE, bool,
                MobileConfirmRequest(**self._run_ref(), account_ref=self.data.account_ref,
                                     new_mobile=self.data.new_mobile, now=workflow.now()),
                summary="the number becomes the confirmed mobile")
            self._fire("number_saved")
            outcome = self._outcome(outcome.status, outcome.message)
        return outcome

    def _outcome(self, status: str, message: str, *, tries_left: int | None = None,
                 retry_at=None) -> MobileChangeOutcome:
        return MobileChangeOutcome(status=status, message=message, tries_left=tries_left, retry_at=retry_at,
                                   step=self.current_step())
