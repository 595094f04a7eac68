"""Two imports at once — two CLIs, or the CLI and the admin endpoint, each with its own engine as
here — apply their schools one transaction after the other (parcours/records/lock.py): the same
file twice adds each guardian and provisions its account once; two files of different schools
whose guardians have the same names give every new account its own identifier."""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bench.records import GUARDIANS_PER_STUDENT, write_export
from parcours.db.engine import create_schema, make_engine, make_session_factory, recreate_schema
from parcours.db.models import Account, GuardianRecord
from parcours.records.importer import import_records
from tests.test_records_crash import per_school

SCHOOLS, ROWS_PER_SCHOOL = 4, 300
CHANGES_PER_ROW = 1 + 1 + 1 / GUARDIANS_PER_STUDENT  # its guardian, its link, half a student


@pytest.fixture
async def two_importers(settings):
    """Two engines on the test database, as two processes would have."""
    engines = [make_engine(settings.database_url) for _ in range(2)]
    await (create_schema(engines[0]) if engines[0].dialect.name == "sqlite" else recreate_schema(engines[0]))
    yield [make_session_factory(engine) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def both(importers, first, second):
    now = datetime.now(UTC)
    return await asyncio.gather(*(import_records(sessions, path, "csv", dry_run=False, now=now)
                                  for sessions, path in zip(importers, (first, second), strict=True)))


async def test_the_same_file_imported_twice_at_once_provisions_each_account_once(two_importers, tmp_path):
    export = write_export(tmp_path / "export.csv", SCHOOLS * ROWS_PER_SCHOOL, ROWS_PER_SCHOOL)
    reports = await both(two_importers, export, export)
    assert all(school.applied for report in reports for school in report.schools)
    assert sum(report.total_changes for report in reports) == SCHOOLS * ROWS_PER_SCHOOL * CHANGES_PER_ROW
    for uai in (school.uai for school in reports[0].schools):  # each school's changes made by one import only
        assert sorted(report.schools[[s.uai for s in report.schools].index(uai)].total > 0 for report in reports) \
            == [False, True]
    counts = await per_school(two_importers[0])
    assert set(counts.values()) == {(ROWS_PER_SCHOOL,) * 3} and len(counts) == SCHOOLS


async def test_two_files_of_namesakes_at_once_give_each_account_its_own_identifier(two_importers, tmp_path):
    first = write_export(tmp_path / "first.csv", SCHOOLS * ROWS_PER_SCHOOL, ROWS_PER_SCHOOL)
    second = write_export(tmp_path / "second.csv", SCHOOLS * ROWS_PER_SCHOOL, ROWS_PER_SCHOOL, first_school=SCHOOLS)
    reports = await both(two_importers, first, second)
    assert all(school.applied for report in reports for school in report.schools)
    async with two_importers[0]() as session:
        identifiers = (await session.scalars(select(Account.identifier))).all()
        guardians = await session.scalar(select(func.count()).select_from(GuardianRecord))
    assert len(set(identifiers)) == len(identifiers) == guardians == 2 * SCHOOLS * ROWS_PER_SCHOOL
    numbers: dict[str, list[int]] = defaultdict(list)
    for identifier in identifiers:
        stem, number = re.fullmatch(r"(\D+)(\d+)", identifier).groups()  # type: ignore[union-attr]
        numbers[stem].append(int(number))
    # each name's smallest numbers free: none skipped, none given twice
    assert max(map(len, numbers.values())) > 1
    assert all(sorted(given) == list(range(1, len(given) + 1)) for given in numbers.values())
