"""Password change from « Mon compte » (R-CON-1), for a signed-in account; one live per account."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.accounts import (
        PASSWORD_CHANGE_WORKFLOW,
        PasswordChangeData,
        PasswordChangeInput,
        PasswordChangeOutcome,
        PasswordChangeStart,
        PasswordChangeStep,
    )
    from parcours.contracts.activities import (
        ActivityName,
        ChangePasswordRequest,
        CredentialCheck,
        PasswordNoticeRequest,
    )
    from parcours.contracts.common import FieldError, PasswordPolicyView
    from parcours.refusals import sign_in_locked
    from parcours.states.password_change import PasswordChangeJourney
    from parcours.workflows.common import JourneyWorkflow, check_new_password, journey_workflow, rejection
    from parcours.workflows.updates import journey_update

# The charts' states, e.g. `PasswordChange.abandoned.value`, rather than their names spelt again.
PasswordChange = PasswordChangeJourney

FINAL_MESSAGES = {
    PasswordChange.changed.value: messages.PASSWORD_CHANGED,
    PasswordChange.franceconnect_account.value: messages.FRANCECONNECT_PASSWORD,
    PasswordChange.abandoned.value: messages.ABANDONED,
}


@journey_workflow(PASSWORD_CHANGE_WORKFLOW, kind="password_change")
class PasswordChangeWorkflow(JourneyWorkflow):
    """R-CON-1, one per account: the current password and the new one, checked and stored."""

    @workflow.init
    def __init__(self, start: PasswordChangeStart) -> None:
        self._init_journey(PasswordChangeData(account_ref=start.account_ref), PasswordChangeJourney, start)

    @workflow.run
    async def run(self, start: PasswordChangeStart) -> PasswordChangeStep:
        return await self._run_journey()

    def operator_details(self) -> str:
        waiting = "waiting for the current and new passwords" if not self.finished else "finished"
        return f"**{self.data.state}** — {waiting}"

    @workflow.query
    def current_step(self) -> PasswordChangeStep:
        return PasswordChangeStep(
            **self._step_basics(),
            messages=[FINAL_MESSAGES.get(self.data.state, messages.PASSWORD_CHANGE_PROMPT)],
            # the new password's criteria, for the screen to show (R-ACT-8), while one is expected
            password_policy=None if self.finished else PasswordPolicyView.current(),
        )

    @journey_update(check=lambda self, change: self._check(change))
    async def change_password(self, change: PasswordChangeInput) -> PasswordChangeOutcome:
        now = self._touch()
        check: CredentialCheck = await self._activity(
            ActivityName.CHANGE_PASSWORD, CredentialCheck,
            ChangePasswordRequest(**self._run_ref(), account_ref=self.data.account_ref,
                                  current_password=change.current_password, new_password=change.new_password,
                                  now=now, max_failures=self.start.sign_in_policy.max_failures,
                                  lockout=self.start.sign_in_policy.lockout, attempt_key=self._update_key()),
            summary="check the current password, store the new one",
        )
        if check.franceconnect:  # R-CON-1: refused for FranceConnect accounts
            self._fire("franceconnect_detected")
            return self._outcome("franceconnect", messages.FRANCECONNECT_PASSWORD)
        if check.locked_until is not None:
            self._fire("current_password_rejected")
            return self._outcome("locked", sign_in_locked(check.locked_until, self.start.sign_in_policy.time_zone),
                                 retry_at=check.locked_until)
        if not check.valid:
            self.data.wrong_current_passwords += 1
            self._fire("current_password_rejected")
            return self._outcome("wrong_password", messages.CURRENT_PASSWORD_WRONG)
        await self._activity(ActivityName.SEND_PASSWORD_NOTICE, bool,
                             PasswordNoticeRequest(**self._run_ref(), account_ref=self.data.account_ref,
                                                   changed_at=now),
                             summary="tell the account's contact the password changed")
        self._fire("password_changed")
        return self._outcome("accepted", messages.PASSWORD_CHANGED)

    @staticmethod
    def _check(change: PasswordChangeInput) -> None:
        check_new_password(change.new_password, change.confirmation, field="new_password")
        if change.new_password == change.current_password:
            raise rejection("same_password", messages.NEW_PASSWORD_SAME,
                            [FieldError(field="new_password", message=messages.NEW_PASSWORD_SAME)])

    def _outcome(self, status: str, message: str, *, retry_at=None) -> PasswordChangeOutcome:
        return PasswordChangeOutcome(status=status, message=message, retry_at=retry_at, step=self.current_step())
