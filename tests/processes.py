"""Real faults for the fault tests: a Temporal dev server that can be stopped and started again on
its SQLite file (and a worker process that can be SIGKILLed: parcours.devstack), a TCP proxy that
can cut a database off, and a lock that keeps a SQLite database from everyone else."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from parcours.devstack import DevServerProcess
from parcours.settings import Settings
from parcours.testing import free_port


class DevServer(DevServerProcess):
    """Headless, persisting to `database`: stop and start it again to restart the server."""

    def __init__(self, settings: Settings, database: Path, log: Path):
        super().__init__(settings, database, log, ui_port=None)


class TcpProxy:
    """Forwards 127.0.0.1:port to a target port; `cut()` closes every connection and refuses new
    ones (the database is unreachable) until `restore()`."""

    def __init__(self, target_port: int):
        self.target_port, self.port = target_port, free_port()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)

    async def cut(self) -> None:
        self.server.close()
        await self.server.wait_closed()
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()

    async def _connect(self, client_reader, client_writer) -> None:
        try:
            target_reader, target_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return
        self.writers.update({client_writer, target_writer})
        await asyncio.gather(self._pipe(client_reader, target_writer), self._pipe(target_reader, client_writer))

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            self.writers.discard(writer)


@contextmanager
def sqlite_locked(database: Path, seconds: float):
    """Another process's exclusive transaction on the file for `seconds`: every connection of
    Parcours waits its busy timeout, then fails, as long as it lasts."""
    taken = threading.Event()

    def hold():
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        taken.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        yield
    finally:
        holder.join()
