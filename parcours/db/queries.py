"""Queries several activities share."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Table, func, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
ANSWERS = table_of(AccountStudent)


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
    return await only_guardian_link_of(session, student.id)


async def only_guardian_link_of(session: AsyncSession, student_id: int) -> bool:
    links = await session.scalar(select(func.count()).select_from(LINKS).where(LINKS.c.student_id == student_id))
    return (links or 0) <= 1


async def settled_answer(session: AsyncSession, student_id: int, status: str) -> str:
    """A report of a student's only guardian link is not taken into account (R-KID-3)."""
    if status == AccountStudentStatus.REPORTED and await only_guardian_link_of(session, student_id):
        return AccountStudentStatus.UNCONFIRMED
    return status


def event_row(key: str, kind: str, account_ref: str, student_ref: str | None, now: datetime, *,
              other_ref: str | None = None, channel: str | None = None) -> dict[str, Any]:
    """An outbox row (parcours/events/): refs only."""
    return dict(idempotency_key=key, kind=kind, account_ref=account_ref, student_ref=student_ref,
                other_account_ref=other_ref, channel=channel, created_at=now)


def record_event(session: AsyncSession, key: str, kind: str, account: Account, student: StudentRecord | None,
                 now: datetime, *, other: Account | None = None, channel: str | None = None) -> None:
    """An event for the services (parcours/events/), in the caller's transaction: refs only."""
    session.add(LinkEvent(**event_row(key, kind, account.ref, student.ref if student else None, now,
                                      other_ref=other.ref if other else None, channel=channel)))


def activation_events(key_scope: str, account_ref: str, channel: str, now: datetime) -> list[dict[str, Any]]:
    """The account is active, and the contact the journey proved (a code, FranceConnect) confirmed."""
    events = [event_row(f"{key_scope}/activated", "account_activated", account_ref, None, now)]
    if channel:
        events.append(event_row(f"{key_scope}/contact/{channel}", "contact_confirmed", account_ref, None, now,
                                channel=channel))
    return events


def answer_events(journey_id: str, account_ref: str, student_ref: str, status: str,
                  now: datetime) -> list[dict[str, Any]]:
    """One event per confirmation or report; a reported student leaves the account (R-KID-3)."""
    events = []
    if status in (AccountStudentStatus.CONFIRMED, AccountStudentStatus.REPORTED):
        events.append(event_row(f"{journey_id}/{status}/{student_ref}", f"link_{status}", account_ref, student_ref,
                                now))
    if status == AccountStudentStatus.REPORTED:
        events.append(event_row(f"{journey_id}/left/{student_ref}", "student_left", account_ref, student_ref, now))
    return events


def record_activation(session: AsyncSession, key_scope: str, account: Account, channel: str, now: datetime) -> None:
    """The account is active, and the contact the journey proved (a code, FranceConnect) confirmed."""
    session.add_all(LinkEvent(**row) for row in activation_events(key_scope, account.ref, channel, now))


async def set_answer(session: AsyncSession, account: Account, student: StudentRecord, status: str,
                     now: datetime) -> None:
    await session.merge(AccountStudent(account_id=account.id, student_id=student.id, status=status, updated_at=now))




async def write_answers(session: AsyncSession, journey_id: str, account_id: int, account_ref: str,
                        student_ids: dict[str, int], decisions, now: datetime) -> list[dict[str, Any]]:
    """`record_answers` by Core statements, for a caller that loaded no objects (the activation):
    the answers written by one upsert; the events they call for, for the caller to write with its own."""
    answers, events = [], []
    for decision in decisions:
        student_id = student_ids[decision.student_ref]
        status = await settled_answer(session, student_id, decision.status)
        answers.append(dict(account_id=account_id, student_id=student_id, status=status, updated_at=now))
        events += answer_events(journey_id, account_ref, decision.student_ref, status, now)
    if answers:
        upsert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = upsert(ANSWERS)
        await session.execute(statement.on_conflict_do_update(
            index_elements=[ANSWERS.c.account_id, ANSWERS.c.student_id],
            set_={"status": statement.excluded.status, "updated_at": statement.excluded.updated_at}), answers)
    return events


async def write_events(session: AsyncSession, events: list[dict[str, Any]]) -> None:
    """Outbox rows in one INSERT (Core): the relay gives them their positions later."""
    if events:
        await session.execute(insert(EVENTS), events)


async def record_answers(session: AsyncSession, journey_id: str, account: Account,
                         students: dict[str, StudentRecord], decisions, now: datetime) -> None:
    """A guardian's answers about students (R-ACT-7, R-KID-2), with one event per confirmation or
    report; a report of a student's only guardian link is not taken into account (R-KID-3)."""
    for decision in decisions:
        student = students[decision.student_ref]
        status = await settled_answer(session, student.id, decision.status)
        await set_answer(session, account, student, status, now)
        session.add_all(LinkEvent(**row) for row in answer_events(journey_id, account.ref, student.ref, status, now))
