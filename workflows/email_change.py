"""Email change from « Mon compte » (R-CON-2 … R-CON-6, R-CON-8): one live journey per account;
every request is an update to it, so a newer request replaces the pending one with no race."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import (
        ActivityName,
        DropPendingRequest,
        EmailChangeIssued,
        EmailChangeRequest,
        EmailLinkCheck,
        EmailLinkRequest,
        LinkStatus,
        email_link_key,
    )
    from parcours.contracts.common import Deadlines, FieldError, ResendInput
    from parcours.contracts.contact import (
        EMAIL_CHANGE_WORKFLOW,
        EmailChangeData,
        EmailChangeInput,
        EmailChangeOutcome,
        EmailChangeStart,
        EmailChangeStep,
        EmailConfirmInput,
        EmailLinkInput,
    )
    from parcours.refusals import resend_too_soon
    from parcours.states.code_step import (
        resend_available_at,
        resend_refusal,
        resends_left,
    )
    from parcours.states.contact import EmailChangeJourney
    from parcours.states.journey import utc_text
    from parcours.workflows.common import ActivityFailed, JourneyWorkflow, journey_workflow, rejection
    from parcours.workflows.updates import journey_update


# The chart's states, e.g. `Email.link_sent.value`, rather than their names spelt again.
Email = EmailChangeJourney


@journey_workflow(EMAIL_CHANGE_WORKFLOW, kind="email_change")
class EmailChangeWorkflow(JourneyWorkflow):
    """One per account; each request, resend and confirmation is an update to it."""

    @workflow.init
    def __init__(self, start: EmailChangeStart) -> None:
        self._init_journey(EmailChangeData(account_ref=start.account_ref, policy=start.policy), EmailChangeJourney)
        self.sending_link = False

    @workflow.run
    async def run(self, start: EmailChangeStart) -> EmailChangeStep:
        if start.initial_email:
            async with self.lock:
                self.data.last_activity_at = workflow.now()
                await self._request(start.initial_email)
        await self._run_journey()
        if self.data.state == Email.abandoned.value and self.data.new_email:  # R-CON-8: a link that never went out
            await self._activity(ActivityName.DROP_PENDING_EMAIL, bool,
                                 DropPendingRequest(account_ref=self.data.account_ref, new_email=self.data.new_email),
                                 summary="drop the pending address")
        return self.current_step()

    def next_deadline(self, now: datetime) -> datetime | None:
        if self.data.state == Email.link_sent.value:
            return self.data.link_expires_at
        return self.data.last_activity_at + self.data.policy.idle_lifetime

    def fire_due_events(self, now: datetime) -> None:
        deadline = self.next_deadline(now)
        if deadline is None or now < deadline:
            return
        if self.data.state == Email.link_sent.value:
            self._fire("link_expiry_reached")
        else:
            self._fire("idle_timeout")

    async def do_pending_work(self) -> None:
        if self.data.state == Email.link_sent.value and workflow.now() >= self.data.link_expires_at:
            await self._activity(ActivityName.DROP_PENDING_EMAIL, bool,
                                 DropPendingRequest(account_ref=self.data.account_ref, new_email=self.data.new_email),
                                 summary="drop the expired pending address")

    def operator_details(self) -> str:
        # (a resend is fired before it is recorded)
        if self.data.state == Email.link_sent.value and self.data.link_expires_at:
            return (f"**link_sent** — waiting for the confirmation, link expires "
                    f"{utc_text(self.data.link_expires_at, seconds=False)} UTC")
        return f"**{self.data.state}**"

    @workflow.query
    def current_step(self) -> EmailChangeStep:
        hours = int(self.data.policy.link_validity.total_seconds() // 3600)
        text = {
            Email.change_to_request.value: [messages.EMAIL_CHANGE_PROMPT],
            Email.link_sent.value: [messages.EMAIL_PENDING,
                                    messages.EMAIL_LINK_SENT.format(address=self.data.new_email, hours=hours),
                          messages.RESEND_MAIL_LINK],
            Email.link_not_sent.value: [messages.LINK_NOT_SENT],
            Email.confirmed.value: [messages.EMAIL_CONFIRMED],
            Email.expired.value: [messages.EMAIL_LINK_EXPIRED],
            Email.abandoned.value: [messages.RECOVERY_ABANDONED],
        }[self.data.state]
        waiting = self.data.state == Email.link_sent.value
        # « Renvoyer le mail » waits out the cooldown: a screen counts down to it (a query: replay-safe).
        available_at = resend_available_at(self.data) if waiting else None
        return EmailChangeStep(
            **self._step_basics(), messages=text,
            deadlines=Deadlines(link_expires_at=self.data.link_expires_at if waiting else None,
                                resend_available_at=available_at if available_at and available_at > workflow.now()
                                else None),
            new_email=self.data.new_email, identifier=self.data.identifier, old_email=self.data.old_email,
            resends_left=resends_left(self.data) if waiting or self.data.state == Email.link_not_sent.value else None,
        )

    @journey_update()
    async def request_change(self, change: EmailChangeInput) -> EmailChangeOutcome:
        self._touch()
        return await self._request(change.new_email)

    async def _request(self, new_email: str) -> EmailChangeOutcome:
        now = workflow.now()
        if resends_left(self.data) == 0:  # new requests count against the cap too: no mail bombing
            return self._outcome("resend_refused", messages.RESEND_CAP_REACHED)
        issued = await self._send_link(new_email, now)
        if issued is None:
            self.data.new_email = new_email  # pending on the account: what a resend sends to
            return self._link_not_sent()
        if issued.status == "same_as_current":
            raise rejection("same_as_current", messages.EMAIL_SAME_AS_CURRENT,
                            [FieldError(field="new_email", message=messages.EMAIL_SAME_AS_CURRENT)])
        self._record_link(issued, new_email, now)
        self._fire("change_requested")
        return self._outcome("accepted", messages.EMAIL_PENDING)

    @journey_update()
    async def resend_link(self, request: ResendInput) -> EmailChangeOutcome:
        """« Renvoyer le mail » (R-CON-4): a new link, within the cooldown and the cap."""
        now = self._touch()
        refusal = resend_refusal(self.data, now)
        if refusal is not None:
            reason, retry_at = refusal
            message = messages.RESEND_CAP_REACHED if reason == "cap" else resend_too_soon(
                retry_at, self.data.policy.time_zone)
            return self._outcome("resend_refused", message, retry_at=retry_at)
        issued = await self._send_link(self.data.new_email, now)
        if issued is None:
            return self._link_not_sent()
        self._fire("link_resent", now=now)
        self._record_link(issued, self.data.new_email, now)
        return self._outcome("accepted", messages.EMAIL_PENDING)

    def _sending_the_link(self) -> bool:
        """The link may be in its reader's hands already: it leaves inside the request's activity
        (the notice to the old address after it), whose result the journey has not had yet."""
        return self.sending_link

    @journey_update(waits_while=_sending_the_link)
    async def open_link(self, link: EmailLinkInput) -> EmailChangeOutcome:
        """R-CON-5: shows identifier, old and new address; changes nothing."""
        self._touch()
        check = await self._check(ActivityName.CHECK_EMAIL_LINK, link.token, "check the link (changes nothing)")
        if check.status is not LinkStatus.VALID:
            return self._outcome("link_invalid", messages.LINK_INVALID)
        self.data.identifier, self.data.old_email = check.identifier, check.old_email
        self._fire("link_opened")
        return self._outcome("accepted", messages.EMAIL_CONFIRM_PROMPT)

    @journey_update(check=lambda self, confirmation: self._check_signed_in(confirmation))
    async def confirm(self, confirmation: EmailConfirmInput) -> EmailChangeOutcome:
        """R-CON-5: signed in with this account, the new address becomes the confirmed one."""
        self._touch()
        check = await self._check(ActivityName.CONFIRM_EMAIL_CHANGE, confirmation.token, "confirm the new address")
        if check.status is not LinkStatus.VALID:
            return self._outcome("link_invalid", messages.LINK_INVALID)
        self._fire("address_confirmed")
        return self._outcome("accepted", messages.EMAIL_CONFIRMED)

    def _check_signed_in(self, confirmation: EmailConfirmInput) -> None:
        if confirmation.signed_in_account_ref != self.data.account_ref:
            raise rejection("wrong_account", messages.WRONG_ACCOUNT,
                            [FieldError(field="signed_in_account_ref", message=messages.WRONG_ACCOUNT)])

    async def _send_link(self, new_email: str, now: datetime) -> EmailChangeIssued | None:
        """R-CON-3; None past the send budget: the mail is marked abandoned in the ledger and the
        failure counted, so that the next send is a new link under a new key (which voids the
        abandoned one)."""
        sequence = self.data.requests_and_resends + self.data.code_send_failures + 1
        self.sending_link = True
        try:
            return await self._activity(
                ActivityName.REQUEST_EMAIL_CHANGE, EmailChangeIssued,
                EmailChangeRequest(**self._run_ref(), sequence=sequence,
                                   account_ref=self.data.account_ref, new_email=new_email, issued_at=now,
                                   expires_at=now + self.data.policy.link_validity,
                                   public_base_url=self.data.policy.public_base_url),
                summary="send the confirmation link (and the notice to the old address)",
                budget=self.data.policy.send_budget,
            )
        except ActivityFailed:
            await self._abandon_send(email_link_key(self._key_scope, sequence), f"link #{sequence}")
            return None
        finally:
            self.sending_link = False

    def _link_not_sent(self) -> EmailChangeOutcome:
        """« Renvoyer le mail » allowed at once: a failed send starts no cooldown and counts against
        no cap (only links that went out do, see `_record_link`)."""
        self._fire("link_send_failed")
        return self._outcome("send_failed", messages.LINK_NOT_SENT)

    def _record_link(self, issued: EmailChangeIssued, new_email: str, now: datetime) -> None:
        self.data.requests_and_resends += 1
        self.data.codes_sent += 1
        self.data.code_sent_at = now
        self.data.new_email, self.data.link_id = new_email, issued.link_id
        self.data.link_expires_at = now + self.data.policy.link_validity
        self.data.identifier = self.data.old_email = None

    async def _check(self, name: ActivityName, token: str, summary: str) -> EmailLinkCheck:
        return await self._activity(
            name, EmailLinkCheck,
            EmailLinkRequest(**self._run_ref(), link_id=self.data.link_id, token=token,
                             account_ref=self.data.account_ref, now=workflow.now()),
            summary=summary,
        )

    def _outcome(self, status: str, message: str, *, retry_at=None) -> EmailChangeOutcome:
        return EmailChangeOutcome(status=status, message=message, retry_at=retry_at, step=self.current_step())
