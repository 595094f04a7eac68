"""Engine and sessions for SQLite (embedded default) or PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from parcours.db.models import Base

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = url.split(":///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(connection, _record):  # several workers and the CLI share the file
            connection.isolation_level = None  # let SQLAlchemy's BEGIN below, not the driver, open transactions
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection):
            # The driver would start a transaction only at the first write, so a read-then-write
            # (consume a code, swap a claim) could interleave with another. IMMEDIATE takes the
            # write lock up front: SQLite transactions are serialised, as they must be here.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_pre_ping=True)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_schema(engine: AsyncEngine) -> None:
    """The schema at its latest revision, by the migrations (parcours.db.migrate)."""
    from parcours.db.migrate import migrate

    await migrate(engine)


async def recreate_schema(engine: AsyncEngine) -> None:
    """Empty tables for a test run on a shared server database (PostgreSQL in CI)."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    await create_schema(engine)
