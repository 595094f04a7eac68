"""PostgreSQL's planner statistics, kept up with an import that fills the records' tables.

Autovacuum analyzes a table a minute or more after it grew; meanwhile the planner believes the
tables as small as they were, and for a first import (empty tables) picks sequential scans for
the import's own indexed queries: each school's IN lists were compared with every row, and the
import slowed as the tables grew (412 s for 100,000 rows, bench/README.md). The import analyzes
the tables it writes itself, each time its additions have doubled: a handful of ANALYZEs per file
(each a sample, taking no lock that stops reads or writes)."""

from __future__ import annotations

from sqlalchemy import text

from parcours.db.engine import Sessions
from parcours.db.models import Account, GuardianRecord, GuardianStudentLink, StudentRecord
from parcours.records.report import SchoolReport

RECORDS_TABLES = ", ".join(model.__tablename__ for model in (GuardianRecord, StudentRecord, GuardianStudentLink,
                                                            Account))
ADDED_KINDS = ("guardians_added", "students_added", "links_added")


class PlannerStatistics:
    def __init__(self, sessions: Sessions):
        self.sessions, self.enabled = sessions, sessions.dialect == "postgresql"
        self.added = 0
        self.analyzed_at = 0  # what had been added when the tables were last analyzed

    async def after(self, school: SchoolReport) -> None:
        """After a school's commit: analyze once the rows added have doubled since the last time."""
        self.added += sum(school.changes[kind] for kind in ADDED_KINDS)
        if not self.enabled or self.added < 2 * self.analyzed_at or self.added == 0:
            return
        async with self.sessions() as session:
            await session.execute(text(f"ANALYZE {RECORDS_TABLES}"))
            await session.commit()
        self.analyzed_at = self.added
