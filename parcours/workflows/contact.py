"""Email change from « Mon compte » (R-CON-2 … R-CON-9): one live journey per account; every
request is an update to it, so a newer request replaces the pending one with no race."""

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
    from parcours.states.code_step import resend_refusal, resends_left
    from parcours.states.contact import EmailChangeJourney
    from parcours.workflows.common import JourneyWorkflow, rejection


@workflow.defn(name=EMAIL_CHANGE_WORKFLOW, failure_exception_types=[Exception])
class EmailChangeWorkflow(JourneyWorkflow):
    kind = "email_change"

    @workflow.init
    def __init__(self, start: EmailChangeStart) -> None:
        data = EmailChangeData(account_ref=start.account_ref, policy=start.policy)
        self._init_journey(data, EmailChangeJourney(data))

    @workflow.run
    async def run(self, start: EmailChangeStart) -> EmailChangeStep:
        await self._run_journey()
        return self.current_step()

    def next_deadline(self, now: datetime) -> datetime | None:
        if self.data.state == "link_sent":
            return self.data.link_expires_at
        return self.data.last_activity_at + self.data.policy.idle_lifetime

    def fire_due_events(self, now: datetime) -> None:
        if now < self.next_deadline(now):
            return
        if self.data.state == "link_sent":
            self._fire("link_expiry_reached")
        else:
            self._fire("idle_timeout")

    async def do_pending_work(self) -> None:
        if self.data.state == "link_sent" and workflow.now() >= self.data.link_expires_at:
            await self._activity(ActivityName.DROP_PENDING_EMAIL, bool,
                                 DropPendingRequest(account_ref=self.data.account_ref, new_email=self.data.new_email),
                                 summary="drop the expired pending address")

    def expected_updates(self) -> list[str]:
        return {"change_to_request": ["request_change"],
                "link_sent": ["request_change", "resend_link", "open_link", "confirm"]}.get(self.data.state, [])

    def operator_details(self) -> str:
        if self.data.state == "link_sent":
            return f"**link_sent** — waiting for the confirmation, link expires {self.data.link_expires_at:%Y-%m-%d %H:%M} UTC"
        return f"**{self.data.state}**"

    @workflow.query
    def current_step(self) -> EmailChangeStep:
        hours = int(self.data.policy.link_validity.total_seconds() // 3600)
        text = {
            "change_to_request": [messages.EMAIL_CHANGE_PROMPT],
            "link_sent": [messages.EMAIL_PENDING, messages.EMAIL_LINK_SENT.format(address=self.data.new_email, hours=hours),
                          messages.RESEND_MAIL_LINK],
            "confirmed": [messages.EMAIL_CONFIRMED],
            "expired": [messages.EMAIL_LINK_EXPIRED],
            "abandoned": [messages.RECOVERY_ABANDONED],
        }[self.data.state]
        waiting = self.data.state == "link_sent"
        return EmailChangeStep(
            journey_id=self._id, state=self.data.state, finished=self.machine.is_terminated,
            expected_input=self.expected_updates(), messages=text,
            deadlines=Deadlines(link_expires_at=self.data.link_expires_at if waiting else None),
            new_email=self.data.new_email, identifier=self.data.identifier, old_email=self.data.old_email,
            resends_left=resends_left(self.data) if waiting else None,
        )

    @workflow.update
    async def request_change(self, change: EmailChangeInput) -> EmailChangeOutcome:
        async with self.lock:
            self._require("request_change")
            now = self._touch()
            issued = await self._send_link(change.new_email, now)
            if issued.status == "same_as_current":
                raise rejection("same_as_current", messages.EMAIL_SAME_AS_CURRENT,
                                [FieldError(field="new_email", message=messages.EMAIL_SAME_AS_CURRENT)])
            self.data.codes_sent = 0  # a new request starts a new count of links
            self._record_link(issued, change.new_email, now)
            self._fire("change_requested")
            return self._outcome("accepted", messages.EMAIL_PENDING)

    @request_change.validator
    def _validate_change(self, change: EmailChangeInput) -> None:
        self._require("request_change")

    @workflow.update
    async def resend_link(self, request: ResendInput) -> EmailChangeOutcome:
        """« Renvoyer le mail » (R-CON-4): a new link, within the cooldown and the cap."""
        async with self.lock:
            self._require("resend_link")
            now = self._touch()
            refusal = resend_refusal(self.data, now)
            if refusal is not None:
                reason, retry_at = refusal
                message = messages.RESEND_CAP_REACHED if reason == "cap" else messages.RESEND_TOO_SOON.format(
                    time=f"{retry_at:%H:%M:%S} UTC")
                return self._outcome("resend_refused", message, retry_at=retry_at)
            issued = await self._send_link(self.data.new_email, now)
            self._fire("link_resent", now=now)
            self._record_link(issued, self.data.new_email, now)
            return self._outcome("accepted", messages.EMAIL_PENDING)

    @resend_link.validator
    def _validate_resend(self, request: ResendInput) -> None:
        self._require("resend_link")

    @workflow.update
    async def open_link(self, link: EmailLinkInput) -> EmailChangeOutcome:
        """R-CON-5: shows identifier, old and new address; changes nothing."""
        async with self.lock:
            self._require("open_link")
            self._touch()
            check = await self._check(ActivityName.CHECK_EMAIL_LINK, link.token, "check the link (changes nothing)")
            if check.status is not LinkStatus.VALID:
                return self._outcome("link_invalid", messages.LINK_INVALID)
            self.data.identifier, self.data.old_email = check.identifier, check.old_email
            self._fire("link_opened")
            return self._outcome("accepted", messages.EMAIL_CONFIRM_PROMPT)

    @open_link.validator
    def _validate_open(self, link: EmailLinkInput) -> None:
        self._require("open_link")

    @workflow.update
    async def confirm(self, confirmation: EmailConfirmInput) -> EmailChangeOutcome:
        """R-CON-5: signed in with this account, the new address becomes the confirmed one."""
        async with self.lock:
            self._require("confirm")
            self._check_signed_in(confirmation)
            self._touch()
            check = await self._check(ActivityName.CONFIRM_EMAIL_CHANGE, confirmation.token, "confirm the new address")
            if check.status is not LinkStatus.VALID:
                return self._outcome("link_invalid", messages.LINK_INVALID)
            self._fire("address_confirmed")
            return self._outcome("accepted", messages.EMAIL_CONFIRMED)

    @confirm.validator
    def _validate_confirm(self, confirmation: EmailConfirmInput) -> None:
        self._require("confirm")
        self._check_signed_in(confirmation)

    def _check_signed_in(self, confirmation: EmailConfirmInput) -> None:
        if confirmation.signed_in_account_ref != self.data.account_ref:
            raise rejection("wrong_account", messages.WRONG_ACCOUNT,
                            [FieldError(field="signed_in_account_ref", message=messages.WRONG_ACCOUNT)])

    async def _send_link(self, new_email: str, now: datetime) -> EmailChangeIssued:
        return await self._activity(
            ActivityName.REQUEST_EMAIL_CHANGE, EmailChangeIssued,
            EmailChangeRequest(journey_id=self._id, sequence=self.data.requests_and_resends + 1,
                               account_ref=self.data.account_ref, new_email=new_email, issued_at=now,
                               expires_at=now + self.data.policy.link_validity,
                               public_base_url=self.data.policy.public_base_url),
            summary="send the confirmation link (and the notice to the old address)",
        )

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
            EmailLinkRequest(journey_id=self._id, link_id=self.data.link_id, token=token,
                             account_ref=self.data.account_ref, now=workflow.now()),
            summary=summary,
        )

    def _outcome(self, status: str, message: str, *, retry_at=None) -> EmailChangeOutcome:
        return EmailChangeOutcome(status=status, message=message, retry_at=retry_at, step=self.current_step())
