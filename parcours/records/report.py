"""What an import did, or would do (--dry-run): per school, its rows, its changes by kind, its bad
rows; for people (French lines) and scripts (JSON)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcours.messages import ROLE_LABELS
from parcours.records.rows import RowError

# The kinds of change, in the order the report tells them, with their French wording (one, several).
CHANGE_KINDS = {
    "guardians_added": ("responsable ajouté (compte provisionné)", "responsables ajoutés (comptes provisionnés)"),
    "guardians_updated": ("responsable modifié", "responsables modifiés"),
    "students_added": ("élève ajouté", "élèves ajoutés"),
    "students_updated": ("élève modifié", "élèves modifiés"),
    "links_added": ("lien ajouté", "liens ajoutés"),
    "links_updated": ("lien modifié", "liens modifiés"),
    "links_ended": ("lien terminé", "liens terminés"),
}


def counted(count: int, one: str, several: str) -> str:
    """« 1 élève ajouté », « 2 élèves ajoutés »: French takes the singular below 2 (« 0 changement »)."""
    return f"{count} {one if count < 2 else several}"


def role_words(role: str) -> str:
    """A link's role inside a report's sentence: « représentant légal », as the export writes it."""
    label = ROLE_LABELS.get(role, role)
    return label[:1].lower() + label[1:]


class SchoolReport(BaseModel):
    uai: str
    rows: int = 0
    applied: bool = False
    changes: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(CHANGE_KINDS, 0))
    details: list[str] = Field(default_factory=list)  # each change, kept for a dry run only
    errors: list[RowError] = Field(default_factory=list)
    keep_details: bool = Field(default=False, exclude=True)

    def count(self, kind: str, detail: str) -> None:
        self.changes[kind] += 1
        if self.keep_details:
            self.details.append(detail)

    @property
    def total(self) -> int:
        return sum(self.changes.values())

    def french(self) -> str:
        done = ", ".join(counted(count, *CHANGE_KINDS[kind]) for kind, count in self.changes.items() if count)
        if self.errors:
            state = f"non appliqué : {counted(len(self.errors), 'erreur', 'erreurs')}"
        else:
            state = "appliqué" if self.applied else "simulation, rien n'est écrit"
        return (f"Établissement {self.uai or '(UAI illisible)'} : {counted(self.rows, 'ligne', 'lignes')}, "
                f"{counted(self.total, 'changement', 'changements')} ({done or 'aucun'}) — {state}.")


class ImportReport(BaseModel):
    file: str
    dry_run: bool
    schools: list[SchoolReport] = Field(default_factory=list)

    @property
    def total_changes(self) -> int:
        return sum(school.total for school in self.schools if school.applied or self.dry_run)

    @property
    def errors(self) -> list[RowError]:
        return [error for school in self.schools for error in school.errors]

    def summary(self) -> dict:
        return {**self.model_dump(), "total_changes": self.total_changes,
                "rows": sum(school.rows for school in self.schools)}
