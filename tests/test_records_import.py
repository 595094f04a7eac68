"""`parcours records import`: a sync keyed by the schools' own ids (re-importing changes nothing, a
changed row updates the record and never the account, an absent link ends with its outbox event),
bad rows by line and field in French, --dry-run, one transaction per school."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from parcours.db.engine import create_schema, make_engine, make_session_factory, recreate_schema
from parcours.db.models import Account, AccountStudent, GuardianRecord, GuardianStudentLink, LinkEvent, StudentRecord
from parcours.records.importer import import_records
from parcours.records.rows import COLUMNS, FileRefused

HEADER = ";".join(COLUMNS)
SCHOOL_A, SCHOOL_B = "0751234A", "0931234B"
COLLEGE = f"{SCHOOL_A};Collège Exemple"
LUCAS = f"{COLLEGE};6e A;E1;Dupont;Lucas;12/03/2013;R1;Dupont;Jean;représentant légal;06 01 02 03 04;"
EMMA_JEAN = f"{COLLEGE};4e B;E2;Dupont;Emma;05/09/2011;R2;Dupont;Jean;représentant légal;06 05 06 07 08;"
EMMA_CLAIRE = f"{COLLEGE};4e B;E2;Dupont;Emma;05/09/2011;R3;Martin;Claire;personne en charge;;c@example.org"
NOUR = f"{SCHOOL_B};Lycée Autre;2nde 1;E1;Benali;Nour;30/06/2010;R1;Benali;Karim;représentant légal;;k@example.org"


def export(tmp_path, *rows: str, name: str = "export.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def sessions(settings):
    engine = make_engine(settings.database_url)
    if engine.dialect.name == "sqlite":
        await create_schema(engine)
    else:  # the suite's shared PostgreSQL database: empty tables
        await recreate_schema(engine)
    yield make_session_factory(engine)
    await engine.dispose()


async def run(sessions, path, *, dry_run=False, file_format="csv"):
    return await import_records(sessions, path, file_format, dry_run=dry_run, now=datetime.now(UTC))


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_first_import_provisions_accounts_and_the_same_file_again_changes_nothing(sessions, tmp_path):
    path = export(tmp_path, LUCAS, EMMA_JEAN, EMMA_CLAIRE, NOUR)
    first = await run(sessions, path)
    assert [s.applied for s in first.schools] == [True, True] and not first.errors
    assert first.schools[0].changes == {"guardians_added": 3, "guardians_updated": 0, "students_added": 2,
                                        "students_updated": 0, "links_added": 3, "links_updated": 0,
                                        "links_ended": 0}
    async with sessions() as session:
        identifiers = sorted((await session.scalars(select(Account.identifier))).all())
    assert identifiers == ["c.martin1", "j.dupont1", "j.dupont2", "k.benali1"]  # two Jean Dupont, two accounts
    again = await run(sessions, path)
    assert again.total_changes == 0 and all(s.applied for s in again.schools)
    assert await count(sessions, Account) == 4 and await count(sessions, GuardianStudentLink) == 4


async def test_a_changed_row_updates_the_record_never_the_account(sessions, tmp_path):
    await run(sessions, export(tmp_path, LUCAS))
    async with sessions.begin() as session:  # the account has contact data of its own (R-CON-9)
        account = await session.scalar(select(Account))
        account.mobile = "+33600000000"
    corrected = LUCAS.replace("12/03/2013", "13/03/2013").replace("06 01 02 03 04", "07 81 22 33 44")
    report = await run(sessions, export(tmp_path, corrected))
    assert report.total_changes == 2, report.schools[0].changes
    async with sessions() as session:
        student = await session.scalar(select(StudentRecord))
        guardian = await session.scalar(select(GuardianRecord))
        account = await session.scalar(select(Account))
    assert student.birth_date == date(2013, 3, 13) and guardian.mobile == "+33781223344"
    assert account.mobile == "+33600000000" and account.identifier == "j.dupont1"


async def test_a_link_absent_from_a_school_export_ends_with_its_event(sessions, tmp_path):
    await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN, EMMA_CLAIRE, NOUR))
    async with sessions.begin() as session:  # Claire had confirmed Emma
        claire = await session.scalar(select(Account).where(Account.identifier == "c.martin1"))
        emma = await session.scalar(select(StudentRecord).where(StudentRecord.first_name == "Emma"))
        session.add(AccountStudent(account_id=claire.id, student_id=emma.id, status="confirmed",
                                   updated_at=datetime.now(UTC)))
    report = await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN))  # school A's full export; B absent
    assert report.schools[0].changes["links_ended"] == 1 and report.total_changes == 1
    async with sessions() as session:
        events = (await session.scalars(select(LinkEvent))).all()
        answers = (await session.scalars(select(AccountStudent))).all()
    assert [(e.kind, e.account_ref, e.student_ref) for e in events] == [("link_ended", claire.ref, emma.ref)]
    assert answers == []  # Emma left Claire's account: a link made again is proposed anew (R-KID-2)
    assert await count(sessions, GuardianStudentLink) == 3  # Nour's school was not in the file: untouched


async def test_bad_rows_are_told_by_line_and_field_and_their_school_is_not_applied(sessions, tmp_path):
    bad = LUCAS.replace("12/03/2013", "31/02/2013").replace("représentant légal", "tuteur")
    report = await run(sessions, export(tmp_path, bad, EMMA_JEAN.replace(SCHOOL_A, "07512"), NOUR))
    assert [error.french() for error in report.errors] == [
        "ligne 2, date_naissance : cette date n'existe pas",
        "ligne 2, lien : attendu « représentant légal » ou « personne en charge »",
        "ligne 3, uai : code UAI attendu : 7 chiffres et une lettre (0751234A)",
    ]
    assert [(s.uai, s.applied, s.total) for s in report.schools] == [(SCHOOL_A, False, 0), (SCHOOL_B, True, 3)]
    async with sessions() as session:
        assert (await session.scalars(select(GuardianRecord.school_uai))).all() == [SCHOOL_B]


async def test_a_dry_run_tells_what_would_change_and_writes_nothing(sessions, tmp_path):
    await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN))
    changed = LUCAS.replace("12/03/2013", "13/03/2013")
    report = await run(sessions, export(tmp_path, changed, EMMA_CLAIRE), dry_run=True)
    assert report.schools[0].details == ["élève E1 modifié : date de naissance",
                                         "responsable R3 ajouté, compte c.martin1",
                                         "lien R3 – E2 ajouté (personne en charge)", "lien R2 – E2 terminé"]
    assert not report.schools[0].applied and report.total_changes == 4
    # Each count agrees with its noun: « 1 élève modifié », never « 1 élèves modifiés ».
    assert ("1 responsable ajouté (compte provisionné), 1 élève modifié, 1 lien ajouté, 1 lien terminé"
            in report.schools[0].french())
    again = await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN))
    assert again.total_changes == 0 and await count(sessions, Account) == 2 and await count(sessions, LinkEvent) == 0


async def test_json_lines_carry_the_same_fields(sessions, tmp_path):
    rows = [dict(zip(COLUMNS, line.split(";"), strict=True)) for line in (LUCAS, NOUR)]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join([json.dumps(rows[0]), "{pas du json", json.dumps(rows[1])]) + "\n")
    report = await run(sessions, path, file_format="jsonl")
    assert [e.french() for e in report.errors] == ["ligne 2, ligne : JSON invalide"]
    assert [(s.uai, s.applied) for s in report.schools] == [(SCHOOL_A, False), (SCHOOL_B, True)]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    fixed = await run(sessions, path, file_format="jsonl")  # school B was applied already: A's part alone
    assert [(s.uai, s.total) for s in fixed.schools] == [(SCHOOL_A, 3), (SCHOOL_B, 0)]


async def test_a_file_whose_schools_are_interleaved_or_columns_missing_is_refused_whole(sessions, tmp_path):
    with pytest.raises(FileRefused, match="ligne 4 : les lignes de l'établissement 0751234A doivent se suivre"):
        await run(sessions, export(tmp_path, LUCAS, NOUR, EMMA_JEAN))
    (tmp_path / "short.csv").write_text("uai;nom_eleve\n0751234A;Dupont\n")
    with pytest.raises(FileRefused, match="colonnes manquantes dans l'en-tête : classe, id_eleve"):
        await run(sessions, tmp_path / "short.csv")
    assert await count(sessions, GuardianRecord) == 0


async def test_links_of_a_merged_account_end_once_and_its_answer_goes_with_the_last(sessions, tmp_path):
    """Claire's account merged into Jean's (R-KID-1): Emma counts for Jean's account through two
    guardian records. One link ending tells it, the answer stays; the last one takes it away."""
    await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN, EMMA_CLAIRE))
    async with sessions.begin() as session:
        accounts = {a.identifier: a for a in (await session.scalars(select(Account))).all()}
        jean, claire = accounts["j.dupont2"], accounts["c.martin1"]
        claire.merged_into_id, claire.status = jean.id, "merged"
        emma = await session.scalar(select(StudentRecord).where(StudentRecord.first_name == "Emma"))
        session.add(AccountStudent(account_id=jean.id, student_id=emma.id, status="confirmed",
                                   updated_at=datetime.now(UTC)))
    await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN))  # Claire's link ends: Emma is still Jean's child
    async with sessions() as session:
        assert [(e.account_ref, e.student_ref) for e in (await session.scalars(select(LinkEvent))).all()] \
               == [(jean.ref, emma.ref)]
        assert await count(sessions, AccountStudent) == 1
    await run(sessions, export(tmp_path, LUCAS, EMMA_JEAN, EMMA_CLAIRE))  # Claire's link again
    both_end = await run(sessions, export(tmp_path, LUCAS))  # both of Emma's links end in one import: one event
    assert both_end.schools[0].changes["links_ended"] == 2
    async with sessions() as session:
        events = (await session.scalars(select(LinkEvent).order_by(LinkEvent.id))).all()
    assert [(e.kind, e.account_ref, e.student_ref) for e in events] == [("link_ended", jean.ref, emma.ref)] * 2
    assert await count(sessions, AccountStudent) == 0


async def test_a_record_on_several_rows_is_told_updated_once_and_a_new_role_is_a_change(sessions, tmp_path):
    emma_of_r1 = EMMA_JEAN.replace(";R2;", ";R1;").replace("06 05 06 07 08", "06 01 02 03 04")  # Jean, father of both
    await run(sessions, export(tmp_path, LUCAS, emma_of_r1))
    moved = [row.replace("06 01 02 03 04", "07 81 22 33 44") for row in (LUCAS, emma_of_r1)]
    report = await run(sessions, export(tmp_path, moved[0], moved[1].replace("représentant légal",
                                                                               "personne en charge")))
    changes = report.schools[0].changes
    assert (changes["guardians_updated"], changes["links_updated"], report.total_changes) == (1, 1, 2)
    async with sessions() as session:
        assert (await session.scalars(select(GuardianStudentLink.role).order_by(GuardianStudentLink.id))).all() \
               == ["legal_representative", "person_in_charge"]
        assert (await session.scalars(select(GuardianRecord.mobile))).all() == ["+33781223344"]
