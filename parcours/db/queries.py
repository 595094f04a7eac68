"""Queries several activities share."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.models import (
    Account,
    AccountStudent,
    AccountStudentStatus,
    GuardianRecord,
    GuardianStudentLink,
    LinkEvent,
    MessageDelivery,
    StudentRecord,
    VerificationCode,
)

Row = TypeVar("Row")


def table_of(model: type) -> Table:
    """A model's table, for Core statements on the hot path: no ORM compile step, no identity map,
    no unit of work — rows read as tuples, written by one INSERT or UPDATE each."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


ACCOUNTS, GUARDIANS, LINKS, STUDENTS = (table_of(Account), table_of(GuardianRecord), table_of(GuardianStudentLink),
                                        table_of(StudentRecord))
CODES, DELIVERIES, EVENTS = table_of(VerificationCode), table_of(MessageDelivery), table_of(LinkEvent)


async def must_get(session: AsyncSession, model: type[Row], key: Any, **options: Any) -> Row:
    """The row a foreign key points to, or a judged link or code names: missing, the database is
    inconsistent, an error to surface (retried, then failing the activity), not an answer."""
    row = await session.get(model, key, **options)
    if row is None:
        raise LookupError(f"no {model.__name__} {key!r}")
    return row


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """How many rows an UPDATE or DELETE changed: its result is a cursor's, which execute() is not
    typed to say."""
    result = await session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"not an UPDATE or DELETE: {statement}")
    return result.rowcount


async def linked_students(session: AsyncSession, account: Account) -> list[tuple[GuardianStudentLink, StudentRecord]]:
    """The school records' students of this account: its own guardian record's, and those of the
    accounts merged into it."""
    guardian_ids = [account.guardian_id] + list((await session.scalars(
        select(Account.guardian_id).where(Account.merged_into_id == account.id))).all())
    rows = (await session.execute(
        select(GuardianStudentLink, StudentRecord)
        .join(StudentRecord, GuardianStudentLink.student_id == StudentRecord.id)
        .where(GuardianStudentLink.guardian_id.in_([g for g in guardian_ids if g is not None]))
        .order_by(StudentRecord.birth_date)
    )).all()
    seen, unique = set(), []
    for link, student in rows:
        if student.id not in seen:
            seen.add(student.id)
            unique.append((link, student))
    return unique


async def answers_of(session: AsyncSession, account: Account) -> dict[int, str]:
    rows = (await session.scalars(select(AccountStudent).where(AccountStudent.account_id == account.id))).all()
    return {row.student_id: row.status for row in rows}


async def only_guardian_link(session: AsyncSession, student: StudentRecord) -> bool:
    """R-KID-3: "S'il y a un seul lien responsable-élève, l'action ne sera pas prise en compte"."""
    links = await session.scalar(select(func.count()).select_from(GuardianStudentLink)
                                 .where(GuardianStudentLink.student_id == student.id))
    return (links or 0) <= 1


def record_event(session: AsyncSession, key: str, kind: str, account: Account, student: StudentRecord | None,
                 now: datetime, *, other: Account | None = None, channel: str | None = None) -> None:
    """An event for the services (parcours/events/), in the caller's transaction: refs only."""
    session.add(LinkEvent(idempotency_key=key, kind=kind, account_ref=account.ref,
                          student_ref=student.ref if student else None,
                          other_account_ref=other.ref if other else None, channel=channel, created_at=now))


def record_activation(session: AsyncSession, key_scope: str, account: Account, channel: str, now: datetime) -> None:
    """The account is active, and the contact the journey proved (a code, FranceConnect) confirmed."""
    record_event(session, f"{key_scope}/activated", "account_activated", account, None, now)
    if channel:
        record_event(session, f"{key_scope}/contact/{channel}", "contact_confirmed", account, None, now,
                     channel=channel)


async def set_answer(session: AsyncSession, account: Account, student: StudentRecord, status: str,
                     now: datetime) -> None:
    await session.merge(AccountStudent(account_id=account.id, student_id=student.id, status=status, updated_at=now))




async def record_answers(session: AsyncSession, journey_id: str, account: Account,
                         students: dict[str, StudentRecord], decisions, now: datetime) -> None:
    """A guardian's answers about students (R-ACT-7, R-KID-2), with one event per confirmation or
    report; a report of a student's only guardian link is not taken into account (R-KID-3)."""
    for decision in decisions:
        student = students[decision.student_ref]
        status = decision.status
        if status == AccountStudentStatus.REPORTED and await only_guardian_link(session, student):
            status = AccountStudentStatus.UNCONFIRMED
        await set_answer(session, account, student, status, now)
        if status in (AccountStudentStatus.CONFIRMED, AccountStudentStatus.REPORTED):
            record_event(session, f"{journey_id}/{status}/{student.ref}", f"link_{status}", account, student, now)
        if status == AccountStudentStatus.REPORTED:  # R-KID-3: the student leaves the account
            record_event(session, f"{journey_id}/left/{student.ref}", "student_left", account, student, now)
