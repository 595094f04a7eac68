"""The test harness's schema: at the latest revision for each test, without migrating it anew
each time where that can be avoided (a SQLite file copied from one migrated once, a PostgreSQL
database at the latest revision emptied)."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import uuid
from contextlib import closing
from functools import cache
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from parcours.activities.dependencies import ActivityDependencies
from parcours.db.engine import create_schema, make_engine, recreate_schema
from parcours.db.migrate import alembic_config
from parcours.db.models import Base


async def prepare_schema(dependencies: ActivityDependencies, fresh: bool) -> None:
    """The schema at the latest revision; `fresh`: without rows (a server database is shared)."""
    engine = dependencies.engine
    if fresh and not engine.url.drivername.startswith("sqlite"):
        if not await emptied_at_head(engine):
            await recreate_schema(engine)
    elif not await copied_from_template(engine):
        await create_schema(engine)


_templates: list[Path] = []  # this process's migrated SQLite database, made at the first need
_template_folder = tempfile.TemporaryDirectory(prefix="parcours-schema-")  # removed at exit


async def copied_from_template(engine: AsyncEngine) -> bool:
    """A SQLite file not made yet copied from a database migrated once in this process: a test
    harness per test migrated a new file each time (0.1–0.3 s of Alembic). False, and nothing
    done, for a file that exists (it is migrated as is) or a database in memory."""
    database = engine.url.database
    if not engine.url.drivername.startswith("sqlite") or not database or database == ":memory:":
        return False
    target = Path(database)
    if await asyncio.to_thread(target.exists):
        return False
    if not _templates:
        template = Path(_template_folder.name) / f"{uuid.uuid4().hex}.db"
        template_engine = make_engine(f"sqlite+aiosqlite:///{template}")
        try:
            await create_schema(template_engine)
        finally:
            await template_engine.dispose()
        _templates.append(template)
    await asyncio.to_thread(_copy_sqlite, _templates[0], target)
    return True


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: the whole database, whatever its journal holds."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


@cache
def _head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def emptied_at_head(engine: AsyncEngine) -> bool:
    """A server database left at the latest revision (by the previous test) emptied, its sequences
    started again as in a new schema: 20 ms where dropping the tables and migrating again took 0.3 s
    and more (and TRUNCATE, 0.2 s, for tables of a few rows). False, and nothing done, when it is
    not at the latest revision."""
    async with engine.begin() as connection:
        revision = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
        if revision is None or revision != _head_revision():
            return False
        quote = connection.dialect.identifier_preparer.quote
        for table in reversed(Base.metadata.sorted_tables):  # rows that refer to others first
            await connection.exec_driver_sql(f"DELETE FROM {quote(table.name)}")
        sequences = await connection.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
        for sequence in sequences.scalars().all():
            await connection.exec_driver_sql(f"ALTER SEQUENCE {quote(sequence)} RESTART")
    return True
