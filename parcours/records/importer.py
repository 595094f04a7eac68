"""`parcours records import`: the schools' export synced into the school records, one transaction
per school. A school's part with a bad row, or any part of a dry run, is rolled back whole; a crash
leaves each school as it was before or after, never half-imported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import groupby
from pathlib import Path

from parcours.db.engine import Sessions
from parcours.records.report import ImportReport, SchoolReport
from parcours.records.rows import Parsed, RecordsFormat, parsed_rows, schools_in_order
from parcours.records.sync import IdentifierAllocator, SchoolSync
from parcours.security.crypto import new_reference


class _RollBack(Exception):
    """Raised inside a school's transaction to undo it: Sessions.begin() commits otherwise."""


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
    identifiers = IdentifierAllocator()
    event_key = f"records-import/{new_reference()}"  # this run's outbox events: a retry adds none
    for uai, rows in by_school(parsed_rows(path, file_format, on_bytes)):
        school = SchoolReport(uai=uai, keep_details=dry_run)
        report.schools.append(school)
        try:
            async with sessions.begin() as session:
                sync = SchoolSync(session, uai, identifiers, now, f"{event_key}/{uai}", school)
                await sync.load()
                for parsed in rows:
                    school.rows += 1
                    school.errors.extend(parsed.errors)
                    if parsed.row is not None and not school.errors:  # else only the checks go on
                        await sync.apply(parsed.row)
                if not school.errors:
                    await sync.finish()
                if school.errors or dry_run:
                    raise _RollBack
            identifiers.commit()
            school.applied = True
        except _RollBack:
            identifiers.rollback()
            if school.errors:  # what the rows before the first bad one did is undone: not a change
                school.changes, school.details = SchoolReport(uai=uai).changes, []
    return report
