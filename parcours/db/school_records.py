"""Importing school records: each guardian gets a provisioned account with a unique identifier."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.models import (
    Account,
    AccountStatus,
    GuardianRecord,
    GuardianStudentLink,
    LinkRole,
    StudentRecord,
)
from parcours.people.contact_details import normalize_email, normalize_mobile
from parcours.people.names import clean_person_name, identifier_stem
from parcours.security.crypto import new_reference


class StudentImport(BaseModel):
    ref: str
    last_name: str
    first_name: str
    birth_date: date
    school: str
    class_name: str
    role: LinkRole = LinkRole.LEGAL_REPRESENTATIVE


class GuardianImport(BaseModel):
    last_name: str
    first_name: str
    mobile: str | None = None
    email: str | None = None
    students: list[StudentImport] = Field(default_factory=list)

    _names = field_validator("last_name", "first_name")(lambda cls, v: clean_person_name(v))
    _mobile = field_validator("mobile")(lambda cls, v: v and normalize_mobile(v))
    _email = field_validator("email")(lambda cls, v: v and normalize_email(v))


async def next_free_identifier(session: AsyncSession, first_name: str, last_name: str) -> str:
    """`p.nomXX`: the stem and the smallest number not taken yet (j.dupont1, j.dupont2, …)."""
    stem = identifier_stem(first_name, last_name)
    taken = set(
        (await session.scalars(select(Account.identifier).where(Account.identifier.like(f"{stem}%")))).all()
    )
    number = 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


async def provision_student_account(session: AsyncSession, student: StudentRecord) -> Account:
    account = Account(
        ref=new_reference(), kind="student", student_id=student.id, status=AccountStatus.PROVISIONED,
        identifier=await next_free_identifier(session, student.first_name, student.last_name),
    )
    session.add(account)
    await session.flush()
    return account


async def import_guardian(session: AsyncSession, guardian: GuardianImport) -> Account:
    """Add one guardian, their students and links, and the provisioned account (caller commits)."""
    record = GuardianRecord(
        last_name=guardian.last_name, first_name=guardian.first_name, mobile=guardian.mobile, email=guardian.email
    )
    session.add(record)
    for student in guardian.students:
        existing = await session.scalar(select(StudentRecord).where(StudentRecord.ref == student.ref))
        if existing is None:
            existing = StudentRecord(**student.model_dump(exclude={"role"}))
            session.add(existing)
        session.add(GuardianStudentLink(guardian=record, student=existing, role=student.role))
    account = Account(
        ref=new_reference(),
        kind="guardian",
        guardian=record,
        identifier=await next_free_identifier(session, guardian.first_name, guardian.last_name),
        status=AccountStatus.PROVISIONED,
    )
    session.add(account)
    await session.flush()
    return account
