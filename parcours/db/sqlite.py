"""SQLite connections whose calls run at once, on the event loop's thread.

aiosqlite hands every call (cursor, execute, fetch, close, begin, commit) to a thread of its own and
resumes the caller on a later turn of the event loop. SQLAlchemy makes four or five such calls per
statement, and under load each turn waits behind every other ready task: a write transaction of
three statements held the database's write lock ~25 ms for well under 1 ms of SQLite's work, and
at 100 journeys at once writers queued on that lock 150 ms each (a probe on the lock while
`python -m bench` ran). Here the calls are made directly: SQLite answers the service's indexed
queries in microseconds, a commit is one fsync, and in WAL mode a reader never waits for a writer.
The one long wait left — for another process's write lock — is not taken here but by
`Sessions.begin`, asynchronously (parcours/db/engine.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from pathlib import Path
from queue import SimpleQueue
from typing import Any

import aiosqlite

# Longest a statement may block the event loop on another process's lock. A writer does not wait
# here (Sessions.begin retries BEGIN IMMEDIATE between asynchronous sleeps); a WAL reader waits
# only in rare moments (a crashed process's WAL being recovered).
BLOCKING_BUSY_TIMEOUT_MS = 20


# What aiosqlite's queue to its thread carries: a future for the result (None: no one waits) and the call.
Call = tuple["asyncio.Future[Any] | None", Callable[[], Any]]


class RunAtOnce(SimpleQueue[Call]):
    """In place of aiosqlite's queue to its thread, where SQLAlchemy puts a few calls itself (an
    isolation level set): each runs when put."""

    def put_nowait(self, item: Call) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None:
                future.set_exception(error)
        else:
            if future is not None:
                future.set_result(result)


class LoopThreadConnection(aiosqlite.Connection):
    """aiosqlite's connection, its calls made on the caller's thread: no worker thread, no
    hand-off. SQLAlchemy's aiosqlite dialect drives it as it drives aiosqlite's own."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int):
        super().__init__(connector, iter_chunk_size)
        self._tx = RunAtOnce()

    def __await__(self) -> Generator[Any, None, LoopThreadConnection]:
        return self._open().__await__()

    async def _open(self) -> LoopThreadConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def stop(self) -> asyncio.Future[None] | None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        return None  # closed already: nothing to wait for


def connect(database: str, stock_driver: bool = False) -> aiosqlite.Connection:
    """A connection to `database` (a file path or ":memory:"), in WAL mode with foreign keys on.
    Transactions are SQLAlchemy's to open (isolation_level=None: the driver opens none itself).
    `stock_driver`: aiosqlite's own connection and thread, for the benchmark's comparison
    (bench/README.md, « Private parts »)."""

    def open_database() -> sqlite3.Connection:
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout={BLOCKING_BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        return connection

    driver = aiosqlite.Connection if stock_driver else LoopThreadConnection
    return driver(open_database, iter_chunk_size=64)


def is_locked(error: BaseException | None) -> bool:
    """True for SQLite's « database is locked » (another connection holds the write lock)."""
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
