"""One school's part of an export, synced into the school records in the caller's transaction:
keyed by the school's own ids, a row adds or updates a guardian, a student and their link; a link
of the school absent from its export ends (with its outbox event). Accounts are provisioned for new
guardians; an account's own contact data is never touched (R-CON-9).

Set-based: what the school has is read in three queries, the changes are worked out in memory row
by row (the report tells them in the file's order), then written kind by kind — bulk INSERTs, bulk
UPDATEs of the changed records only — a few statements per school whatever its size, where one per
row paid a network round trip each on PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.models import Account, AccountStatus, GuardianRecord, GuardianStudentLink, StudentRecord
from parcours.records.ended import EndedLink, end_links
from parcours.records.identifiers import IdentifierAllocator, chunks
from parcours.records.report import SchoolReport, role_words
from parcours.records.rows import RecordRow
from parcours.security.crypto import new_reference

FRENCH_FIELDS = {"last_name": "nom", "first_name": "prénom", "mobile": "mobile", "email": "email",
                 "birth_date": "date de naissance", "school": "établissement", "class_name": "classe"}
GUARDIAN_COLUMNS = ("last_name", "first_name", "mobile", "email")
STUDENT_COLUMNS = ("ref", "last_name", "first_name", "birth_date", "school", "class_name")


@dataclass
class SchoolRecords:
    """One kind of record of a school, by the school's id: the columns' values, with `id` for
    those stored; which the export adds, and which stored ones it changes."""

    values: dict[str, dict[str, Any]]
    added: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)  # told as updated once, though changed on several rows

    def add(self, school_id: str, values: dict[str, Any]) -> None:
        self.values[school_id] = values
        self.added.append(school_id)

    def update(self, school_id: str, values: dict[str, Any]) -> list[str]:
        """Set the values that differ; the French names of those fields, unless told already."""
        record = self.values[school_id]
        differing = [name for name, value in values.items() if record[name] != value]
        if not differing:
            return []
        record.update(values)
        if "id" in record:
            self.changed.add(school_id)
        if school_id in self.told:
            return []
        self.told.add(school_id)
        return [FRENCH_FIELDS[name] for name in differing]

    def new_rows(self, **common: Any) -> list[dict[str, Any]]:
        return [{**common, "school_id": school_id, **self.values[school_id]} for school_id in self.added]

    def changed_rows(self) -> list[dict[str, Any]]:
        return [self.values[school_id] for school_id in self.changed]


def guardian_values(row: RecordRow) -> dict[str, Any]:
    return {"last_name": row.nom_responsable, "first_name": row.prenom_responsable,
            "mobile": row.mobile_responsable, "email": row.email_responsable}


def student_values(row: RecordRow) -> dict[str, Any]:
    return {"last_name": row.nom_eleve, "first_name": row.prenom_eleve, "birth_date": row.date_naissance,
            "school": row.school_name, "class_name": row.classe}


class SchoolSync:
    def __init__(self, session: AsyncSession, uai: str, identifiers: IdentifierAllocator, now: datetime,
                 event_key: str, report: SchoolReport):
        self.session, self.uai, self.identifiers, self.now = session, uai, identifiers, now
        self.event_key, self.report = event_key, report
        self.guardians = SchoolRecords({})
        self.students = SchoolRecords({})
        self.accounts: dict[str, str] = {}  # a new guardian's school id: its account's identifier
        self.links: dict[tuple[str, str], dict[str, Any]] = {}  # (guardian, student): id when stored, role
        self.added_links: list[tuple[str, str]] = []
        self.changed_links: set[tuple[str, str]] = set()
        self.ended: list[EndedLink] = []

    async def plan(self, rows: list[RecordRow]) -> None:
        """Work out, and report, what the rows change; nothing is written yet."""
        await self.load()
        new_guardians: dict[str, RecordRow] = {}
        for row in rows:
            if row.id_responsable not in self.guardians.values:
                new_guardians.setdefault(row.id_responsable, row)
        identifiers = await self.identifiers.allocate(
            self.session, [(row.prenom_responsable, row.nom_responsable) for row in new_guardians.values()])
        self.accounts = dict(zip(new_guardians, identifiers, strict=True))
        for row in rows:
            self.apply(row)
        self.finish({(row.id_responsable, row.id_eleve) for row in rows})

    async def load(self) -> None:
        """The school's records as they are: a school's part is a few thousand rows at most."""
        execute = self.session.execute
        guardians = await execute(select(GuardianRecord.id, GuardianRecord.school_id,
                                         *(getattr(GuardianRecord, c) for c in GUARDIAN_COLUMNS))
                                  .where(GuardianRecord.school_uai == self.uai, GuardianRecord.school_id.is_not(None)))
        self.guardians = SchoolRecords({row.school_id: without_school_id(row) for row in guardians})
        students = await execute(select(StudentRecord.id, StudentRecord.school_id,
                                        *(getattr(StudentRecord, c) for c in STUDENT_COLUMNS))
                                 .where(StudentRecord.school_uai == self.uai, StudentRecord.school_id.is_not(None)))
        self.students = SchoolRecords({row.school_id: without_school_id(row) for row in students})
        # By the ids just read, not by a join on the school: PostgreSQL's statistics, stale while an
        # import grows the tables, made it plan that join as a cross product (seconds per school).
        guardian_of = {values["id"]: school_id for school_id, values in self.guardians.values.items()}
        student_of = {values["id"]: school_id for school_id, values in self.students.values.items()}
        self.links = {}
        for ids in chunks(list(guardian_of)):
            for link in await execute(select(GuardianStudentLink.id, GuardianStudentLink.role,
                                             GuardianStudentLink.guardian_id, GuardianStudentLink.student_id)
                                      .where(GuardianStudentLink.guardian_id.in_(ids))):
                if link.student_id in student_of:
                    self.links[(guardian_of[link.guardian_id], student_of[link.student_id])] = link._asdict()

    def apply(self, row: RecordRow) -> None:
        self.sync_guardian(row)
        self.sync_student(row)
        key = (row.id_responsable, row.id_eleve)
        link = self.links.get(key)
        if link is None:
            self.links[key] = {"role": row.lien}
            self.added_links.append(key)
            self.report.count("links_added", f"lien {key[0]} – {key[1]} ajouté ({role_words(row.lien)})")
        elif link["role"] != row.lien:
            link["role"] = row.lien
            if "id" in link:
                self.changed_links.add(key)
            self.report.count("links_updated", f"lien {key[0]} – {key[1]} : rôle {role_words(row.lien)}")

    def sync_guardian(self, row: RecordRow) -> None:
        school_id, values = row.id_responsable, guardian_values(row)
        if school_id not in self.guardians.values:
            self.guardians.add(school_id, values)
            self.report.count("guardians_added", f"responsable {school_id} ajouté, compte {self.accounts[school_id]}")
        elif changed := self.guardians.update(school_id, values):
            self.report.count("guardians_updated", f"responsable {school_id} modifié : {', '.join(changed)}")

    def sync_student(self, row: RecordRow) -> None:
        school_id, values = row.id_eleve, student_values(row)
        if school_id not in self.students.values:
            self.students.add(school_id, {"ref": new_reference(), **values})
            self.report.count("students_added", f"élève {school_id} ajouté")
        elif changed := self.students.update(school_id, values):
            self.report.count("students_updated", f"élève {school_id} modifié : {', '.join(changed)}")

    def finish(self, seen: set[tuple[str, str]]) -> None:
        """The school's links absent from its export end: a full export is the school's truth."""
        for key, link in self.links.items():
            if key not in seen:
                self.ended.append(EndedLink(link["id"], link["guardian_id"], link["student_id"],
                                            self.students.values[key[1]]["ref"]))
                self.report.count("links_ended", f"lien {key[0]} – {key[1]} terminé")

    async def write(self) -> None:
        session = self.session
        guardian_ids = await insert_returning_ids(session, GuardianRecord, self.guardians.new_rows(school_uai=self.uai))
        if guardian_ids:
            await session.execute(insert(table(Account)), [
                dict(ref=new_reference(), kind="guardian", guardian_id=guardian_ids[school_id], identifier=identifier,
                     status=AccountStatus.PROVISIONED) for school_id, identifier in self.accounts.items()])
        student_ids = await insert_returning_ids(session, StudentRecord, self.students.new_rows(school_uai=self.uai))
        for kind, records in ((GuardianRecord, self.guardians), (StudentRecord, self.students)):
            if records.changed:  # by primary key: one statement, run for each changed record
                await session.execute(update(kind), records.changed_rows())
        if self.changed_links:
            await session.execute(update(GuardianStudentLink), [
                {"id": self.links[key]["id"], "role": self.links[key]["role"]} for key in self.changed_links])
        if self.added_links:
            guardian_ids.update((k, v["id"]) for k, v in self.guardians.values.items() if "id" in v)
            student_ids.update((k, v["id"]) for k, v in self.students.values.items() if "id" in v)
            await session.execute(insert(table(GuardianStudentLink)), [
                {"guardian_id": guardian_ids[g], "student_id": student_ids[s], "role": self.links[(g, s)]["role"]}
                for g, s in self.added_links])
        await end_links(session, self.ended, self.event_key, self.now)


def table(model: Any) -> Table:
    """The model's table: Core's INSERT of many rows skips the ORM's work per row (a third of the
    time a school's transaction held SQLite's write lock)."""
    return model.__table__


def without_school_id(row: Any) -> dict[str, Any]:
    values = row._asdict()
    del values["school_id"]
    return values


async def insert_returning_ids(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the records, all at once; their ids by the school's id."""
    if not rows:
        return {}
    records = table(model)
    inserted = await session.execute(insert(records).returning(records.c.school_id, records.c.id), rows)
    return {school_id: record_id for school_id, record_id in inserted}
