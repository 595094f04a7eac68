"""One-time codes: issued and sent once per key, checked and consumed atomically."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from parcours import messages
from parcours.activities.accounts import account_with_school_contact, known_destination, require_guardian
from parcours.activities.attempt_budget import count_failed_try, tries_blocked_until
from parcours.activities.claims import CLAIM_OF_PURPOSE, lock_claim, take_claim, was_displaced
from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.activities import (
    JOURNEY_DISPLACED,
    ActivityName,
    CheckCodeRequest,
    CodeCheck,
    CodeCheckStatus,
    CodeIssued,
    CodePurpose,
    SendCodeRequest,
    code_message_key,
)
from parcours.contracts.common import Channel
from parcours.db.models import Account, ContactStatus, DeliveryStatus, VerificationCode
from parcours.db.queries import ACCOUNTS, CODES, changed_rows
from parcours.messaging.courier import DestinationLimitReached
from parcours.messaging.providers import OutgoingMessage, PermanentSendError, TransientSendError
from parcours.refusals import destination_limited
from parcours.security.crypto import code_digest, code_matches, derive_code, new_reference
from parcours.temporal.observability import count_in_activity


async def tries_of(session: AsyncSession, account_id: int) -> Account:
    """The account's failed tries, locked until the commit, as a transient Account (not in the
    session: the caller writes back what it changes)."""
    row = (await session.execute(
        select(ACCOUNTS.c.id, ACCOUNTS.c.failed_tries_window_start, ACCOUNTS.c.failed_tries_in_window)
        .where(ACCOUNTS.c.id == account_id).with_for_update())).first()
    if row is None:  # as must_get: the code's account is missing, the database is inconsistent
        raise LookupError(f"no Account {account_id!r}")
    return Account(**row._mapping)


def code_destination(recipient: Row, channel: Channel, purpose: CodePurpose) -> str:
    """Activation sends to what the school has (R-ACT-1); a reset to the account's confirmed mobile."""
    if purpose is CodePurpose.ACTIVATION:
        require_guardian(recipient)
        return known_destination(recipient.school_mobile if channel is Channel.SMS else recipient.school_email)
    if purpose is CodePurpose.MOBILE_CHANGE:
        return known_destination(recipient.pending_mobile)  # the number being confirmed (R-CON-7)
    return known_destination(recipient.mobile if recipient.mobile_status == ContactStatus.CONFIRMED else None)


class IssuedCode(NamedTuple):
    id: str
    account_id: int | None  # None: a decoy, nothing is sent
    displaced_journey_id: str | None  # the account's live journey this code took over from


async def issued_code(session: AsyncSession, key: str) -> IssuedCode | None:
    """The code of this key if it was issued already (a retried send)."""
    row = (await session.execute(select(CODES.c.id, CODES.c.account_id, CODES.c.displaced_journey_id)
                                 .where(CODES.c.idempotency_key == key))).first()
    return None if row is None else IssuedCode(*row)


async def issue_code(session: AsyncSession, request: SendCodeRequest, key: str, account_id: int | None,
                     secret_key: bytes, code_digits: int) -> IssuedCode:
    """The code of this key, made once, voiding the account's earlier ones of the same purpose
    (R-ACT-3) and, for an activation or a reset, making its journey the account's live one in the
    same transaction (activities/claims.py)."""
    displaced, claim_kind = None, CLAIM_OF_PURPOSE.get(request.purpose)
    if account_id is not None:
        if claim_kind is not None:
            displaced = await take_claim(session, claim_kind, account_id, request.journey_id)
        await session.execute(
            update(CODES)
            .where(CODES.c.account_id == account_id, CODES.c.purpose == request.purpose,
                   CODES.c.consumed_at.is_(None), CODES.c.voided_at.is_(None))
            .values(voided_at=request.issued_at))
    code_id = new_reference()
    # a decoy's digest is of a code nobody is sent: no submission can match it
    secret_code = derive_code(secret_key, code_id, code_digits) if account_id is not None else new_reference()
    await session.execute(insert(CODES).values(
        id=code_id, idempotency_key=key, journey_id=request.journey_id, purpose=request.purpose,
        account_id=account_id, channel=request.channel, digest=code_digest(secret_key, code_id, secret_code),
        issued_at=request.issued_at, expires_at=request.expires_at, max_wrong_tries=request.max_wrong_tries,
        wrong_tries=0, displaced_journey_id=displaced))
    return IssuedCode(code_id, account_id, displaced)


async def journey_displaced(session: AsyncSession, request: SendCodeRequest, account_id: int) -> bool:
    """Whether this journey was the account's live one and a newer one took it over: it is being
    superseded, and a code of its own now would take the account back. The claim is locked until
    the commit, so that no journey takes it over between this look and the code's issue."""
    claim_kind = CLAIM_OF_PURPOSE.get(request.purpose)
    if claim_kind is None:
        return False
    await lock_claim(session, claim_kind, account_id)
    return await was_displaced(session, claim_kind, account_id, request.journey_id)


def refuse_displaced(request: SendCodeRequest) -> None:
    """A displaced journey's new code: refused, or, where a refusal would tell a stranger that an
    account matched (R-REC-7), a decoy instead."""
    if not request.decoy_when_limited:
        raise ApplicationError("a newer journey owns the account", type=JOURNEY_DISPLACED, non_retryable=True)
    activity.logger.warning("code not sent: a newer journey owns the account (a decoy stands in)")


def message_channel(channel: Channel, purpose: CodePurpose) -> str:
    """Reset and mobile codes always go by SMS; activation codes by the chosen channel."""
    if purpose in (CodePurpose.PASSWORD_RESET_CODE, CodePurpose.MOBILE_CHANGE) or channel is Channel.SMS:
        return "sms"
    return "mail"


SMS_CODE_BODIES = {CodePurpose.PASSWORD_RESET_CODE: messages.SMS_RESET_CODE_BODY,
                   CodePurpose.MOBILE_CHANGE: messages.SMS_MOBILE_CODE_BODY}


def code_message(key: str, channel: Channel, purpose: CodePurpose, to: str, code: str, minutes: int) -> OutgoingMessage:
    if message_channel(channel, purpose) == "sms":
        body = SMS_CODE_BODIES.get(purpose, messages.SMS_CODE_BODY)
        return OutgoingMessage(key, "sms", to, body.format(code=code, minutes=minutes))
    return OutgoingMessage(key, "mail", to, messages.MAIL_CODE_BODY.format(code=code, minutes=minutes),
                           subject=messages.MAIL_CODE_SUBJECT)


class CodeActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.SEND_CODE)
    async def send_verification_code(self, request: SendCodeRequest) -> CodeIssued:
        """R-ACT-3: a new code voids the previous ones; the message goes out once per key. A
        destination over its limits gets nothing and keeps its current code: the action is refused,
        or, where a refusal would tell a stranger that an account matched (R-REC-7), the journey
        gets a decoy code as for an unmatched request."""
        key = code_message_key(request.key_scope, request.sequence)
        destination, delivery, account_id = None, None, None
        # One transaction: the account read, the claim, the ledger's reservation and the code,
        # committed together (a worker killed before the commit leaves none of them; its retry starts
        # over). A retry after the commit finds the code, the journey it displaced and the ledger's row.
        async with self.deps.sessions.begin() as session:
            code = await issued_code(session, key)
            account_id = None if code is None else code.account_id
            if request.account_ref is not None and (code is None or code.account_id is not None):
                recipient = await account_with_school_contact(session, request.account_ref)
                destination, account_id = code_destination(recipient, request.channel, request.purpose), recipient.id
                if code is None and await journey_displaced(session, request, recipient.id):  # before the limits
                    refuse_displaced(request)
                    destination = account_id = None  # a decoy's code belongs to no account
            if destination is not None:
                try:
                    delivery = await self.deps.courier.reserve_in(
                        session, key, message_channel(request.channel, request.purpose), destination,
                        request.purpose, request.issued_at)
                except DestinationLimitReached as limit:  # the limits only read: the transaction goes on
                    if not request.decoy_when_limited:
                        raise destination_limited(limit.retry_at, self.deps.time_zone) from None
                    activity.logger.warning("code not sent: destination over its limits (a decoy stands in)")
                    destination = account_id = None
            if code is None:
                code = await issue_code(session, request, key, account_id, self.deps.secret_key,
                                        self.deps.code_digits)
        issued = CodeIssued(code_id=code.id, displaced_journey_id=code.displaced_journey_id)
        if code.account_id is None or destination is None:  # a decoy (a retry's too): nothing is sent
            return issued
        minutes = int((request.expires_at - request.issued_at).total_seconds() // 60)
        plain = derive_code(self.deps.secret_key, code.id, self.deps.code_digits)
        if delivery is DeliveryStatus.SENT:  # a retry after the provider accepted it
            return issued
        try:
            await self.deps.courier.deliver(
                code_message(key, request.channel, request.purpose, destination, plain, minutes))
            count_in_activity("parcours_codes_sent", "Codes sent", channel=str(request.channel),
                              purpose=str(request.purpose))
        except PermanentSendError as error:
            raise ApplicationError(str(error), type="PermanentSendError", non_retryable=True) from None
        except TransientSendError as error:
            raise ApplicationError(str(error), type="TransientSendError") from None
        return issued

    @activity.defn(name=ActivityName.CHECK_CODE)
    async def check_verification_code(self, request: CheckCodeRequest) -> CodeCheck:
        """R-ACT-4/5: compare in constant time, count wrong tries, consume once."""
        async with self.deps.sessions.begin() as session:
            # Rows read by Core and judged as transient objects (the model's rules, no identity map,
            # no unit of work); what the judgement changed is written back by Core updates below.
            row = (await session.execute(select(CODES).where(CODES.c.id == request.code_id).with_for_update())).first()
            if row is None:
                raise ApplicationError("unknown code", type="UnknownCode", non_retryable=True)
            code = VerificationCode(**row._mapping)
            if request.issued_in and not code.issued_in(request.issued_in):
                return CodeCheck(status=CodeCheckStatus.VOID, tries_left=0)
            if code.last_attempt_key == request.attempt_key and code.last_attempt_status is not None:
                # a retried activity (key and status are set together): the same answer, no double count
                return CodeCheck(status=CodeCheckStatus(code.last_attempt_status),
                                 tries_left=max(code.max_wrong_tries - code.wrong_tries, 0))
            account = None if code.account_id is None else await tries_of(session, code.account_id)
            tries_per_hour = self.deps.account_failed_tries_per_hour
            blocked_until = account and tries_blocked_until(account, request.now, tries_per_hour)
            if blocked_until:  # not judged: a right code would tell the guesser it was right
                return CodeCheck(status=CodeCheckStatus.TOO_MANY_TRIES, retry_at=blocked_until,
                                 tries_left=max(code.max_wrong_tries - code.wrong_tries, 0))
            status = self._judge(code, request)
            if account is not None and status in (CodeCheckStatus.INCORRECT, CodeCheckStatus.VOID):
                count_failed_try(account, request.now)
                await session.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == account.id).values(
                    failed_tries_window_start=account.failed_tries_window_start,
                    failed_tries_in_window=account.failed_tries_in_window))
            if status is not CodeCheckStatus.ACCEPTED:
                await session.execute(update(CODES).where(CODES.c.id == code.id).values(
                    wrong_tries=code.wrong_tries, voided_at=code.voided_at, last_attempt_key=request.attempt_key,
                    last_attempt_status=status))
            else:
                # Consume only if still unconsumed: whatever the isolation, one submission wins.
                consumed = await changed_rows(
                    session, update(CODES)
                    .where(CODES.c.id == code.id, CODES.c.consumed_at.is_(None), CODES.c.voided_at.is_(None))
                    .values(consumed_at=request.now, last_attempt_key=request.attempt_key, last_attempt_status=status)
                )
                if consumed != 1:
                    return CodeCheck(status=CodeCheckStatus.VOID, tries_left=0)
            return CodeCheck(status=status, tries_left=max(code.max_wrong_tries - code.wrong_tries, 0))

    def _judge(self, code: VerificationCode, request: CheckCodeRequest) -> CodeCheckStatus:
        if code.consumed_at is not None or code.voided_at is not None or code.wrong_tries >= code.max_wrong_tries:
            return CodeCheckStatus.VOID
        if code.is_expired(request.now):
            return CodeCheckStatus.EXPIRED
        if code_matches(self.deps.secret_key, code.id, request.attempt, code.digest):
            return CodeCheckStatus.ACCEPTED  # consumed by the conditional update of the caller
        code.wrong_tries += 1
        if code.wrong_tries >= code.max_wrong_tries:
            code.voided_at = request.now
            return CodeCheckStatus.VOID
        return CodeCheckStatus.INCORRECT
