"""parcours/db/sqlite.py runs aiosqlite's calls on the event loop's thread by overriding private
parts of aiosqlite's Connection (bench/README.md, « Private parts », for what it buys). These are
the parts it relies on, with SQLAlchemy's dialect that reaches into them too: a new aiosqlite
(pinned to its minor version in pyproject) that changes them fails here, not in production."""

from __future__ import annotations

import inspect
import sqlite3
import threading
from queue import SimpleQueue

import aiosqlite
import aiosqlite.cursor
from sqlalchemy import text
from sqlalchemy.dialects.sqlite import aiosqlite as sqlalchemy_aiosqlite

from parcours.db import sqlite
from parcours.db.engine import make_engine


def test_the_connection_keeps_its_state_in_the_attributes_overridden():
    assert list(inspect.signature(aiosqlite.Connection.__init__).parameters)[:3] == [
        "self", "connector", "iter_chunk_size"]
    connection = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), iter_chunk_size=64)  # never opened
    assert connection._running is True and connection._connection is None
    assert isinstance(connection._tx, SimpleQueue) and callable(connection._connector)


def test_every_call_goes_through_execute_and_opening_through_await():
    assert inspect.iscoroutinefunction(aiosqlite.Connection._execute)
    assert "self._execute(" in inspect.getsource(aiosqlite.Connection.commit)
    assert "self._conn._execute(" in inspect.getsource(aiosqlite.cursor.Cursor._execute)
    assert "self._connect()" in inspect.getsource(aiosqlite.Connection.__await__)
    assert "self.stop()" in inspect.getsource(aiosqlite.Connection.close)


def test_sqlalchemy_puts_its_own_calls_on_the_queue():
    source = inspect.getsource(sqlalchemy_aiosqlite)
    assert "._tx.put_nowait((future, function))" in source


async def test_statements_run_on_the_event_loop_thread():
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    threads = []
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, sqlite.LoopThreadConnection)
            raw.driver_connection._conn.create_function("thread", 0, lambda: threads.append(threading.get_ident()) or 1)
            assert (await connection.execute(text("SELECT thread()"))).scalar() == 1
    finally:
        await engine.dispose()
    assert threads == [threading.get_ident()]
