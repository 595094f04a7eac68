"""Recovery: identifier reminders and password-reset links. A request leaves the same trace whether
or not an account matches (a decoy link when none does), and the journeys answer the user before
this work runs, so nothing tells a stranger whether an address or identifier belongs to an account
(R-REC-7)."""

from __future__ import annotations

import asyncio

from sqlalchemy import ColumnElement, select, update
from temporalio import activity

from parcours import messages
from parcours.activities.accounts import account_by_ref, known_destination
from parcours.activities.claims import PASSWORD_RESET_CLAIM, JourneyDisplaced, take_claim
from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.links import NO_WRONG_TRIES, judge_link, link_url
from parcours.activities.password_screening import screen_new_password
from parcours.contracts.activities import (
    ActivityName,
    CheckLinkRequest,
    CodePurpose,
    IdentifierReminderRequest,
    LinkCheck,
    LinkReset,
    LinkStatus,
    PreparedReset,
    PrepareResetRequest,
    ResetAfterCodeRequest,
    ResetWithLinkRequest,
)
from parcours.contracts.common import Channel
from parcours.db.models import Account, AccountStatus, ContactStatus, VerificationCode
from parcours.db.queries import changed_rows, must_get
from parcours.messaging.providers import OutgoingMessage
from parcours.security.crypto import code_digest, derive_link_token, hash_password, new_reference


def set_new_password(account: Account, new_hash: str, now) -> None:
    account.password_hash = new_hash
    account.password_changed_at = now
    account.failed_sign_ins, account.sign_in_locked_until = 0, None  # a reset also lifts a lock
    account.session_generation += 1  # and ends the sessions given before


def reset_eligible(account: Account, request: PrepareResetRequest) -> bool:
    """An active account with the request's channel confirmed (and, by mail, the address given)."""
    if request.channel is Channel.MAIL:
        confirmed = account.email_status == ContactStatus.CONFIRMED and account.email == request.email
    else:
        confirmed = account.mobile_status == ContactStatus.CONFIRMED
    return confirmed and account.status == AccountStatus.ACTIVE


class RecoveryActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.SEND_IDENTIFIER_REMINDER)
    async def send_identifier_reminder(self, request: IdentifierReminderRequest) -> bool:
        """R-REC-1 by mail (confirmed email, guardians and students), R-REC-2 by SMS (guardians with
        a confirmed mobile). Nothing is sent without a confirmed contact (R-REC-5)."""
        condition: tuple[ColumnElement[bool], ...]
        if request.channel is Channel.MAIL:
            condition = (Account.email == request.destination, Account.email_status == ContactStatus.CONFIRMED)
        else:
            condition = (Account.mobile == request.destination, Account.mobile_status == ContactStatus.CONFIRMED,
                         Account.kind == "guardian")
        async with self.deps.sessions() as session:
            accounts = (await session.scalars(
                select(Account).where(Account.status == AccountStatus.ACTIVE, *condition).order_by(Account.identifier)
            )).all()
        if not accounts:
            return False
        lines = "\n".join(
            messages.FRANCECONNECT_LINE.format(identifier=a.identifier) if a.franceconnect_subject else a.identifier
            for a in accounts
        )
        key = f"{request.key_scope}/identifier"
        if request.channel is Channel.MAIL:
            message = OutgoingMessage(key, "mail", request.destination,
                                      messages.IDENTIFIER_MAIL_BODY.format(lines=lines),
                                      subject=messages.IDENTIFIER_MAIL_SUBJECT)
        else:
            message = OutgoingMessage(key, "sms", request.destination, messages.IDENTIFIER_SMS_BODY.format(lines=lines))
        await self.deps.courier.send_unless_limited(message, "identifier_reminder", request.requested_at)
        return True

    @activity.defn(name=ActivityName.PREPARE_PASSWORD_RESET)
    async def prepare_password_reset(self, request: PrepareResetRequest) -> PreparedReset:
        """R-REC-3: identifier + the account's confirmed email -> a single-use link, valid 1 h.
        R-REC-4: identifier -> the account's confirmed mobile (the journey then sends the code).
        A newer request supersedes the older journey. FranceConnect accounts get the FAQ (R-REC-6)."""
        key = f"{request.key_scope}/reset-link/{request.attempt}"
        async with self.deps.sessions() as session:
            existing = await session.scalar(select(VerificationCode).where(VerificationCode.idempotency_key == key))
            account = await session.scalar(select(Account).where(Account.identifier == request.identifier))
        eligible = account if account is not None and reset_eligible(account, request) else None
        matched = eligible if eligible is not None and eligible.franceconnect_subject is None else None
        link = existing
        if request.channel is Channel.MAIL and link is None:  # by SMS the account is claimed with the code
            try:
                link = await self._issue_link(key, request, matched.id if matched else None)
            except JourneyDisplaced:  # a newer reset owns the account: this one is being superseded
                eligible, link = None, await self._issue_link(key, request, None)  # a decoy, nothing sent
        link_id = link.id if link is not None else None
        if eligible is not None and (request.channel is Channel.MAIL or matched is None):
            await self._send(key, request, eligible, link_id)
        return PreparedReset(link_id=link_id, matched=matched is not None,
                             account_ref=matched.ref if matched else None,
                             superseded_journey_id=link.displaced_journey_id if link is not None else None)

    async def _issue_link(self, key: str, request: PrepareResetRequest, account_id: int | None) -> VerificationCode:
        """The link, and with it the account's live reset: this journey (activities/claims.py)."""
        link_id = new_reference()
        token = derive_link_token(self.deps.secret_key, link_id)
        async with self.deps.sessions.begin() as session:
            displaced = None
            if account_id is not None:
                displaced = await take_claim(session, PASSWORD_RESET_CLAIM, account_id, request.journey_id)
                await session.execute(
                    update(VerificationCode)
                    .where(VerificationCode.account_id == account_id,
                           VerificationCode.purpose == CodePurpose.PASSWORD_RESET_LINK,
                           VerificationCode.consumed_at.is_(None), VerificationCode.voided_at.is_(None))
                    .values(voided_at=request.issued_at)
                )
            link = VerificationCode(
                id=link_id, idempotency_key=key, journey_id=request.journey_id,
                purpose=CodePurpose.PASSWORD_RESET_LINK, account_id=account_id, channel=request.channel,
                # a decoy's digest matches no token: its token is never derived for anyone
                digest=code_digest(self.deps.secret_key, link_id, token if account_id else new_reference()),
                issued_at=request.issued_at, expires_at=request.expires_at,
                max_wrong_tries=NO_WRONG_TRIES, wrong_tries=0, displaced_journey_id=displaced,
            )
            session.add(link)
        return link

    async def _send(self, key: str, request: PrepareResetRequest, account: Account, link_id: str | None) -> None:
        """The link by mail, or the FranceConnect FAQ by mail or SMS (the SMS code is the journey's)."""
        if request.channel is Channel.SMS:
            message = OutgoingMessage(key, "sms", known_destination(account.mobile),
                                      messages.FRANCECONNECT_RESET_SMS.format(identifier=account.identifier))
        else:
            if account.franceconnect_subject is not None:
                body = messages.FRANCECONNECT_RESET_MAIL_BODY.format(identifier=account.identifier)
            elif link_id is None:  # prepare_password_reset issues one for every matched mail request
                raise ValueError("a reset mail without its link")
            else:
                token = derive_link_token(self.deps.secret_key, link_id)
                minutes = int((request.expires_at - request.issued_at).total_seconds() // 60)
                link = link_url(request.public_base_url, "mot-de-passe/nouveau", request.journey_id, token)
                body = messages.RESET_MAIL_BODY.format(identifier=account.identifier, minutes=minutes, link=link)
            message = OutgoingMessage(key, "mail", known_destination(account.email), body,
                                      subject=messages.RESET_MAIL_SUBJECT)
        await self.deps.courier.send_unless_limited(message, "password_reset", request.issued_at)

    @activity.defn(name=ActivityName.CHECK_RESET_LINK)
    async def check_reset_link(self, request: CheckLinkRequest) -> LinkCheck:
        """Opening the link shows who it is for; it does not consume it (mail scanners open links)."""
        async with self.deps.sessions() as session:
            link = await session.get(VerificationCode, request.link_id)
            status = judge_link(self.deps.secret_key, link, CodePurpose.PASSWORD_RESET_LINK, request.token, request.now)
            if link is None or status is not LinkStatus.VALID:
                return LinkCheck(status=status)
            account = await must_get(session, Account, link.account_id)
            return LinkCheck(status=status, identifier=account.identifier)

    @activity.defn(name=ActivityName.RESET_PASSWORD_WITH_LINK)
    async def reset_password_with_link(self, request: ResetWithLinkRequest) -> LinkReset:
        """Consume the link and set the new password, in one transaction; only one submission wins."""
        new_hash = await asyncio.to_thread(hash_password, request.password)
        async with self.deps.sessions.begin() as session:
            link = await session.get(VerificationCode, request.link_id, with_for_update=True)
            if link is not None and link.consumed_at == request.now and link.last_attempt_key == request.key_scope:
                account = await must_get(session, Account, link.account_id)  # a retry after the commit
                return LinkReset(status=LinkStatus.VALID, account_ref=account.ref)
            status = judge_link(self.deps.secret_key, link, CodePurpose.PASSWORD_RESET_LINK, request.token, request.now)
            if link is None or status is not LinkStatus.VALID:
                return LinkReset(status=status)
            account = await must_get(session, Account, link.account_id)
            await screen_new_password(session, account, request.password)  # before the link is used up
            consumed = await changed_rows(
                session, update(VerificationCode)
                .where(VerificationCode.id == link.id, VerificationCode.consumed_at.is_(None),
                       VerificationCode.voided_at.is_(None))
                .values(consumed_at=request.now, last_attempt_key=request.key_scope)
                .execution_options(synchronize_session=False)
            )
            if consumed != 1:
                return LinkReset(status=LinkStatus.USED)
            set_new_password(account, new_hash, request.now)
            return LinkReset(status=LinkStatus.VALID, account_ref=account.ref)

    @activity.defn(name=ActivityName.RESET_PASSWORD_AFTER_CODE)
    async def reset_password_after_code(self, request: ResetAfterCodeRequest) -> bool:
        """R-REC-4: the journey accepted the SMS code for this account; the new password is set."""
        new_hash = await asyncio.to_thread(hash_password, request.password)
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.password_changed_at != request.now:  # not a retry after the commit
                await screen_new_password(session, account, request.password)
                set_new_password(account, new_hash, request.now)
        return True
