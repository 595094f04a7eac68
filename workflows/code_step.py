"""The code step of a journey (R-ACT-3 … R-ACT-6, R-REC-4): send, check, resend. A journey
workflow mixes this in; its machine has the states code_sent / code_expired / code_void and the
events code_accepted / code_rejected / code_voided / code_expiry_reached / code_resent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import (
        JOURNEY_DISPLACED,
        ActivityName,
        CheckCodeRequest,
        CodeCheck,
        CodeCheckStatus,
        CodeIssued,
        SendCodeRequest,
        code_message_key,
    )
    from parcours.contracts.common import CodeInput, JourneyOutcome, OutcomeStatus, ResendInput
    from parcours.refusals import account_tries_exhausted, invalid_input, resend_too_soon
    from parcours.states.code_step import resend_refusal
    from parcours.workflows.common import ActivityFailed, JourneyWorkflow, rejection
    from parcours.workflows.updates import journey_update


class CodeStep(JourneyWorkflow):
    """Needs, from the journey workflow: `data` (a CodeChallenge with `policy`, `channel`,
    `account_ref`), `code_purpose`, `_activity`, `_fire`, `_touch`, `_id`, `_outcome`,
    and `code_accepted_message()`."""

    code_purpose: str
    superseded = False  # set by the journey's `supersede` signal, or when its code finds it displaced
    # The journey's own (annotations only: the workflow's definitions come first in its MRO).
    _outcome: Callable[..., Any]
    code_accepted_message: Callable[[], str]

    # The code step's updates, the same in every journey that has one; each answers with its
    # journey's own outcome (see updates_of). A journey that does more overrides one (mobile change).
    @journey_update(input_rule=lambda self, submission: self.check_code_length(submission))
    async def submit_code(self, submission: CodeInput) -> JourneyOutcome:
        """The code received by SMS or mail."""
        return await self._check_code(submission)

    @journey_update()
    async def resend_code(self, request: ResendInput) -> JourneyOutcome:
        """« Renvoyer le code », « Je n'ai pas reçu le code »."""
        return await self._resend()

    @property
    def code_decoy_when_limited(self) -> bool:
        """True where a refusal would reveal an account (R-REC-7)."""
        return False

    def check_code_length(self, submission: CodeInput) -> None:
        """submit_code's input rule: a code that cannot be the one sent is a typing error, not a try
        (its pattern allows every length a deployment may choose; the journey knows its own)."""
        digits = self.data.policy.code_digits
        if digits is not None and len(submission.code) != digits:
            raise invalid_input("code", messages.CODE_LENGTH.format(digits=digits))

    def _require_code_state(self, update: str) -> None:
        if update == "submit_code" and self.data.state == "code_expired":
            raise rejection("code_expired", messages.CODE_EXPIRED)
        if update == "submit_code" and self.data.state == "code_void":
            raise rejection("code_void", messages.CODE_VOID)
        if update == "submit_code" and self.data.state == "code_not_sent":
            raise rejection("code_not_sent", messages.CODE_NOT_SENT)

    async def _check_code(self, submission: CodeInput):
        now = self._touch()
        if now >= self.data.code_expires_at:  # the expiry timer may not have fired yet
            self._fire("code_expiry_reached")
            return self._outcome(OutcomeStatus.CODE_EXPIRED, messages.CODE_EXPIRED)
        self.data.code_submissions += 1
        scope = self._key_scope
        check: CodeCheck = await self._activity(
            ActivityName.CHECK_CODE, CodeCheck,
            CheckCodeRequest(code_id=self.data.code_id,
                             attempt_key=f"{scope}/code-submission/{self.data.code_submissions}",
                             issued_in=scope, attempt=submission.code, now=now),
            summary="check the code",
        )
        self.data.wrong_code_tries = self.data.policy.code_max_wrong_tries - check.tries_left
        if check.status is CodeCheckStatus.ACCEPTED:
            self._fire("code_accepted")
            return self._outcome(OutcomeStatus.ACCEPTED, self.code_accepted_message())
        if check.status is CodeCheckStatus.INCORRECT:  # R-ACT-4
            self._fire("code_rejected")
            return self._outcome(OutcomeStatus.CODE_INCORRECT, messages.CODE_INCORRECT, tries_left=check.tries_left)
        if check.status is CodeCheckStatus.TOO_MANY_TRIES:  # the account's tries of the hour, across journeys
            assert check.retry_at is not None, "the account's tries come back with the time they do"
            raise account_tries_exhausted(check.retry_at, self.data.policy.time_zone)
        if check.status is CodeCheckStatus.EXPIRED:  # R-ACT-5
            self._fire("code_expiry_reached")
            return self._outcome(OutcomeStatus.CODE_EXPIRED, messages.CODE_EXPIRED)
        self.data.wrong_code_tries = self.data.policy.code_max_wrong_tries
        self._fire("code_voided")
        return self._outcome(OutcomeStatus.CODE_VOID, messages.CODE_VOID, tries_left=0)

    async def _resend(self):
        now = self._touch()
        refusal = resend_refusal(self.data, now)  # R-ACT-6
        if refusal is not None:
            reason, retry_at = refusal
            if reason == "cap":
                return self._outcome(OutcomeStatus.RESEND_REFUSED, messages.RESEND_CAP_REACHED)
            return self._outcome(OutcomeStatus.RESEND_REFUSED,
                                 resend_too_soon(retry_at, self.data.policy.time_zone), retry_at=retry_at)
        sent = await self._send_code(now)
        if sent is None:
            return self._code_not_sent()
        self._fire("code_resent", now=now)  # guards see the previous code's data
        self._record_code(sent, now)
        if sent.displaced_journey_id:  # a resend that took the account over, or told again
            await self._end_older_journey(sent.displaced_journey_id)
        return self._outcome(OutcomeStatus.ACCEPTED, messages.CODE_SENT)

    async def _send_code(self, now: datetime, *, decoy: bool = False, background: bool = False) -> CodeIssued | None:
        """R-ACT-3: a new code (voiding the previous one); None when it could not be sent within the
        send budget, its message then marked abandoned in the ledger and the failure counted, so
        that the next send is a new code under a new key (the abandoned one is voided by it; its
        expiry would have run from the failed attempt). A destination over
        its limits refuses the action (see `code_decoy_when_limited`). `decoy`: a code nobody is
        sent, where a stranger must not learn that no account matched (R-REC-7). `background`: after
        the answer (see JourneyWorkflow._activity)."""
        sequence = self.data.codes_sent + self.data.code_send_failures + 1
        try:
            return await self._activity(
                ActivityName.SEND_CODE, CodeIssued,
                SendCodeRequest(**self._run_ref(), sequence=sequence, purpose=self.code_purpose,
                                account_ref=None if decoy else self.data.account_ref, channel=self.data.channel,
                                issued_at=now,
                                expires_at=now + self.data.policy.code_validity,
                                max_wrong_tries=self.data.policy.code_max_wrong_tries,
                                decoy_when_limited=self.code_decoy_when_limited),
                summary=f"send code #{sequence} by {self.data.channel.value}",
                budget=self.data.policy.send_budget, background=background,
            )
        except ActivityFailed as failure:
            await self._abandon_send(code_message_key(self._key_scope, sequence), f"code #{sequence}")
            if failure.type == JOURNEY_DISPLACED:  # a newer journey owns the account: this one ends
                self.superseded = self.woken = True
            return None

    async def _end_older_journey(self, journey_id: str) -> None:
        """The journey this one's code took the account over from (activities/claims.py) ends."""
        try:
            await workflow.get_external_workflow_handle(journey_id).signal("supersede")
        except Exception:  # it already ended: nothing to do
            workflow.logger.info("older journey already closed")

    def _code_not_sent(self):
        """The code step stays, « Renvoyer le code » allowed: a failed send starts no cooldown and
        counts against no cap (only codes that went out do, see `_record_code`)."""
        self._fire("code_send_failed")
        return self._outcome(OutcomeStatus.SEND_FAILED, messages.CODE_NOT_SENT)

    def _record_code(self, issued: CodeIssued, now: datetime) -> None:
        self.data.code_id = issued.code_id
        self.data.codes_sent += 1
        self.data.code_sent_at = now
        self.data.code_expires_at = now + self.data.policy.code_validity
        self.data.wrong_code_tries = 0
