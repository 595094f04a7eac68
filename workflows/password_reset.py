"""Lost password (R-REC-3 by mail: a single-use link; R-REC-4 by SMS: a code), answered alike
whether or not an account matches (R-REC-7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import (
        ActivityName,
        CheckLinkRequest,
        CodePurpose,
        LinkCheck,
        LinkReset,
        LinkStatus,
        PasswordNoticeRequest,
        PreparedReset,
        PrepareResetRequest,
        ResetAfterCodeRequest,
        ResetWithLinkRequest,
    )
    from parcours.contracts.common import Channel, Deadlines, FieldError, PasswordPolicyView
    from parcours.contracts.recovery import (
        PASSWORD_RESET_WORKFLOW,
        LinkInput,
        LinkPasswordInput,
        RecoveryOutcome,
        RecoveryStart,
        RecoveryStep,
        ResetRequestInput,
    )
    from parcours.states.code_step import (
        CODE_STEP_STATES,
        code_step_deadline,
        code_tries_left,
        resend_available_at,
        resends_left,
    )
    from parcours.states.recovery import PasswordResetJourney
    from parcours.workflows.code_step import CodeStep
    from parcours.workflows.common import USER_BUDGET, check_new_password, journey_workflow, rejection
    from parcours.workflows.recovery_common import RecoveryWorkflow
    from parcours.workflows.updates import journey_update


# The chart's states, e.g. `Reset.code_sent.value`, rather than their names spelt again.
Reset = PasswordResetJourney
BY_LINK_STATES = (Reset.link_sent.value, Reset.password_to_choose.value)  # where a mail's link works


@journey_workflow(PASSWORD_RESET_WORKFLOW, kind="password_reset")
class PasswordResetWorkflow(CodeStep, RecoveryWorkflow):
    code_purpose = CodePurpose.PASSWORD_RESET_CODE
    code_decoy_when_limited = True  # R-REC-7: the same answer whether or not a code went out

    def expected_updates(self) -> list[str]:
        updates = super().expected_updates()
        if self.data.channel is Channel.SMS:  # no link on this path
            updates = [update for update in updates if update != "open_link"]
        return updates

    def _require(self, update: str) -> None:
        self._require_code_state(update)
        super()._require(update)

    def code_accepted_message(self) -> str:
        return messages.NEW_PASSWORD_PROMPT

    @workflow.init
    def __init__(self, start: RecoveryStart) -> None:
        self._start_recovery(start, PasswordResetJourney)
        self.superseded = False

    @workflow.run
    async def run(self, start: RecoveryStart) -> RecoveryStep:
        return await self._run_journey()

    @workflow.query
    def current_step(self) -> RecoveryStep:
        by_link = self.data.channel is Channel.MAIL and self.data.state in BY_LINK_STATES
        in_code_step = self.data.state in CODE_STEP_STATES
        available_at = resend_available_at(self.data) if in_code_step else None
        step = self._step(Deadlines(
            link_expires_at=self.data.link_expires_at if by_link else None,
            code_expires_at=self.data.code_expires_at if self.data.state == Reset.code_sent.value else None,
            resend_available_at=available_at if available_at and available_at > workflow.now() else None,
        ))
        if in_code_step:
            step.code_tries_left = code_tries_left(self.data) if self.data.state == Reset.code_sent.value else None
            step.resends_left = resends_left(self.data)
        if self.data.state == Reset.password_to_choose.value:  # what the screen shows (R-ACT-8's criteria)
            step.password_policy = PasswordPolicyView.current()
        return step

    @workflow.signal
    def supersede(self) -> None:
        """A newer reset request for the same account: this journey's link no longer works."""
        self.superseded = True
        self.woken = True

    def next_deadline(self, now: datetime) -> datetime | None:
        if self.data.channel is Channel.MAIL and self.data.state in BY_LINK_STATES:
            return self.data.link_expires_at
        if self.data.channel is Channel.SMS and self.data.state in CODE_STEP_STATES:
            return code_step_deadline(self.data, now, CODE_STEP_STATES)
        return super().next_deadline(now)

    def fire_due_events(self, now: datetime) -> None:
        allowed = self.allowed_events()
        if self.superseded and "newer_journey_started" in allowed:
            self._fire("newer_journey_started")
        elif ("link_expiry_reached" in allowed and self.data.channel is Channel.MAIL
              and now >= self.data.link_expires_at):
            self._fire("link_expiry_reached")
        elif self.data.state == Reset.code_sent.value and now >= self.data.code_expires_at:
            self._fire("code_expiry_reached")
        else:
            super().fire_due_events(now)

    def step_messages(self) -> list[str]:
        minutes = int(self.data.policy.link_validity.total_seconds() // 60)
        code_minutes = int(self.data.policy.code_validity.total_seconds() // 60)
        if self.data.channel is Channel.SMS and self.data.state in (Reset.request_received.value,
                                                                     Reset.code_sent.value):
            return [messages.RESET_CODE_ANSWER.format(minutes=code_minutes), messages.RESET_CODE_PROMPT,
                    messages.RESEND_SMS, messages.CONTACT_SCHOOL]
        return {
            Reset.code_expired.value: [messages.CODE_EXPIRED, messages.RESEND_SMS],
            Reset.code_void.value: [messages.CODE_VOID, messages.RESEND_SMS],
            Reset.code_not_sent.value: [messages.CODE_NOT_SENT, messages.RESEND_SMS],
            Reset.request_to_receive.value: [messages.RESET_REQUEST_PROMPT],
            Reset.password_to_choose.value: [messages.NEW_PASSWORD_PROMPT],
            Reset.password_reset.value: [messages.PASSWORD_RESET_DONE],
            Reset.link_expired.value: [messages.LINK_EXPIRED],
            Reset.abandoned.value: [messages.RECOVERY_ABANDONED],
            Reset.superseded.value: [messages.RESET_SUPERSEDED],
        }.get(self.data.state, [messages.RESET_LINK_ANSWER.format(minutes=minutes), messages.CONTACT_SCHOOL])

    @journey_update()
    async def request_reset(self, request: ResetRequestInput) -> RecoveryOutcome:
        self._touch()
        self.data.channel = request.channel
        self.data.request = request.model_dump(mode="json")
        self.data.requests += 1
        answer = self.step_messages_for_request()
        if not self.data.policy.reveals_unknown:
            self._fire("request_submitted")  # the lookup and the mail follow (do_pending_work)
            return self._outcome("accepted", answer)
        if not await self._prepare():
            self._fire("request_not_recognised")  # explicit setting: correct and retry
            return self._outcome("not_recognised", messages.NOT_RECOGNISED)
        self._fire("request_submitted")
        await self._issue_first_code()
        return self._outcome("accepted", answer)

    def step_messages_for_request(self) -> str:
        if self.data.channel is Channel.SMS:
            return messages.RESET_CODE_ANSWER.format(minutes=int(self.data.policy.code_validity.total_seconds() // 60))
        return messages.RESET_LINK_ANSWER.format(minutes=int(self.data.policy.link_validity.total_seconds() // 60))

    async def do_pending_work(self) -> None:
        if self.data.state == Reset.request_received.value:
            # answered already: nobody waits, and the same activities run whether or not an account
            # matched (a decoy link or code where none did)
            await self._prepare(budget=self.data.policy.idle_lifetime, background=True)
            await self._issue_first_code(background=True)

    async def _prepare(self, budget: timedelta = USER_BUDGET, background: bool = False) -> bool:
        """Look the account up, send the link if it matches; True when it did (operators only)."""
        request = ResetRequestInput.model_validate(self.data.request)
        now = workflow.now()
        prepared: PreparedReset = await self._activity(
            ActivityName.PREPARE_PASSWORD_RESET, PreparedReset,
            PrepareResetRequest(**self._run_ref(), attempt=self.data.requests, channel=request.channel,
                                identifier=request.identifier, email=request.email, issued_at=now,
                                expires_at=now + self.data.policy.link_validity,
                                public_base_url=self.data.policy.public_base_url),
            summary="look the account up and send the link if it matches", budget=budget, background=background,
        )
        self.data.request = None  # no longer needed: do not carry the address around
        self.data.matched, self.data.account_ref = prepared.matched, prepared.account_ref
        self.data.link_id, self.data.link_expires_at = prepared.link_id, now + self.data.policy.link_validity
        if prepared.superseded_journey_id:  # the link's issuance displaced it (by SMS: the code's, below)
            await self._end_older_journey(prepared.superseded_journey_id)
        return prepared.matched

    async def _issue_first_code(self, background: bool = False) -> None:
        """SMS: the code (a decoy when no account matched, R-REC-7); mail: the link is out already."""
        if self.data.channel is Channel.SMS:
            now = workflow.now()
            sent = await self._send_code(now, background=background)
            if sent is None:  # the user sees the same code step as anyone (a decoy, R-REC-7) and may resend
                workflow.logger.warning("the reset code could not be sent")
                sent = await self._send_code(now, decoy=True, background=background)
            assert sent is not None, "a decoy's send failed too: the task is retried"
            self._record_code(sent, now)
            if sent.displaced_journey_id:  # None in histories recorded before: they had it from _prepare
                await self._end_older_journey(sent.displaced_journey_id)
        self._fire("reset_prepared")

    def _preparing_the_link(self) -> bool:
        """The link may be in its reader's hands already: the mail leaves inside the preparation's
        activity, whose result the journey has not had yet."""
        return self.data.state == Reset.request_received.value and self.data.channel is Channel.MAIL

    @journey_update(waits_while=_preparing_the_link)
    async def open_link(self, link: LinkInput) -> RecoveryOutcome:
        self._touch()
        check: LinkCheck = await self._activity(
            ActivityName.CHECK_RESET_LINK, LinkCheck,
            CheckLinkRequest(link_id=self.data.link_id, token=link.token, now=workflow.now()),
            summary="check the link (does not consume it)",
        )
        if check.status is not LinkStatus.VALID:
            return self._outcome("link_invalid", messages.LINK_INVALID)
        self.data.identifier = check.identifier
        self._fire("link_opened")
        return self._outcome("accepted", messages.NEW_PASSWORD_PROMPT)

    @journey_update(check=lambda self, choice: self._check_choice(choice))
    async def choose_password(self, choice: LinkPasswordInput) -> RecoveryOutcome:
        now = self._touch()
        if self.data.channel is Channel.SMS:  # the code was accepted for this account
            await self._activity(ActivityName.RESET_PASSWORD_AFTER_CODE, bool,
                                 ResetAfterCodeRequest(**self._run_ref(), account_ref=self.data.account_ref,
                                                       password=choice.password, now=now),
                                 summary="set the new password")
            account_ref = self.data.account_ref
        else:
            reset: LinkReset = await self._activity(
                ActivityName.RESET_PASSWORD_WITH_LINK, LinkReset,
                ResetWithLinkRequest(**self._run_ref(), link_id=self.data.link_id, token=choice.token,
                                     password=choice.password, now=now),
                summary="consume the link and set the new password",
            )
            if reset.status is not LinkStatus.VALID:
                return self._outcome("link_invalid", messages.LINK_INVALID)
            account_ref = reset.account_ref
        await self._activity(ActivityName.SEND_PASSWORD_NOTICE, bool,
                             PasswordNoticeRequest(**self._run_ref(), account_ref=account_ref, changed_at=now),
                             summary="tell the account's contact the password changed")
        self._fire("password_set")
        return self._outcome("accepted", messages.PASSWORD_RESET_DONE)

    def _check_choice(self, choice: LinkPasswordInput) -> None:
        if self.data.channel is Channel.MAIL and choice.token is None:
            required = "le jeton du lien est requis / the link's token is required"
            raise rejection("link_invalid", messages.LINK_INVALID, [FieldError(field="token", message=required)])
        check_new_password(choice.password, choice.confirmation)
