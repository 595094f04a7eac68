"""One school's part of an export, synced into the school records in the caller's transaction:
keyed by the school's own ids, a row adds or updates a guardian, a student and their link; a link
of the school absent from its export ends (with its outbox event). Accounts are provisioned for new
guardians; an account's own contact data is never touched (R-CON-9)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from parcours.db.models import (
    Account,
    AccountStatus,
    AccountStudent,
    GuardianRecord,
    GuardianStudentLink,
    StudentRecord,
)
from parcours.db.queries import linked_students, record_event
from parcours.people.names import identifier_stem
from parcours.records.report import SchoolReport
from parcours.records.rows import RecordRow
from parcours.security.crypto import new_reference

# Identifiers tried per query when looking for a stem's next free number (`j.dupont1`, `j.dupont2`…):
# one indexed IN query answers for this many at once.
IDENTIFIER_PROBE_BATCH = 32
LINK_ENDED = "link_ended"
FRENCH_FIELDS = {"last_name": "nom", "first_name": "prénom", "mobile": "mobile", "email": "email",
                 "birth_date": "date de naissance", "school": "établissement", "class_name": "classe"}


class IdentifierAllocator:
    """The `p.nomN` identifiers of new accounts, the smallest number free as the demo importer
    gives them (school_records.next_free_identifier), without its LIKE query: a LIKE prefix uses
    no index on either backend, and an import provisions thousands of accounts. One indexed query
    tells which of a stem's next numbers are free; those found free serve the stem's next accounts
    (only an import provisions accounts). A school rolled back gives its numbers back."""

    def __init__(self) -> None:
        self.next_number: dict[str, int] = {}
        self.free: dict[str, list[int]] = {}  # numbers found free, above next_number, ascending
        self.committed: dict[str, int] = {}

    async def allocate(self, session: AsyncSession, first_name: str, last_name: str) -> str:
        stem = identifier_stem(first_name, last_name)
        free = self.free.setdefault(stem, [])
        number = self.next_number.get(stem, 1)
        while not free:
            candidates = {f"{stem}{n}": n for n in range(number, number + IDENTIFIER_PROBE_BATCH)}
            # Not flushed first: the accounts this import added are below next_number already.
            with session.no_autoflush:
                taken = set((await session.scalars(
                    select(Account.identifier).where(Account.identifier.in_(candidates)))).all())
            free.extend(n for candidate, n in candidates.items() if candidate not in taken)
            number += IDENTIFIER_PROBE_BATCH
        chosen = free.pop(0)
        self.next_number[stem] = chosen + 1
        return f"{stem}{chosen}"

    def commit(self) -> None:
        self.committed = dict(self.next_number)

    def rollback(self) -> None:
        self.next_number, self.free = dict(self.committed), {}


def changed_fields(record: Any, values: dict[str, Any]) -> list[str]:
    """Set the values that differ on the record; their names."""
    changed = [name for name, value in values.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, values[name])
    return [FRENCH_FIELDS[name] for name in changed]


class SchoolSync:
    def __init__(self, session: AsyncSession, uai: str, identifiers: IdentifierAllocator, now: datetime,
                 event_key: str, report: SchoolReport):
        self.session, self.uai, self.identifiers, self.now = session, uai, identifiers, now
        self.event_key, self.report = event_key, report
        self.guardians: dict[str, GuardianRecord] = {}
        self.students: dict[str, StudentRecord] = {}
        self.links: dict[tuple[str, str], GuardianStudentLink] = {}
        self.seen: set[tuple[str, str]] = set()
        self.updated: set[int] = set()  # records counted as updated once, though on several rows

    async def load(self) -> None:
        """The school's records as they are: a school's part is a few thousand rows at most."""
        session = self.session
        self.guardians = {g.school_id: g for g in (await session.scalars(
            select(GuardianRecord).where(GuardianRecord.school_uai == self.uai))).all() if g.school_id}
        self.students = {s.school_id: s for s in (await session.scalars(
            select(StudentRecord).where(StudentRecord.school_uai == self.uai))).all() if s.school_id}
        guardian, student = aliased(GuardianRecord), aliased(StudentRecord)
        rows = (await session.execute(
            select(GuardianStudentLink, guardian.school_id, student.school_id)
            .join(guardian, GuardianStudentLink.guardian_id == guardian.id)
            .join(student, GuardianStudentLink.student_id == student.id)
            .where(student.school_uai == self.uai, guardian.school_uai == self.uai))).all()
        self.links = {(guardian_id or "", student_id or ""): link for link, guardian_id, student_id in rows}

    async def apply(self, row: RecordRow) -> None:
        guardian = await self.guardian(row)
        student = self.student(row)
        key = (row.id_responsable, row.id_eleve)
        self.seen.add(key)
        link = self.links.get(key)
        if link is None:
            self.links[key] = GuardianStudentLink(guardian=guardian, student=student, role=row.lien)
            self.session.add(self.links[key])
            self.report.count("links_added", f"lien {key[0]} – {key[1]} ajouté ({row.lien})")
        elif link.role != row.lien:
            link.role = row.lien
            self.report.count("links_updated", f"lien {key[0]} – {key[1]} : rôle {row.lien}")

    async def guardian(self, row: RecordRow) -> GuardianRecord:
        values = {"last_name": row.nom_responsable, "first_name": row.prenom_responsable,
                  "mobile": row.mobile_responsable, "email": row.email_responsable}
        record = self.guardians.get(row.id_responsable)
        if record is None:
            record = GuardianRecord(school_uai=self.uai, school_id=row.id_responsable, **values)
            identifier = await self.identifiers.allocate(self.session, record.first_name, record.last_name)
            self.session.add_all([record, Account(ref=new_reference(), kind="guardian", guardian=record,
                                                  identifier=identifier, status=AccountStatus.PROVISIONED)])
            self.guardians[row.id_responsable] = record
            self.report.count("guardians_added", f"responsable {row.id_responsable} ajouté, compte {identifier}")
        elif (changed := changed_fields(record, values)) and id(record) not in self.updated:
            self.updated.add(id(record))
            self.report.count("guardians_updated", f"responsable {row.id_responsable} modifié : {', '.join(changed)}")
        return record

    def student(self, row: RecordRow) -> StudentRecord:
        values = {"last_name": row.nom_eleve, "first_name": row.prenom_eleve, "birth_date": row.date_naissance,
                  "school": row.school_name, "class_name": row.classe}
        record = self.students.get(row.id_eleve)
        if record is None:
            record = StudentRecord(ref=new_reference(), school_uai=self.uai, school_id=row.id_eleve, **values)
            self.session.add(record)
            self.students[row.id_eleve] = record
            self.report.count("students_added", f"élève {row.id_eleve} ajouté")
        elif (changed := changed_fields(record, values)) and id(record) not in self.updated:
            self.updated.add(id(record))
            self.report.count("students_updated", f"élève {row.id_eleve} modifié : {', '.join(changed)}")
        return record

    async def finish(self) -> None:
        """The school's links absent from its export end: a full export is the school's truth."""
        for key, link in self.links.items():
            if key not in self.seen:
                await self.end(key, link)

    async def end(self, key: tuple[str, str], link: GuardianStudentLink) -> None:
        """The student leaves the guardian's account (or the account it was merged into): its
        answer goes, so a link made again later is proposed anew (R-KID-2), and the services
        that consume links are told, as for a report (R-KID-3)."""
        session = self.session
        account = await session.scalar(select(Account).where(Account.guardian_id == link.guardian_id))
        if account is not None and account.merged_into_id is not None:
            account = await session.get(Account, account.merged_into_id)
        student = self.students[key[1]]
        await session.delete(link)
        await session.flush()
        self.report.count("links_ended", f"lien {key[0]} – {key[1]} terminé")
        if account is None:
            return
        record_event(session, f"{self.event_key}/{LINK_ENDED}/{account.ref}/{student.ref}", LINK_ENDED, account,
                     student, self.now)
        if all(other.id != student.id for _, other in await linked_students(session, account)):
            await session.execute(delete(AccountStudent).where(AccountStudent.account_id == account.id,
                                                               AccountStudent.student_id == student.id))
