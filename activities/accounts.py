"""Accounts and school records: identity matching, birth dates, activation."""

from __future__ import annotations

import asyncio

from sqlalchemy import Row, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from temporalio import activity
from temporalio.exceptions import ApplicationError

from parcours import messages
from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.password_screening import screen_password
from parcours.contracts.activities import (
    AccountActivated,
    ActivateAccountRequest,
    ActivityName,
    AlreadyActiveNoticeRequest,
    CheckBirthDateRequest,
    FranceConnectActivateRequest,
    FranceConnectMatch,
    FranceConnectMatchRequest,
    IdentityMatch,
    MatchedChild,
    MatchIdentityRequest,
)
from parcours.contracts.common import UNKNOWN_ACCOUNT, Channel
from parcours.db.models import (
    Account,
    AccountStatus,
    ContactStatus,
    GuardianRecord,
    GuardianStudentLink,
)
from parcours.db.queries import (
    ACCOUNTS,
    GUARDIANS,
    LINKS,
    STUDENTS,
    activation_events,
    changed_rows,
    linked_students,
    record_activation,
    record_answers,
    write_answers,
    write_events,
)
from parcours.messaging.providers import OutgoingMessage
from parcours.people.contact_details import mask_email, mask_mobile
from parcours.people.names import comparable_name
from parcours.security.crypto import hash_password
from parcours.security.password_policy import personal_words


class AccountAlreadyActive(ApplicationError):
    def __init__(self) -> None:
        super().__init__("the account is already active", type="AccountAlreadyActive", non_retryable=True)


def with_guardian_and_students(query):
    return query.options(
        selectinload(Account.guardian).selectinload(GuardianRecord.links).selectinload(GuardianStudentLink.student))


def unknown_account(account_ref: str) -> ApplicationError:
    return ApplicationError(f"no account {account_ref}", type=UNKNOWN_ACCOUNT, non_retryable=True)


async def account_by_ref(session: AsyncSession, account_ref: str, *, students: bool = True) -> Account:
    """The account with its school guardian record and, unless `students=False`, that record's
    students (one query each: an activity on the hot path loads only what it reads)."""
    query = select(Account).where(Account.ref == account_ref)
    query = with_guardian_and_students(query) if students else query.options(selectinload(Account.guardian))
    account = await session.scalar(query)
    if account is None:
        raise unknown_account(account_ref)
    return account


def identity_candidates(channel: Channel, destination: str) -> Select:
    """R-ACT-1's lookup in one query (Core): the school's guardians at this destination, each with
    its account (if any) and its students, youngest last, a row per student (one for none)."""
    column = GUARDIANS.c.mobile if channel is Channel.SMS else GUARDIANS.c.email
    return (
        select(GUARDIANS.c.id.label("guardian_id"), GUARDIANS.c.last_name, GUARDIANS.c.first_name,
               ACCOUNTS.c.id.label("account_id"), ACCOUNTS.c.ref, ACCOUNTS.c.identifier, ACCOUNTS.c.status,
               LINKS.c.role, STUDENTS.c.ref.label("student_ref"), STUDENTS.c.first_name.label("student_first_name"),
               STUDENTS.c.last_name.label("student_last_name"), STUDENTS.c.school)
        .select_from(GUARDIANS.outerjoin(ACCOUNTS, ACCOUNTS.c.guardian_id == GUARDIANS.c.id)
                     .outerjoin(LINKS, LINKS.c.guardian_id == GUARDIANS.c.id)
                     .outerjoin(STUDENTS, STUDENTS.c.id == LINKS.c.student_id))
        .where(column == destination)
        .order_by(GUARDIANS.c.id, STUDENTS.c.birth_date, LINKS.c.id)
    )


async def account_with_school_contact(session: AsyncSession, account_ref: str) -> Row:
    """The account and its school guardian record's names and contacts in one query (Core: nothing
    loaded as objects), for the hot path: a code's destination, the activation."""
    account = (await session.execute(
        select(ACCOUNTS.c.id, ACCOUNTS.c.ref, ACCOUNTS.c.identifier, ACCOUNTS.c.status,
               ACCOUNTS.c.activated_by_journey, ACCOUNTS.c.guardian_id, ACCOUNTS.c.mobile,
               ACCOUNTS.c.mobile_status, ACCOUNTS.c.pending_mobile, GUARDIANS.c.first_name, GUARDIANS.c.last_name,
               GUARDIANS.c.mobile.label("school_mobile"), GUARDIANS.c.email.label("school_email"))
        .select_from(ACCOUNTS.outerjoin(GUARDIANS, ACCOUNTS.c.guardian_id == GUARDIANS.c.id))
        .where(ACCOUNTS.c.ref == account_ref))).first()
    if account is None:
        raise unknown_account(account_ref)
    return account


def require_guardian(account: Row) -> None:
    """As Account.school_guardian: no guardian's journey reaches an account without one."""
    if account.guardian_id is None:
        raise LookupError(f"account {account.ref} has no guardian record")


def known_destination(destination: str | None) -> str:
    if destination is None:
        raise ApplicationError("no destination for this channel", type="NoDestination", non_retryable=True)
    return destination


def school_destination(account: Account, channel: Channel) -> str:
    """Where the school reaches a guardian on this channel (R-ACT-1: what matched the identity)."""
    guardian = account.school_guardian
    return known_destination(guardian.mobile if channel is Channel.SMS else guardian.email)


class AccountActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.MATCH_IDENTITY)
    async def match_identity(self, request: MatchIdentityRequest) -> IdentityMatch:
        """R-ACT-1: the destination must be the school's for a guardian of the same names."""
        async with self.deps.sessions() as session:
            rows = (await session.execute(identity_candidates(request.channel, request.destination))).all()
        wanted = (comparable_name(request.last_name), comparable_name(request.first_name))
        guardian_id = next((row.guardian_id for row in rows
                            if (comparable_name(row.last_name), comparable_name(row.first_name)) == wanted), None)
        account = next((row for row in rows if row.guardian_id == guardian_id), None)
        if guardian_id is None or account is None or account.account_id is None:
            return IdentityMatch(matched=False)
        masked = mask_mobile(request.destination) if request.channel is Channel.SMS else mask_email(request.destination)
        if account.status != AccountStatus.PROVISIONED:
            return IdentityMatch(matched=True, account_ref=account.ref, already_active=True, masked_destination=masked)
        # The account is claimed when the code is issued (activities/claims.py), not here: a journey
        # whose code never goes out must not displace the live one.
        children = [
            MatchedChild(student_ref=row.student_ref, school=row.school, role=row.role,
                         display_name=f"{row.student_first_name} {row.student_last_name[:1]}.")
            for row in rows if row.guardian_id == guardian_id and row.student_ref is not None
        ]
        return IdentityMatch(
            matched=True, account_ref=account.ref, identifier=account.identifier, masked_destination=masked,
            children=children,
        )

    @activity.defn(name=ActivityName.SEND_ALREADY_ACTIVE_NOTICE)
    async def send_already_active_notice(self, request: AlreadyActiveNoticeRequest) -> bool:
        """R-ACT-2 with uniform answers: the school's contact is told, the screen is not."""
        async with self.deps.sessions() as session:
            account = await account_by_ref(session, request.account_ref)
        key = f"{request.key_scope}/already-active"
        if request.channel is Channel.SMS:
            message = OutgoingMessage(key, "sms", school_destination(account, request.channel),
                                      messages.ALREADY_ACTIVE_SMS.format(identifier=account.identifier))
        else:
            message = OutgoingMessage(key, "mail", school_destination(account, request.channel),
                                      messages.ALREADY_ACTIVE_MAIL_BODY.format(identifier=account.identifier),
                                      subject=messages.ALREADY_ACTIVE_MAIL_SUBJECT)
        return await self.deps.courier.send_unless_limited(message, "already_active_notice", request.now)

    @activity.defn(name=ActivityName.CHECK_BIRTH_DATE)
    async def check_birth_date(self, request: CheckBirthDateRequest) -> bool:
        """R-ACT-7: is this the school's birth date for one of this account's students?"""
        async with self.deps.sessions() as session:
            account = await account_by_ref(session, request.account_ref, students=False)
            for _, student in await linked_students(session, account):
                if student.ref == request.student_ref:
                    return student.birth_date == request.birth_date
        raise ApplicationError("student not linked to this account", type="UnknownStudent", non_retryable=True)

    @activity.defn(name=ActivityName.ACTIVATE_ACCOUNT)
    async def activate_account(self, request: ActivateAccountRequest) -> AccountActivated:
        """R-ACT-9: one transaction: password hash, active status, the channel confirmed, the links."""
        password_hash = await asyncio.to_thread(hash_password, request.password)
        async with self.deps.sessions.begin() as session:  # Core statements: nothing loaded as objects
            account = await account_with_school_contact(session, request.account_ref)
            if account.status == AccountStatus.ACTIVE:
                if account.activated_by_journey == request.key_scope:  # a retry after the commit
                    return AccountActivated(identifier=account.identifier)
                raise AccountAlreadyActive()
            require_guardian(account)
            screen_password(request.password, personal_words(account.identifier, account.first_name,
                                                             account.last_name))
            contact = (dict(mobile=account.school_mobile, mobile_status=ContactStatus.CONFIRMED)
                       if request.channel is Channel.SMS
                       else dict(email=account.school_email, email_status=ContactStatus.CONFIRMED))
            activated = await changed_rows(session, update(ACCOUNTS).where(
                ACCOUNTS.c.id == account.id, ACCOUNTS.c.status == account.status).values(
                status=AccountStatus.ACTIVE, password_hash=password_hash, activated_at=request.activated_at,
                activated_by_journey=request.key_scope, **contact))
            if activated != 1:  # changed since the read (another journey's activation): the retry reads it again
                raise ApplicationError("the account changed during its activation", type="ActivationContention")
            student_ids = dict((await session.execute(
                select(STUDENTS.c.ref, STUDENTS.c.id).join(LINKS, LINKS.c.student_id == STUDENTS.c.id)
                .where(LINKS.c.guardian_id == account.guardian_id))).all())
            events = activation_events(request.key_scope, account.ref, "mobile" if request.channel is Channel.SMS
                                       else "email", request.activated_at)
            events += await write_answers(session, request.key_scope, account.id, account.ref, student_ids,
                                          request.children, request.activated_at)
            await write_events(session, events)
            return AccountActivated(identifier=account.identifier)


class FranceConnectActivities:
    """R-ACT-11: the FranceConnect identity matched as R-ACT-1 matches (names and the school's
    address), then the account activated with the FranceConnect subject and no password."""

    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.MATCH_FRANCECONNECT)
    async def match_franceconnect(self, request: FranceConnectMatchRequest) -> FranceConnectMatch:
        async with self.deps.sessions() as session:
            if await session.scalar(select(Account.id).where(Account.franceconnect_subject == request.subject)):
                return FranceConnectMatch(status="subject_taken")
            same_email = select(GuardianRecord).where(GuardianRecord.email == request.email)
            candidates = (await session.scalars(same_email)).all()
            wanted = (comparable_name(request.family_name), comparable_name(request.given_name))
            guardian = next((g for g in candidates
                             if (comparable_name(g.last_name), comparable_name(g.first_name)) == wanted), None)
            if guardian is None:
                return FranceConnectMatch(status="not_found")
            account = await session.scalar(select(Account).where(Account.guardian_id == guardian.id))
            if account is None:
                return FranceConnectMatch(status="not_found")
            if account.status != AccountStatus.PROVISIONED:
                return FranceConnectMatch(status="already_active")
            children = [
                MatchedChild(student_ref=student.ref, display_name=f"{student.first_name} {student.last_name[:1]}.",
                             school=student.school, role=link.role)
                for link, student in await linked_students(session, account)
            ]
            return FranceConnectMatch(status="matched", account_ref=account.ref, identifier=account.identifier,
                                      children=children)

    @activity.defn(name=ActivityName.ACTIVATE_WITH_FRANCECONNECT)
    async def activate_with_franceconnect(self, request: FranceConnectActivateRequest) -> bool:
        async with self.deps.sessions.begin() as session:
            account = await account_by_ref(session, request.account_ref)
            if account.status == AccountStatus.ACTIVE and account.activated_by_journey == request.key_scope:
                return True  # a retry after the commit
            if account.status != AccountStatus.PROVISIONED:
                raise AccountAlreadyActive()
            account.status, account.password_hash = AccountStatus.ACTIVE, None
            account.franceconnect_subject = request.subject
            account.email, account.email_status = request.email, ContactStatus.CONFIRMED
            account.activated_at, account.activated_by_journey = request.now, request.key_scope
            students = {s.ref: s for _, s in await linked_students(session, account)}
            record_activation(session, request.key_scope, account, "email", request.now)
            await record_answers(session, request.key_scope, account, students, request.children, request.now)
        return True
