"""`parcours records import` for people and scripts: the report, --dry-run's list of changes, bad
rows one French line each (all of them in the JSON error), exit code 2 when a school was refused."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from parcours.cli import app
from parcours.settings import get_settings
from tests.test_records_import import EMMA_JEAN, LUCAS, NOUR, export


def cli(settings, *arguments: str):
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(arguments), env={"PARCOURS_DATABASE_URL": settings.database_url,
                                                             "COLUMNS": "200"})
    finally:
        get_settings.cache_clear()


def test_import_then_again_then_a_dry_run(settings, tmp_path):
    path = export(tmp_path, LUCAS, EMMA_JEAN)
    first = cli(settings, "--json", "records", "import", str(path))
    assert first.exit_code == 0 and json.loads(first.stdout)["total_changes"] == 6, first.output
    again = cli(settings, "records", "import", str(path))
    assert again.exit_code == 0 and again.stdout.splitlines()[-1] == "0 changement.", again.stdout
    changed = export(tmp_path, LUCAS.replace("12/03", "13/03"), name="dry.csv")
    dry = cli(settings, "records", "import", "--dry-run", str(changed))
    assert dry.exit_code == 0 and "  élève E1 modifié : date de naissance" in dry.stdout
    assert "  lien R2 – E2 terminé" in dry.stdout and "simulation" in dry.stdout.splitlines()[-1]
    assert cli(settings, "--json", "records", "import", str(path)).stdout.count('"total_changes": 0') == 1


def test_bad_rows_exit_2_with_each_line_and_field(settings, tmp_path):
    path = export(tmp_path, LUCAS.replace("12/03/2013", "2013"), NOUR)
    shown = cli(settings, "records", "import", str(path))
    assert shown.exit_code == 2
    assert "ligne 2, date_naissance : date au format JJ MM AAAA ou AAAA-MM-JJ" in shown.stderr, shown.stderr
    assert "Établissement 0931234B : 1 ligne, 3 changements" in shown.stdout
    scripted = cli(settings, "--json", "records", "import", str(path))
    error = json.loads(scripted.stderr)
    assert scripted.exit_code == 2 and error["reason"] == "invalid_input"
    assert error["errors"] == [{"field": "ligne 2 : date_naissance",
                                "message": "date au format JJ MM AAAA ou AAAA-MM-JJ"}]
    assert json.loads(scripted.stdout)["schools"][1]["applied"] is True


def test_a_refused_file_or_format_exits_2(settings, tmp_path):
    path = export(tmp_path, LUCAS, NOUR, EMMA_JEAN)
    refused = cli(settings, "records", "import", str(path))
    assert refused.exit_code == 2 and "doivent se suivre" in refused.stderr, refused.stderr
    assert cli(settings, "records", "import", "--format", "xml", str(path)).exit_code == 2
    assert cli(settings, "records", "import", str(tmp_path / "absent.csv")).exit_code == 2
