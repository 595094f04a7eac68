"""Email change (R-CON-2 … R-CON-9): the pending address, the confirmation link to the new address,
the notice to the old one, the confirmation. The school records are never touched (R-CON-9)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select, update
from temporalio import activity

from parcours import messages
from parcours.activities.accounts import account_by_ref
from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.links import NO_WRONG_TRIES, judge_link, link_url
from parcours.contracts.activities import (
    ActivityName,
    CodePurpose,
    DropPendingRequest,
    EmailChangeIssued,
    EmailChangeRequest,
    EmailLinkCheck,
    EmailLinkRequest,
    LinkStatus,
    MobileChangeRequest,
    MobileConfirmRequest,
    email_link_key,
)
from parcours.db.models import ContactStatus, VerificationCode
from parcours.db.queries import record_event
from parcours.messaging.courier import DestinationLimitReached
from parcours.messaging.providers import OutgoingMessage
from parcours.people.contact_details import mask_email
from parcours.refusals import destination_limited
from parcours.security.crypto import code_digest, derive_link_token, new_reference


class ContactActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.REQUEST_EMAIL_CHANGE)
    async def request_email_change(self, request: EmailChangeRequest) -> EmailChangeIssued:
        """R-CON-3/4/6: the new address becomes the pending one, a new link voids the older ones, the
        link goes to the new address and a notice to the old one. Once per (journey, sequence)."""
        key = email_link_key(request.key_scope, request.sequence)
        async with self.deps.sessions() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.email_status == ContactStatus.CONFIRMED and account.email == request.new_email:
                return EmailChangeIssued(status="same_as_current")
        try:  # before the older links are voided: a refused request changes nothing
            await self.deps.courier.reserve(key, "mail", request.new_email, "email_change_link", request.issued_at)
        except DestinationLimitReached as limit:
            raise destination_limited(limit.retry_at, self.deps.time_zone) from None
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            link = await session.scalar(select(VerificationCode).where(VerificationCode.idempotency_key == key))
            if link is None:
                await session.execute(
                    update(VerificationCode)
                    .where(VerificationCode.account_id == account.id,
                           VerificationCode.purpose == CodePurpose.EMAIL_CHANGE_LINK,
                           VerificationCode.consumed_at.is_(None), VerificationCode.voided_at.is_(None))
                    .values(voided_at=request.issued_at)
                )
                link_id = new_reference()
                session.add(VerificationCode(
                    id=link_id, idempotency_key=key, journey_id=request.journey_id,
                    purpose=CodePurpose.EMAIL_CHANGE_LINK, account_id=account.id, channel="mail",
                    digest=code_digest(self.deps.secret_key, link_id, derive_link_token(self.deps.secret_key, link_id)),
                    issued_at=request.issued_at, expires_at=request.expires_at,
                    max_wrong_tries=NO_WRONG_TRIES, wrong_tries=0,
                ))
            else:
                link_id = link.id
            account.pending_email = request.new_email
            old_address = account.email
            identifier = account.identifier
        hours = int((request.expires_at - request.issued_at).total_seconds() // 3600)
        token = derive_link_token(self.deps.secret_key, link_id)
        confirm_url = link_url(request.public_base_url, "mon-compte/email/confirmer", request.journey_id, token)
        await self.deps.courier.send_once(OutgoingMessage(
            key, "mail", request.new_email,
            messages.EMAIL_CONFIRM_MAIL_BODY.format(identifier=identifier, hours=hours, link=confirm_url),
            subject=messages.EMAIL_CONFIRM_MAIL_SUBJECT), "email_change_link", request.issued_at)
        if old_address and old_address != request.new_email:
            await self.deps.courier.send_once(OutgoingMessage(
                f"{request.key_scope}/email-notice/{request.sequence}", "mail", old_address,
                messages.EMAIL_NOTICE_BODY.format(identifier=identifier, new_masked=mask_email(request.new_email)),
                subject=messages.EMAIL_NOTICE_SUBJECT), "email_change_notice", request.issued_at, limited=False)
        return EmailChangeIssued(status="sent", link_id=link_id, had_address=old_address is not None)

    @activity.defn(name=ActivityName.CHECK_EMAIL_LINK)
    async def check_email_link(self, request: EmailLinkRequest) -> EmailLinkCheck:
        """R-CON-5: following the link shows identifier, old and new address; it changes nothing."""
        async with self.deps.sessions() as session:
            link = await session.get(VerificationCode, request.link_id)
            account = await account_by_ref(session, request.account_ref)
            status = judge_link(self.deps.secret_key, link, CodePurpose.EMAIL_CHANGE_LINK, request.token, request.now,
                                request.key_scope)
            if status is not LinkStatus.VALID:
                return EmailLinkCheck(status=status)
            return EmailLinkCheck(status=status, identifier=account.identifier, old_email=account.email,
                                  new_email=account.pending_email)

    @activity.defn(name=ActivityName.CONFIRM_EMAIL_CHANGE)
    async def confirm_email_change(self, request: EmailLinkRequest) -> EmailLinkCheck:
        """R-CON-5: the pending address becomes the confirmed one; the link is consumed once."""
        async with self.deps.sessions.begin() as session:
            link = await session.get(VerificationCode, request.link_id, with_for_update=True)
            account = await account_by_ref(session, request.account_ref)
            if link is not None and link.consumed_at == request.now:  # a retry after the commit
                return EmailLinkCheck(status=LinkStatus.VALID, identifier=account.identifier, new_email=account.email)
            status = judge_link(self.deps.secret_key, link, CodePurpose.EMAIL_CHANGE_LINK, request.token, request.now,
                                request.key_scope)
            if link is None or status is not LinkStatus.VALID:
                return EmailLinkCheck(status=status)
            link.consumed_at = request.now
            old = account.email
            account.email, account.email_status = account.pending_email, ContactStatus.CONFIRMED
            account.pending_email = None
            record_event(session, f"{request.key_scope}/contact/email/{link.id}", "contact_confirmed", account, None,
                         request.now, channel="email")
            return EmailLinkCheck(status=status, identifier=account.identifier, old_email=old, new_email=account.email)

    @activity.defn(name=ActivityName.DROP_PENDING_EMAIL)
    async def drop_pending_email(self, request: DropPendingRequest) -> bool:
        """R-CON-8: an expired request leaves the previous confirmed address in place."""
        await self._drop_pending(request.account_ref, "pending_email", request.new_email)
        return True

    @activity.defn(name=ActivityName.REQUEST_MOBILE_CHANGE)
    async def request_mobile_change(self, request: MobileChangeRequest) -> str:
        """R-CON-7: the new number becomes the pending one (the journey then sends it a code):
        "pending", "same_as_current" or "not_a_guardian"."""
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.kind != "guardian":
                return "not_a_guardian"
            if account.mobile_status == ContactStatus.CONFIRMED and account.mobile == request.new_mobile:
                return "same_as_current"
            account.pending_mobile = request.new_mobile
            return "pending"

    @activity.defn(name=ActivityName.CONFIRM_MOBILE_CHANGE)
    async def confirm_mobile_change(self, request: MobileConfirmRequest) -> bool:
        """The code sent to the pending number was right: it becomes the confirmed mobile."""
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.pending_mobile == request.new_mobile:
                account.mobile, account.mobile_status, account.pending_mobile = (
                    request.new_mobile, ContactStatus.CONFIRMED, None)
                record_event(session, f"{request.key_scope}/contact/mobile", "contact_confirmed", account, None,
                             request.now, channel="mobile")
        return True

    @activity.defn(name=ActivityName.DROP_PENDING_MOBILE)
    async def drop_pending_mobile(self, request: MobileChangeRequest) -> bool:
        """R-CON-8: an abandoned change leaves the previous confirmed number in place."""
        await self._drop_pending(request.account_ref, "pending_mobile", request.new_mobile)
        return True

    async def _drop_pending(self, account_ref: str, field: Literal["pending_email", "pending_mobile"],
                            value: str) -> None:
        """Forget the account's pending address or number, if it is still this one (a newer
        request's stays)."""
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, account_ref)
            if getattr(account, field) == value:
                setattr(account, field, None)
