"""Engine and sessions for SQLite (embedded default) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from parcours.db.models import Base

SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITER_OPTION = "parcours_writer"


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
        def _begin(connection):
            # A writing transaction takes the write lock up front (IMMEDIATE): the driver would
            # wait for the first write, so a read-then-write (consume a code, swap a claim) could
            # interleave with another. Readers begin deferred: in WAL mode they never wait.
            writes = connection.get_execution_options().get(WRITER_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine
    return create_async_engine(url, pool_pre_ping=True)


class Sessions(async_sessionmaker[AsyncSession]):
    """`sessions()` for reading, `sessions.begin()` for a transaction that writes.

    On SQLite, writers of this process queue on a FIFO lock before taking the database's write
    lock: SQLite's own busy handler polls with growing sleeps, so under load a waiter could sleep
    past many later arrivals (transactions waited up to 1.4 s at 4 concurrent journeys). Other
    processes (a second worker, the CLI) still meet the busy timeout. Readers take no lock."""

    def __init__(self, engine: AsyncEngine):
        super().__init__(engine, expire_on_commit=False)
        self.writers = async_sessionmaker(engine.execution_options(**{WRITER_OPTION: True}), expire_on_commit=False)
        self.write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with self.write_lock or nullcontext():
            async with self.writers.begin() as session:
                yield session


def make_session_factory(engine: AsyncEngine) -> Sessions:
    return Sessions(engine)


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
