"""Reading the schools' export (docs/school-records.md): one row per guardian–student link, as CSV
or JSON Lines, streamed line by line — a file of a million rows is never held in memory — and each
row checked into a RecordRow or into French errors naming its line and field."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError, field_validator

from parcours.contracts.common import FieldError, FormDate
from parcours.db.models import LinkRole
from parcours.people.contact_details import normalize_email, normalize_mobile
from parcours.people.names import clean_person_name, comparable_name

RecordsFormat = Literal["csv", "jsonl"]
# The columns of the export, in the order the docs list them; the last two may be empty.
COLUMNS = ("uai", "etablissement", "classe", "id_eleve", "nom_eleve", "prenom_eleve", "date_naissance",
           "id_responsable", "nom_responsable", "prenom_responsable", "lien", "mobile_responsable",
           "email_responsable")
OPTIONAL_COLUMNS = frozenset({"etablissement", "mobile_responsable", "email_responsable"})
CSV_DELIMITERS = ";,\t"  # French spreadsheets write `;`; others `,` or tabs: the header tells
UAI_PATTERN = r"^[0-9]{7}[A-Z]$"  # the UAI: 7 digits and a check letter (« 0751234A »)
UAI_WORDING = "code UAI attendu : 7 chiffres et une lettre (0751234A)"
SCHOOL_ID_PATTERN = r"^[A-Za-z0-9_\-.]{1,64}$"  # fits the records' school_id column
_UAI = re.compile(UAI_PATTERN)
ROLES = {"representant legal": LinkRole.LEGAL_REPRESENTATIVE, "legal representative": LinkRole.LEGAL_REPRESENTATIVE,
         "personne en charge": LinkRole.PERSON_IN_CHARGE, "person in charge": LinkRole.PERSON_IN_CHARGE}
ROLE_WORDING = "attendu « représentant légal » ou « personne en charge »"
MAX_CLASS_LENGTH, MAX_SCHOOL_NAME_LENGTH = 50, 200  # the records' columns


def _stripped(value: Any) -> Any:
    """A cell as the school wrote it, without surrounding spaces; an empty one is missing."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _uai(value: Any) -> Any:
    value = _stripped(value)
    if isinstance(value, str) and not _UAI.fullmatch(value.upper()):
        raise ValueError(UAI_WORDING)
    return value.upper() if isinstance(value, str) else value


def _role(value: Any) -> Any:
    if isinstance(value, str):
        found = ROLES.get(comparable_name(value.replace("_", " ")))
        if found is None:
            raise ValueError(ROLE_WORDING)
        return found
    return value


Cell = Annotated[str, BeforeValidator(_stripped)]
SchoolId = Annotated[str, BeforeValidator(_stripped), StringConstraints(pattern=SCHOOL_ID_PATTERN)]


class RecordRow(BaseModel):
    """One guardian–student link of a school's export, its values as the records keep them."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    uai: Annotated[str, BeforeValidator(_uai)]
    etablissement: Annotated[str | None, BeforeValidator(_stripped),
                             StringConstraints(max_length=MAX_SCHOOL_NAME_LENGTH)] = None
    classe: Annotated[Cell, StringConstraints(max_length=MAX_CLASS_LENGTH)]
    id_eleve: SchoolId
    nom_eleve: Cell
    prenom_eleve: Cell
    date_naissance: Annotated[FormDate, BeforeValidator(_stripped)]
    id_responsable: SchoolId
    nom_responsable: Cell
    prenom_responsable: Cell
    lien: Annotated[LinkRole, BeforeValidator(_role)]
    mobile_responsable: Annotated[str | None, BeforeValidator(_stripped)] = None
    email_responsable: Annotated[str | None, BeforeValidator(_stripped)] = None

    _names = field_validator("nom_eleve", "prenom_eleve", "nom_responsable", "prenom_responsable")(
        lambda cls, v: clean_person_name(v))
    _mobile = field_validator("mobile_responsable")(lambda cls, v: v and normalize_mobile(v))
    _email = field_validator("email_responsable")(lambda cls, v: v and normalize_email(v))

    @property
    def school_name(self) -> str:
        return self.etablissement or self.uai


class RowError(BaseModel):
    """A bad row: its line in the file (the CSV header is line 1), the column at fault, why."""

    model_config = ConfigDict(frozen=True)

    line: int
    field: str
    message: str

    def french(self) -> str:
        return f"ligne {self.line}, {self.field} : {self.message}"


def row_error(line: int, field: str, message: str) -> RowError:
    return RowError(line=line, field=field, message=message)


@dataclass(frozen=True)
class Parsed:
    """A row of the file: its line, its school (when readable) and either the row or its errors."""

    line: int
    uai: str | None
    row: RecordRow | None
    errors: tuple[RowError, ...] = ()


class FileRefused(ValueError):
    """The whole file is unusable (columns missing, not UTF-8, schools interleaved): nothing is read."""


def lines_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[str]:
    """The file's lines, decoded one by one (a BOM from a spreadsheet dropped), telling how many
    bytes were read: the progress bar's measure, which a text file's tell() cannot give while
    iterating."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            if on_bytes is not None:
                on_bytes(len(line))
            try:
                yield line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise FileRefused(f"ligne {number} : le fichier doit être encodé en UTF-8.") from None


def raw_rows(path: Path, file_format: RecordsFormat,
             on_bytes: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(line, cells) for each row, or (line, error) for a line that is no row at all."""
    lines = lines_of(path, on_bytes)
    if file_format == "jsonl":
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                cells = json.loads(line)
            except ValueError:
                yield number, row_error(number, "ligne", "JSON invalide")
                continue
            yield number, (cells if isinstance(cells, dict) else row_error(number, "ligne", "objet JSON attendu"))
        return
    header = next(lines, "")
    delimiter = max(CSV_DELIMITERS, key=header.count)
    columns = [name.strip().lower() for name in next(csv.reader([header], delimiter=delimiter), [])]
    missing = [name for name in COLUMNS if name not in columns and name not in OPTIONAL_COLUMNS]
    if missing:
        raise FileRefused(f"colonnes manquantes dans l'en-tête : {', '.join(missing)} (voir docs/school-records.md).")
    reader = csv.reader(lines, delimiter=delimiter)
    for cells in reader:
        number = reader.line_num + 1  # the header was line 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            yield number, row_error(number, "ligne", f"{len(cells)} colonnes au lieu de {len(columns)}")
            continue
        yield number, dict(zip(columns, cells, strict=True))


def parsed_rows(path: Path, file_format: RecordsFormat,
                on_bytes: Callable[[int], None] | None = None) -> Iterator[Parsed]:
    for number, cells in raw_rows(path, file_format, on_bytes):
        if isinstance(cells, RowError):
            yield Parsed(number, None, None, (cells,))
            continue
        uai = uai_of(cells)
        try:
            yield Parsed(number, uai, RecordRow.model_validate(cells))
        except ValidationError as error:
            problems = [FieldError.from_pydantic(problem) for problem in error.errors()]
            yield Parsed(number, uai, None, tuple(row_error(number, p.field, p.message) for p in problems))


def uai_of(cells: dict[str, Any] | RowError) -> str | None:
    """The row's school when its UAI is well formed: a row without one (a line that is no row, a
    mistyped UAI) counts as a bad row of the school whose rows surround it."""
    uai = cells.get("uai") if isinstance(cells, dict) else None
    uai = uai.strip().upper() if isinstance(uai, str) else None
    return uai if uai and _UAI.fullmatch(uai) else None


def schools_in_order(path: Path, file_format: RecordsFormat) -> list[str]:
    """The schools of the file, each once: a school's rows must follow one another, since each
    school is applied in one transaction as the file streams by. Interleaved, nothing is read."""
    seen: list[str] = []
    for number, cells in raw_rows(path, file_format):
        uai = uai_of(cells)
        if uai is None or (seen and uai == seen[-1]):
            continue
        if uai in seen:
            raise FileRefused(f"ligne {number} : les lignes de l'établissement {uai} doivent se suivre "
                              f"(triez le fichier par UAI).")
        seen.append(uai)
    return seen
