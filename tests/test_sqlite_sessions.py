"""SQLite, the embedded default: statements run on the event loop's thread, and a writer waits for
another process's write lock between asynchronous sleeps — the event loop keeps turning — then
gives up with SQLite's « database is locked » after SQLITE_BUSY_TIMEOUT_S."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from parcours.db import engine as engine_module
from parcours.db.engine import create_schema, make_engine, make_session_factory
from parcours.db.models import MessageDelivery


@pytest.fixture
async def database(tmp_path):
    path = tmp_path / "parcours.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    await create_schema(engine)
    yield path, engine, make_session_factory(engine)
    await engine.dispose()


def delivery(key: str) -> MessageDelivery:
    return MessageDelivery(idempotency_key=key, channel="sms", template="code", destination_digest="d" * 64,
                           status="sending", attempts=1, created_at=datetime.now(UTC))


async def delivery_keys(sessions) -> list[str]:
    async with sessions() as session:
        keys = select(MessageDelivery.idempotency_key).order_by(MessageDelivery.idempotency_key)
        return list(await session.scalars(keys))


WAIT_S = 0.5  # how long the other process holds its write lock
TICK_S = 0.005


class LoopWatch:
    """The longest the event loop went without running a 5-ms ticker, beyond what the whole process
    went through meanwhile: a ticker thread stalls too when the process does (a garbage collection,
    the machine's cores taken by other work: once 1 s in CI), and runs on while the loop's thread
    is held in a call that lets the GIL go (SQLite's waits do)."""

    def __init__(self):
        self.longest_gap = self.longest_process_gap = 0.0
        self.task = asyncio.create_task(self._tick())
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._tick_in_a_thread, daemon=True)
        self.thread.start()

    async def _tick(self):
        last = time.perf_counter()
        while True:
            await asyncio.sleep(TICK_S)
            now = time.perf_counter()
            self.longest_gap, last = max(self.longest_gap, now - last), now

    def _tick_in_a_thread(self):
        last = time.perf_counter()
        while not self.stopped.wait(TICK_S):
            now = time.perf_counter()
            self.longest_process_gap, last = max(self.longest_process_gap, now - last), now

    def stop(self) -> float:
        self.task.cancel()
        self.stopped.set()
        self.thread.join()
        return self.longest_gap - self.longest_process_gap


def other_process_writing(path) -> sqlite3.Connection:
    """A connection of another process (the CLI, a second worker) in the middle of a write."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


async def test_statements_run_on_the_event_loop_thread(database):
    _, engine, sessions = database
    threads = []

    @event.listens_for(engine.sync_engine, "connect")
    def register(connection, _record):
        connection.create_function("caller_thread", 0, lambda: threads.append(threading.get_ident()) or 1)

    await engine.dispose()  # new connections, with the function
    async with sessions.begin() as session:
        await session.execute(text("SELECT caller_thread()"))
    async with sessions() as session:
        await session.execute(text("SELECT caller_thread()"))
    assert threads == [threading.get_ident()] * 2


async def test_an_isolation_level_set_by_sqlalchemy_does_not_wait_for_a_thread(database):
    _, engine, _ = database  # SQLAlchemy puts this one call on aiosqlite's queue to its thread itself

    async def with_isolation_level():
        async with engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="SERIALIZABLE")
            return (await connection.execute(text("SELECT 1"))).scalar_one()

    assert await asyncio.wait_for(with_isolation_level(), timeout=5) == 1


async def test_a_writer_waits_for_another_process_without_holding_the_event_loop(database):
    path, _, sessions = database
    other = other_process_writing(path)
    watch = LoopWatch()

    async def write():
        async with sessions.begin() as session:
            session.add(delivery("after-the-other"))

    writer = asyncio.create_task(write())
    await asyncio.sleep(WAIT_S)
    assert not writer.done()
    # While it waits, each try blocks the loop BLOCKING_BUSY_TIMEOUT_MS (20 ms); held for the whole
    # wait, the ticker would have stopped for WAIT_S. The bound leaves room for a loaded machine.
    assert watch.stop() < WAIT_S / 2
    # The other process commits in a thread of its own: its fsync, on a busy disk, is no part of this
    # process's loop (a COMMIT made on the loop's thread once stalled the ticker 0.8 s in CI).
    await asyncio.to_thread(other.execute, "COMMIT")
    await asyncio.wait_for(writer, timeout=5)
    assert await delivery_keys(sessions) == ["after-the-other"]
    other.close()


async def test_a_writer_gives_up_after_the_busy_timeout_and_the_next_one_writes(database, monkeypatch):
    path, _, sessions = database
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_S", 0.3)
    other = other_process_writing(path)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        async with sessions.begin() as session:
            session.add(delivery("refused"))
    assert 0.1 < time.monotonic() - started < 2
    other.execute("ROLLBACK")
    async with sessions.begin() as session:  # the lock of this process was let go
        session.add(delivery("accepted"))
    assert await delivery_keys(sessions) == ["accepted"]
    other.close()


async def test_a_failed_write_changes_nothing_and_frees_the_lock(database):
    _, _, sessions = database
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            session.add(delivery("half-done"))
            await session.flush()
            raise RuntimeError("the activity failed")
    assert not sessions.write_lock.locked()
    async with sessions.begin() as session:
        session.add(delivery("whole"))
    assert await delivery_keys(sessions) == ["whole"]
