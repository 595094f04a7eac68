"""A crash mid-import leaves nothing half-imported: `parcours records import` killed (SIGKILL, no
cleanup) while it writes a large export leaves each school as before or as after, and the same
import run again completes the rest."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from bench.records import write_export
from parcours.db.engine import create_schema, make_engine, make_session_factory, recreate_schema
from parcours.db.models import Account, GuardianRecord, GuardianStudentLink, StudentRecord
from parcours.records.importer import import_records

SCHOOLS, ROWS_PER_SCHOOL = 8, 600
STARTED_WRITING_WITHIN_S = 120  # the child's start and the first school's commit, on a loaded machine
POLL_S = 0.02


async def per_school(sessions) -> dict[str, tuple[int, int, int]]:
    """(guardians, their accounts, links) of each school in the database."""
    async with sessions() as session:
        guardians = dict((await session.execute(select(GuardianRecord.school_uai, func.count())
                                                .group_by(GuardianRecord.school_uai))).all())
        accounts = dict((await session.execute(select(GuardianRecord.school_uai, func.count())
                                               .join(Account, Account.guardian_id == GuardianRecord.id)
                                               .group_by(GuardianRecord.school_uai))).all())
        links = dict((await session.execute(
            select(StudentRecord.school_uai, func.count())
            .join(GuardianStudentLink, GuardianStudentLink.student_id == StudentRecord.id)
            .group_by(StudentRecord.school_uai))).all())
    return {uai: (guardians[uai], accounts.get(uai, 0), links.get(uai, 0)) for uai in guardians}


async def test_a_crash_mid_import_leaves_each_school_before_or_after(settings, tmp_path):
    export = write_export(tmp_path / "export.csv", SCHOOLS * ROWS_PER_SCHOOL, ROWS_PER_SCHOOL)
    engine = make_engine(settings.database_url)
    await (create_schema(engine) if engine.dialect.name == "sqlite" else recreate_schema(engine))
    sessions = make_session_factory(engine)
    # Started, not waited on (ASYNC220): the loop below polls the database meanwhile.
    child = subprocess.Popen([sys.executable, "-m", "parcours.cli", "records", "import", str(export)],  # noqa: ASYNC220
                             env={**os.environ, "PARCOURS_DATABASE_URL": settings.database_url}, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTED_WRITING_WITHIN_S
        while not await per_school(sessions):  # killed once a school is in: the next is being written
            assert child.poll() is None and time.monotonic() < deadline, child.stderr and child.stderr.read()
            await asyncio.sleep(POLL_S)
        child.kill()
    finally:
        child.wait()
    assert child.returncode == -9, "the import ended before it was killed: make the file larger"
    after = (ROWS_PER_SCHOOL, ROWS_PER_SCHOOL, ROWS_PER_SCHOOL)  # one guardian and account per row
    killed = await per_school(sessions)
    assert killed and all(counts == after for counts in killed.values()), killed
    assert len(killed) < SCHOOLS
    report = await import_records(sessions, export, "csv", dry_run=False, now=datetime.now(UTC))
    assert [s.total > 0 for s in report.schools] == [False] * len(killed) + [True] * (SCHOOLS - len(killed))
    assert set((await per_school(sessions)).values()) == {after}
    await engine.dispose()
