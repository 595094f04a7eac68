"""Alembic environment. Parcours runs migrations on its own connection (parcours.db.migrate), so
the async engine of the settings is used as is; `alembic` on the command line works too (alembic.ini
at the project root, database from PARCOURS_DATABASE_URL)."""

from __future__ import annotations

import asyncio

from alembic import context

from parcours.db.models import Base

target_metadata = Base.metadata


def run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)  # SQLite alters tables by copying them
    with context.begin_transaction():
        context.run_migrations()


def run_from_command_line() -> None:
    from parcours.db.engine import make_engine
    from parcours.settings import get_settings

    async def migrate() -> None:
        engine = make_engine(get_settings().database_url)
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
        await engine.dispose()

    asyncio.run(migrate())


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run them against the database")
connection = context.config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    run_from_command_line()
