"""Activation by notification letter (R-ACT-10): letter credentials, then email and password; the
email goes on through the account's email-change journey (a child workflow left running)."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import (
        ActivateByLetterRequest,
        ActivityName,
        CredentialCheck,
        VerifySignInRequest,
    )
    from parcours.contracts.common import FieldError, PasswordPolicyView
    from parcours.contracts.contact import EMAIL_CHANGE_ID_PREFIX, EmailChangeStart
    from parcours.contracts.letter_activation import (
        LETTER_ACTIVATION_WORKFLOW,
        LetterActivationData,
        LetterActivationOutcome,
        LetterActivationStart,
        LetterActivationStep,
        LetterCredentialsInput,
        LetterDetailsInput,
    )
    from parcours.refusals import sign_in_locked
    from parcours.states.letter_activation import LetterActivationJourney
    from parcours.workflows.common import JourneyWorkflow, check_new_password, journey_workflow, rejection
    from parcours.workflows.email_change import EmailChangeWorkflow
    from parcours.workflows.updates import journey_update

# The charts' states, e.g. `Letter.abandoned.value`, rather than their names spelt again.
Letter = LetterActivationJourney


@journey_workflow(LETTER_ACTIVATION_WORKFLOW, kind="letter_activation")
class LetterActivationWorkflow(JourneyWorkflow):
    @workflow.init
    def __init__(self, start: LetterActivationStart) -> None:
        self._init_journey(LetterActivationData(), LetterActivationJourney, start)
        self.email_change_journey: str | None = None

    @workflow.run
    async def run(self, start: LetterActivationStart) -> LetterActivationStep:
        return await self._run_journey()

    @workflow.query
    def current_step(self) -> LetterActivationStep:
        text = {Letter.credentials_to_check.value: [messages.LETTER_PROMPT],
                Letter.details_to_give.value: [messages.NOTE_IDENTIFIER, messages.LETTER_DETAILS_PROMPT],
                Letter.activated.value: [messages.LETTER_ACTIVATED if self.email_change_journey
                                         else messages.LETTER_ACTIVATED_NO_EMAIL],
                Letter.abandoned.value: [messages.RECOVERY_ABANDONED]}[self.data.state]
        return LetterActivationStep(
            **self._step_basics(), messages=text,
            identifier=self.data.identifier if self.data.state != Letter.credentials_to_check.value else None,
            email_required=self.data.kind == "guardian" if self.data.kind else None,
            email_change_journey=self.email_change_journey,
            password_policy=PasswordPolicyView.current() if self.data.state == Letter.details_to_give.value else None,
        )

    @journey_update()
    async def submit_credentials(self, credentials: LetterCredentialsInput) -> LetterActivationOutcome:
        now = self._touch()
        check: CredentialCheck = await self._activity(
            ActivityName.VERIFY_PROVISIONAL, CredentialCheck,
            VerifySignInRequest(identifier=credentials.identifier, password=credentials.provisional_password,
                                now=now, max_failures=self.start.sign_in_policy.max_failures,
                                lockout=self.start.sign_in_policy.lockout, attempt_key=self._update_key()),
            summary="check the letter's provisional password",
        )
        if not check.valid:  # the same answers as any failed sign-in
            self._fire("credentials_rejected")
            if check.locked_until is not None:
                return self._outcome("locked", sign_in_locked(check.locked_until, self.start.sign_in_policy.time_zone),
                                     retry_at=check.locked_until)
            return self._outcome("invalid", messages.SIGN_IN_INVALID)
        self.data.account_ref, self.data.kind, self.data.identifier = check.account_ref, check.kind, check.identifier
        self._fire("credentials_accepted")
        return self._outcome("accepted", messages.LETTER_DETAILS_PROMPT)

    @journey_update(check=lambda self, details: self._check_details(details))
    async def submit_details(self, details: LetterDetailsInput) -> LetterActivationOutcome:
        now = self._touch()
        await self._activity(
            ActivityName.ACTIVATE_BY_LETTER, bool,
            ActivateByLetterRequest(**self._run_ref(), account_ref=self.data.account_ref,
                                    password=details.password, now=now),
            summary="activate: the new password replaces the provisional one",
        )
        if details.email:
            await self._confirm_email(details.email)
        self._fire("details_given")
        return self._outcome("accepted", self.current_step().messages[0])

    def _check_details(self, details: LetterDetailsInput) -> None:
        if self.data.kind == "guardian" and details.email is None:
            raise rejection("email_required", messages.LETTER_EMAIL_REQUIRED,
                            [FieldError(field="email", message=messages.LETTER_EMAIL_REQUIRED)])
        check_new_password(details.password, details.confirmation)

    async def _confirm_email(self, email: str) -> None:
        """The address goes through the account's email-change journey (R-CON-3 … R-CON-5)."""
        journey_id = f"{EMAIL_CHANGE_ID_PREFIX}{self.data.account_ref}"
        try:
            await workflow.start_child_workflow(
                EmailChangeWorkflow.run,
                EmailChangeStart(account_ref=self.data.account_ref, policy=self.start.contact_policy,
                                 initial_email=email),
                id=journey_id, parent_close_policy=ParentClosePolicy.ABANDON,
            )
        except WorkflowAlreadyStartedError:
            workflow.logger.info("an email change is already under way for this account")
        self.email_change_journey = journey_id

    def _outcome(self, status: str, message: str, *, retry_at=None) -> LetterActivationOutcome:
        return LetterActivationOutcome(status=status, message=message, retry_at=retry_at, step=self.current_step())
