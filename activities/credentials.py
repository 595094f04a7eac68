"""Passwords: sign-in checks with a failure cap, changes, and the notice that follows a change."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from parcours import messages
from parcours.activities.accounts import account_by_ref
from parcours.activities.attempt_budget import count_failed_try, tries_blocked_until
from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.password_screening import screen_new_password
from parcours.contracts.activities import (
    ActivateByLetterRequest,
    ActivityName,
    ChangePasswordRequest,
    CredentialCheck,
    PasswordNoticeRequest,
    VerifySignInRequest,
)
from parcours.db.models import Account, AccountStatus, ContactStatus
from parcours.db.queries import record_activation
from parcours.messaging.providers import OutgoingMessage
from parcours.security.crypto import hash_password, verify_password


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """Verified against when there is no account or no password, so that the answer takes as long."""
    return hash_password(secrets.token_urlsafe(16))


async def _password_matches(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        await asyncio.to_thread(verify_password, _decoy_hash(), password)
        return False
    return await asyncio.to_thread(verify_password, password_hash, password)


def _sign_in_lock(account: Account, now: datetime) -> datetime | None:
    locked_until = account.sign_in_locked_until
    return locked_until if locked_until is not None and now < locked_until else None


async def check_credentials(account: Account | None, password: str, now: datetime, max_failures: int,
                            lockout, *, tries_per_hour: int, allow_provisional: bool = False,
                            attempt_key: str = "") -> CredentialCheck:
    """The one place a password is checked: failures counted on the account, locked for `lockout`
    after `max_failures` in a row, and refused once the account's failed tries of the hour (codes
    included) are spent; the same work and answer for an unknown account (caller commits).
    With `allow_provisional` (a merge), a provisioned account's school-issued password counts too.
    A failure is counted once per `attempt_key`: the retry of a check whose COMMIT answer was lost
    answers as the check did (refused, locked if it locked the account), counting nothing more."""
    usable = account is not None and (account.status == AccountStatus.ACTIVE or (
        allow_provisional and account.status == AccountStatus.PROVISIONED))
    if account is None or not usable:
        if account is not None and account.status == AccountStatus.MERGED:  # R-KID-1: say so, to its owner only
            return CredentialCheck(valid=False, merged=await _password_matches(account.password_hash, password))
        await _password_matches(None, password)  # the same work as a check
        return CredentialCheck(valid=False)
    if attempt_key and account.last_failed_attempt_key == attempt_key:
        await _password_matches(None, password)
        return CredentialCheck(valid=False, locked_until=_sign_in_lock(account, now))
    locks = [_sign_in_lock(account, now), tries_blocked_until(account, now, tries_per_hour)]
    locked_until = max((lock for lock in locks if lock is not None), default=None)
    if locked_until is not None:
        await _password_matches(None, password)
        return CredentialCheck(valid=False, locked_until=locked_until)
    stored = account.password_hash if account.status == AccountStatus.ACTIVE else account.provisional_password_hash
    if await _password_matches(stored, password):
        account.failed_sign_ins, account.sign_in_locked_until = 0, None
        return CredentialCheck(valid=True, account_ref=account.ref, kind=account.kind, identifier=account.identifier,
                               session_generation=account.session_generation)
    account.failed_sign_ins += 1
    account.last_failed_attempt_key = attempt_key or None
    count_failed_try(account, now)
    if account.failed_sign_ins >= max_failures:
        account.failed_sign_ins, account.sign_in_locked_until = 0, now + lockout
        return CredentialCheck(valid=False, locked_until=account.sign_in_locked_until)
    return CredentialCheck(valid=False)


class CredentialActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.VERIFY_SIGN_IN)
    async def verify_sign_in(self, request: VerifySignInRequest) -> CredentialCheck:
        async with self.deps.sessions.begin() as session:
            account = await session.scalar(
                select(Account).where(Account.identifier == request.identifier).with_for_update()
            )
            if request.account_ref is not None and account is not None and account.ref != request.account_ref:
                account = None
            return await check_credentials(account, request.password, request.now, request.max_failures,
                                           request.lockout,
                                           tries_per_hour=self.deps.account_failed_tries_per_hour,
                                           attempt_key=request.attempt_key)

    @activity.defn(name=ActivityName.VERIFY_PROVISIONAL)
    async def verify_provisional_password(self, request: VerifySignInRequest) -> CredentialCheck:
        """R-ACT-10: the letter's identifier and provisional password, for an account never
        activated; failures count and answer like any failed sign-in."""
        async with self.deps.sessions.begin() as session:
            account = await session.scalar(
                select(Account).where(Account.identifier == request.identifier).with_for_update())
            if account is not None and account.status != AccountStatus.PROVISIONED:
                account = None  # the provisional password worked once, for the activation
            return await check_credentials(account, request.password, request.now, request.max_failures,
                                           request.lockout, allow_provisional=True,
                                           tries_per_hour=self.deps.account_failed_tries_per_hour,
                                           attempt_key=request.attempt_key)

    @activity.defn(name=ActivityName.ACTIVATE_BY_LETTER)
    async def activate_by_letter(self, request: ActivateByLetterRequest) -> bool:
        """R-ACT-10: the chosen password replaces the provisional one, which stops working."""
        new_hash = await asyncio.to_thread(hash_password, request.password)
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.status == AccountStatus.ACTIVE and account.activated_by_journey == request.key_scope:
                return True  # a retry after the commit
            if account.status != AccountStatus.PROVISIONED:
                raise ApplicationError("the account is not waiting for activation", type="AccountAlreadyActive",
                                       non_retryable=True)
            await screen_new_password(session, account, request.password)
            account.status, account.password_hash, account.provisional_password_hash = (
                AccountStatus.ACTIVE, new_hash, None)
            account.activated_at, account.activated_by_journey = request.now, request.key_scope
            account.password_changed_at = request.now
            # No contact proved yet: the email given is confirmed later through an email change.
            record_activation(session, request.key_scope, account, "", request.now)
        return True

    @activity.defn(name=ActivityName.CHANGE_PASSWORD)
    async def change_password(self, request: ChangePasswordRequest) -> CredentialCheck:
        """R-CON-1: the current password first (it counts against the sign-in cap), then the new hash.
        FranceConnect accounts have no password here (R-REC-6)."""
        new_hash = await asyncio.to_thread(hash_password, request.new_password)
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.franceconnect_subject is not None:
                return CredentialCheck(valid=False, franceconnect=True)
            if account.password_changed_at == request.now:  # a retry after the commit
                return CredentialCheck(valid=True, account_ref=account.ref)
            check = await check_credentials(account, request.current_password, request.now,
                                            request.max_failures, request.lockout,
                                            tries_per_hour=self.deps.account_failed_tries_per_hour,
                                            attempt_key=request.attempt_key)
            if check.valid:
                await screen_new_password(session, account, request.new_password, field="new_password")
                account.password_hash = new_hash
                account.password_changed_at = request.now
                account.session_generation += 1  # the sessions given before no longer prove a sign-in
            return check

    @activity.defn(name=ActivityName.SEND_PASSWORD_NOTICE)
    async def send_password_changed_notice(self, request: PasswordNoticeRequest) -> bool:
        """"Your password was changed; if it was not you…", to the confirmed email, else the mobile."""
        async with self.deps.sessions() as session:
            account = await account_by_ref(session, request.account_ref)
        date = request.changed_at.astimezone(ZoneInfo(self.deps.time_zone)).strftime("%d/%m/%Y à %H:%M")
        key = f"{request.key_scope}/password-notice"
        if account.email_status == ContactStatus.CONFIRMED and account.email:
            message = OutgoingMessage(key, "mail", account.email,
                                      messages.PASSWORD_NOTICE_BODY.format(identifier=account.identifier, date=date),
                                      subject=messages.PASSWORD_NOTICE_SUBJECT)
        elif account.mobile_status == ContactStatus.CONFIRMED and account.mobile:
            message = OutgoingMessage(key, "sms", account.mobile,
                                      messages.PASSWORD_NOTICE_SMS.format(identifier=account.identifier, date=date))
        else:
            return False
        await self.deps.courier.send_once(message, "password_notice", request.changed_at, limited=False)
        return True
