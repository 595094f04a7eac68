"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL (the
suite's database), and a database made before migrations existed is taken over, not recreated."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from parcours.db.engine import create_schema, make_engine, recreate_schema
from parcours.db.migrate import FIRST_REVISION, FIRST_REVISION_TABLES, alembic_config
from parcours.db.models import Base
from parcours.testing import TEST_DATABASE_VARIABLE


def differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


@pytest.fixture
async def engine(tmp_path):
    url = os.environ.get(TEST_DATABASE_VARIABLE) or f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    engine = make_engine(url)
    yield engine
    await engine.dispose()


async def test_the_migrations_build_the_models_schema(engine):
    await recreate_schema(engine)
    await create_schema(engine)  # again: nothing to do
    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []
        revision = await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    assert revision == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_a_database_made_before_migrations_is_taken_over(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    async with engine.begin() as connection:  # the schema as it was made then: the first revision's, unstamped
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), FIRST_REVISION))
        await connection.execute(text("DROP TABLE alembic_version"))
        assert set(await connection.run_sync(lambda sync: inspect(sync).get_table_names())) == FIRST_REVISION_TABLES
        await connection.execute(text("INSERT INTO school_students (ref, last_name, first_name, birth_date, school, "
                                      "class_name) VALUES ('stu-kept', 'Kept', 'Row', '2014-03-02', 'École', 'CM1')"))
    await create_schema(engine)
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT ref FROM school_students"))).scalar_one() == "stu-kept"
        assert "alembic_version" in await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    await engine.dispose()


async def test_a_database_missing_tables_is_refused_with_what_to_do(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'older.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.tables["school_students"].create)
    with pytest.raises(RuntimeError, match="predates the schema migrations"):
        await create_schema(engine)
    await engine.dispose()
