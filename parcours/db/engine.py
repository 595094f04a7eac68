"""Engine and sessions for SQLite (embedded default) or PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

import aiosqlite
from sqlalchemy import event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from parcours.db import sqlite
from parcours.db.models import Base

# How long a writer waits for another process (a second worker, the CLI) to free SQLite's write
# lock, retrying between sleeps that grow from the first to the longest.
SQLITE_BUSY_TIMEOUT_S = 10.0
SQLITE_BUSY_FIRST_SLEEP_S, SQLITE_BUSY_LONGEST_SLEEP_S = 0.005, 0.1
WRITER_OPTION = "parcours_writer"
# Set to 1, aiosqlite's own thread runs SQLite's calls instead of the event loop's (parcours/db/sqlite.py):
# what the benchmark compares against (bench/README.md, « Private parts »).
STOCK_DRIVER_VARIABLE = "SQLITE_STOCK_DRIVER"  # not PARCOURS_: the bench passes those only as settings


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"

        stock_driver = os.environ.get(STOCK_DRIVER_VARIABLE) == "1"

        async def connect() -> aiosqlite.Connection:
            return await sqlite.connect(database, stock_driver)

        engine = create_async_engine(url, async_creator=connect)

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection):
            # A writing transaction takes the write lock up front (IMMEDIATE): the driver would
            # wait for the first write, so a read-then-write (consume a code, swap a claim) could
            # interleave with another. Readers begin deferred: in WAL mode they never wait.
            writes = connection.get_execution_options().get(WRITER_OPTION, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

        return engine
    return create_async_engine(url, pool_pre_ping=True)


class Sessions:
    """`sessions()` for reading, `sessions.begin()` for a transaction that writes.

    On SQLite, writers of this process queue on a FIFO lock before taking the database's write
    lock: SQLite's own busy handler polls with growing sleeps, so under load a waiter could sleep
    past many later arrivals (transactions waited up to 1.4 s at 4 concurrent journeys). Another
    process holding the database's lock is waited for between asynchronous sleeps: SQLite's
    statements run on the event loop's thread (parcours/db/sqlite.py), which must not sleep in
    them. Readers take no lock. (Not an async_sessionmaker: its begin() is a transaction of
    another kind.)"""

    def __init__(self, engine: AsyncEngine):
        self.readers = async_sessionmaker(engine, expire_on_commit=False)
        self.writers = async_sessionmaker(engine.execution_options(**{WRITER_OPTION: True}), expire_on_commit=False)
        self.dialect = engine.dialect.name
        self.write_lock = asyncio.Lock() if self.dialect == "sqlite" else None

    def __call__(self) -> AsyncSession:
        return self.readers()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        session = self.writers()
        try:
            async with self.write_lock or nullcontext():
                if self.write_lock is not None:
                    await self._begin_immediate(session)
                try:
                    yield session
                except BaseException:
                    await session.rollback()
                    raise
                await session.commit()
        finally:
            # Closed once the lock is free: SQLAlchemy closes a session in tasks of its own, each
            # a turn of the event loop, and other writers need not wait for those.
            await session.close()

    async def _begin_immediate(self, session: AsyncSession) -> None:
        """Open the transaction (BEGIN IMMEDIATE, by make_engine's listener), sleeping between
        tries while another process holds SQLite's write lock."""
        deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
        sleep = SQLITE_BUSY_FIRST_SLEEP_S
        while True:
            try:
                await session.connection()
                return
            except OperationalError as error:
                if not sqlite.is_locked(error.orig) or time.monotonic() + sleep > deadline:
                    raise
            await session.rollback()
            await asyncio.sleep(sleep)
            sleep = min(2 * sleep, SQLITE_BUSY_LONGEST_SLEEP_S)


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
