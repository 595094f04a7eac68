"""`parcours records import`: the schools' export synced into the school records, one transaction
per school. A school's part with a bad row is not applied at all, a dry run only reads; a crash
leaves each school as it was before or after, never half-imported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import groupby
from pathlib import Path

from parcours.db.engine import Sessions
from parcours.records.identifiers import IdentifierAllocator
from parcours.records.lock import hold_import_lock
from parcours.records.report import ImportReport, SchoolReport
from parcours.records.rows import Parsed, RecordRow, RecordsFormat, parsed_rows, schools_in_order
from parcours.records.statistics import PlannerStatistics
from parcours.records.sync import SchoolSync
from parcours.security.crypto import new_reference


def by_school(rows: Iterator[Parsed]) -> Iterator[tuple[str, Iterator[Parsed]]]:
    """The rows school by school; a row without a readable UAI is a bad row of the school around it."""
    current = ""

    def school_of(parsed: Parsed) -> str:
        nonlocal current
        current = parsed.uai or current
        return current

    return groupby(rows, key=school_of)


def format_of(path: Path, given: RecordsFormat | None) -> RecordsFormat:
    if given is not None:
        return given
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv"


async def import_records(sessions: Sessions, path: Path, file_format: RecordsFormat, *, dry_run: bool,
                         now: datetime, on_bytes: Callable[[int], None] | None = None) -> ImportReport:
    """Raises FileRefused (nothing read) when the file as a whole is unusable."""
    schools_in_order(path, file_format)  # interleaved schools refuse the file before any write
    report = ImportReport(file=str(path), dry_run=dry_run)
    identifiers, statistics = IdentifierAllocator(), PlannerStatistics(sessions)
    event_key = f"records-import/{new_reference()}"  # this run's outbox events: a retry adds none
    for uai, parsed in by_school(parsed_rows(path, file_format, on_bytes)):
        school = SchoolReport(uai=uai, keep_details=dry_run)
        report.schools.append(school)
        rows = checked_rows(parsed, school)
        if school.errors:  # not applied at all: its absent rows would otherwise end links
            continue
        try:
            if dry_run:
                async with sessions() as session:  # read, never committed
                    await SchoolSync(session, uai, identifiers, now, f"{event_key}/{uai}", school).plan(rows)
                identifiers.rollback()
                continue
            async with sessions.begin() as session:
                await hold_import_lock(session)
                sync = SchoolSync(session, uai, identifiers, now, f"{event_key}/{uai}", school)
                await sync.plan(rows)
                await sync.write()
        except BaseException:
            identifiers.rollback()
            raise
        identifiers.commit()
        school.applied = True
        await statistics.after(school)
    return report


def checked_rows(parsed: Iterator[Parsed], school: SchoolReport) -> list[RecordRow]:
    """The school's rows, all checked before its transaction begins: the transaction holds the
    database's write lock (SQLite) for the writes alone, not for the checks of thousands of rows.
    Once a row is bad, the rest are only checked (their errors told), not kept."""
    rows: list[RecordRow] = []
    for row in parsed:
        school.rows += 1
        school.errors.extend(row.errors)
        if row.row is not None and not school.errors:
            rows.append(row.row)
    return rows
