"""`python -m bench.records --rows 100000` — `parcours records import` on a generated export of N
rows into a fresh SQLite database (or --database-url): prints rows per second, for the first import
(everything added, accounts provisioned) and for the same file again (nothing changes), the
process's peak memory, and the latencies of a live journey's database work (bench/live_ops.py,
in a process of its own) while each import runs. Numbers, never timed tests; see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.measures import percentile
from parcours.db.engine import create_schema, make_engine, make_session_factory
from parcours.records.importer import import_records
from parcours.records.rows import COLUMNS

ROWS_PER_SCHOOL = 2000  # a large collège: about 1,000 students with two guardians each
GUARDIANS_PER_STUDENT = 2
FIRST_NAMES = ("Jean", "Marie", "Ali", "Camille", "Léa", "Hugo", "Inès", "Karim", "Sophie", "Paul", "Nour", "Zoé")
LAST_NAMES = ("Dupont", "Martin", "Bernard", "Petit", "Durand", "Lefèvre", "Moreau", "Benali", "Garcia", "Roux",
              "Fournier", "Girard", "Lambert", "Bonnet", "Faure", "Mercier")
FIRST_BIRTH_DATE = date(2008, 1, 1)
BIRTH_DATE_SPAN_DAYS = 10 * 365  # the students of a collège and a lycée


def export_rows(rows: int, rows_per_school: int = ROWS_PER_SCHOOL, first_school: int = 0):
    """The export's rows, school by school (their UAI sorted, as the import wants), two guardians per
    student: names repeat (homonyms get distinct identifiers), ids and mobiles do not."""
    for index in range(first_school * rows_per_school, first_school * rows_per_school + rows):
        school, within = divmod(index, rows_per_school)
        student, guardian = divmod(within, GUARDIANS_PER_STUDENT)
        family = LAST_NAMES[(school * rows_per_school + student) % len(LAST_NAMES)]
        number = school * rows_per_school + within
        yield {"uai": f"{school:07d}A", "etablissement": f"Collège {school}", "classe": f"{6 - student % 4}e A",
               "id_eleve": f"E{student}", "nom_eleve": family,
               "prenom_eleve": FIRST_NAMES[student % len(FIRST_NAMES)],
               "date_naissance": f"{FIRST_BIRTH_DATE + timedelta(days=student % BIRTH_DATE_SPAN_DAYS):%d/%m/%Y}",
               "id_responsable": f"R{student}-{guardian}", "nom_responsable": family,
               "prenom_responsable": FIRST_NAMES[(student + guardian + 1) % len(FIRST_NAMES)],
               "lien": "représentant légal" if guardian == 0 else "personne en charge",
               "mobile_responsable": f"+336{number:08d}", "email_responsable": f"r{number}@example.org"}


def write_export(path: Path, rows: int, rows_per_school: int = ROWS_PER_SCHOOL, first_school: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(export_rows(rows, rows_per_school, first_school))
    return path


async def measure(options: argparse.Namespace, directory: Path) -> None:
    export = write_export(directory / "export.csv", options.rows, options.rows_per_school)
    url = options.database_url or f"sqlite+aiosqlite:///{directory / 'records.db'}"
    engine = make_engine(url)
    await create_schema(engine)
    sessions = make_session_factory(engine)
    try:
        for label in ("first import (all added)", "same file again (0 changes)"):
            async with live_journeys(url, directory) as latencies:
                started = time.perf_counter()
                report = await import_records(sessions, export, "csv", dry_run=False, now=datetime.now(UTC))
                elapsed = time.perf_counter() - started
            print(f"{label}: {options.rows} rows in {elapsed:.1f} s — {options.rows / elapsed:,.0f} rows/s, "
                  f"{report.total_changes} changes")
            for operation, seconds in latencies.items():
                print(f"  live {operation} meanwhile: {len(seconds)} runs, {milliseconds(seconds)}")
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(f"peak memory (RSS) of the importing process: {peak_mib:.0f} MiB")
    finally:
        await engine.dispose()


def milliseconds(seconds: list[float]) -> str:
    return ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in (
        ("p50", percentile(seconds, 0.5)), ("p99", percentile(seconds, 0.99)), ("max", max(seconds, default=0))))


@asynccontextmanager
async def live_journeys(url: str, directory: Path) -> AsyncIterator[dict[str, list[float]]]:
    """bench.live_ops running alongside, ready before the block starts; its latencies after it."""
    stop = directory / "stop-live-ops"
    stop.unlink(missing_ok=True)
    probe = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.live_ops", "--database-url", url,
                                                 "--stop-file", str(stop), stdout=asyncio.subprocess.PIPE)
    assert probe.stdout is not None
    try:
        if (await probe.stdout.readline()).strip() != b"ready":
            raise RuntimeError("bench.live_ops did not start (its error is above)")
        latencies: dict[str, list[float]] = {}
        yield latencies
        stop.touch()
        latencies.update(json.loads(await probe.stdout.readline()))
    finally:
        stop.touch()
        await probe.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.records", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rows-per-school", type=int, default=ROWS_PER_SCHOOL)
    parser.add_argument("--database-url", help="an empty database to import into (default: a fresh SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parcours-bench-records-") as directory:
        asyncio.run(measure(options, Path(directory)))


if __name__ == "__main__":
    main()
