"""`parcours records import`: the schools' export into the school records (docs/school-records.md),
straight into the configured database — no Temporal needed — with a progress bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import typer

from parcours.cli_common import Output, emit, run_async, say
from parcours.cli_errors import CliProblem, invalid_input
from parcours.cli_group import sub_app
from parcours.contracts.common import FieldError
from parcours.records.report import counted
from parcours.settings import get_settings

records_app = sub_app("School records: import the schools' export (docs/school-records.md).")
ERRORS_SHOWN = "{lines} : les établissements concernés ne sont pas importés."


@contextmanager
def progress_bar(path: Path) -> Iterator[Callable[[int], None] | None]:
    """A bar of the bytes read, on a terminal only: scripts and pipes get the report alone."""
    if Output.json or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress("{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Import", total=path.stat().st_size)
        yield lambda read: progress.advance(task, read)


@records_app.command("import")
@run_async
async def import_command(
    file: Path = typer.Argument(..., metavar="FILE", exists=True, dir_okay=False, readable=True,
                                help="The export: CSV (one row per guardian–student link) or JSON Lines."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would change; write nothing."),
    file_format: str | None = typer.Option(None, "--format", metavar="csv|jsonl",
                                           help="The file's format (default: from its extension, else csv)."),
) -> None:
    """Sync the school records with a schools' export: keyed by the schools' own ids, re-importing
    the same file changes nothing; a school's links absent from its export end; new guardians get a
    provisioned account. Each school is applied whole or not at all."""
    from parcours.db.engine import create_schema, make_engine, make_session_factory
    from parcours.records.importer import format_of, import_records
    from parcours.records.rows import FileRefused

    if file_format not in (None, "csv", "jsonl"):
        raise invalid_input("--format", f"format inconnu : {file_format} (csv ou jsonl).")
    engine = make_engine(get_settings().database_url)
    try:
        await create_schema(engine)
        with progress_bar(file) as on_bytes:
            report = await import_records(make_session_factory(engine), file,
                                          format_of(file, file_format),  # type: ignore[arg-type]
                                          dry_run=dry_run, now=datetime.now(UTC), on_bytes=on_bytes)
    except FileRefused as refused:
        raise invalid_input("FILE", f"Fichier refusé, {refused}") from None
    finally:
        await engine.dispose()
    emit(report.summary())
    for school in report.schools:
        say(school.french())
        for detail in school.details:
            say(f"  {detail}")
    simulation = " (simulation : rien n’est écrit)" if dry_run else ""
    say(f"{counted(report.total_changes, 'changement', 'changements')}{simulation}.")
    errors = report.errors
    if errors:
        message = ERRORS_SHOWN.format(lines=counted(len({error.line for error in errors}),
                                                    "ligne invalide", "lignes invalides"))
        if not Output.json:  # one line each, not one line of thousands
            Output.flush()
            for error in errors:
                typer.echo(error.french(), err=True)
        raise CliProblem("invalid_input", message,
                         [FieldError(field=f"ligne {error.line} : {error.field}", message=error.message)
                          for error in errors] if Output.json else [])
