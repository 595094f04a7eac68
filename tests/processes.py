"""Real faults for the fault tests: a Temporal dev server that can be stopped and started again on
its SQLite file (and a worker process that can be SIGKILLed: parcours.stack.embedded), a TCP proxy that
can cut a database off, one in front of PostgreSQL that loses a COMMIT's answer, and a lock that
keeps a SQLite database from everyone else."""

from __future__ import annotations

import asyncio
import sqlite3
import struct
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from parcours.settings import Settings
from parcours.stack.embedded import DevServerProcess
from parcours.testing import free_port


class DevServer(DevServerProcess):
    """Headless, persisting to `database`: stop and start it again to restart the server."""

    def __init__(self, settings: Settings, database: Path, log: Path):
        super().__init__(settings, database, log, ui_port=None)

    def kill(self) -> None:
        """SIGKILL, for a test's end: the graceful stop takes the server a second, for a database
        that is thrown away (a restart under test uses stop())."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


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

    async def _open_target(self, client_writer):
        """The connection to the target for a client's, or None (the client's closed) when the
        target does not answer."""
        try:
            target_reader, target_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return None
        self.writers.update({client_writer, target_writer})
        return target_reader, target_writer

    async def _connect(self, client_reader, client_writer) -> None:
        if (target := await self._open_target(client_writer)) is None:
            return
        target_reader, target_writer = target
        await asyncio.gather(self._pipe(client_reader, target_writer), self._pipe(target_reader, client_writer))

    async def _pipe(self, reader, writer, stop: Callable[[], bool] = lambda: False) -> None:
        """Copy what `reader` gets to `writer` until either side closes or `stop` says so."""
        try:
            while data := await reader.read(65536):
                if stop():
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            self.writers.discard(writer)


# PostgreSQL's wire protocol: after the untyped start-up messages, every message from the client
# is a type byte and a length (itself included); a statement goes as a simple Query ('Q'), or is
# prepared (Parse, 'P') and then run by name (Bind, 'B').
PG_SSL_REQUEST, PG_GSSENC_REQUEST = 80877103, 80877104
PG_QUERY, PG_PARSE, PG_BIND = b"Q", b"P", b"B"


class PostgresCommitDropper(TcpProxy):
    """A TcpProxy to PostgreSQL that, once armed, lets the next COMMIT through to the server and
    closes both sides before the server's answer reaches the client: the transaction is committed,
    the client sees its connection lost. `after` (bytes of a statement, e.g. a table name) picks
    the COMMIT of a transaction that sent it."""

    def __init__(self, target_port: int):
        super().__init__(target_port)
        self.armed_after: bytes | None = None
        self.dropped = 0

    def drop_next_commit(self, after: bytes) -> None:
        self.armed_after = after

    async def _connect(self, client_reader, client_writer) -> None:
        if (target := await self._open_target(client_writer)) is None:
            return
        target_reader, target_writer = target
        committed = asyncio.Event()  # a dropped COMMIT went to the server: its answer must not come back

        async def answers() -> None:
            try:  # once the server answered the COMMIT: done, and the client never hears it
                await self._pipe(target_reader, client_writer, stop=committed.is_set)
            finally:
                target_writer.close()

        async def queries() -> None:
            try:
                await self._forward_start_up(client_reader, client_writer, target_writer)
                seen = b""  # the statements of the transaction under way
                prepared: dict[bytes, bytes] = {}  # a prepared statement's text, by name: a Bind names it
                while header := await client_reader.readexactly(5):
                    kind, length = header[:1], struct.unpack("!I", header[1:])[0]
                    body = await client_reader.readexactly(length - 4)
                    if kind == PG_PARSE:
                        name, text = body.split(b"\0", 2)[:2]
                        prepared[name] = text
                    elif kind == PG_BIND:
                        seen += prepared.get(body.split(b"\0", 2)[1], b"").upper()
                    if kind in (PG_QUERY, PG_PARSE):
                        query = body.upper()
                        seen += query
                        if b"COMMIT" in query and self.armed_after is not None and self.armed_after.upper() in seen:
                            self.armed_after, self.dropped = None, self.dropped + 1
                            committed.set()
                        elif b"COMMIT" in query or b"ROLLBACK" in query:
                            seen = b""
                    target_writer.write(header + body)
                    await target_writer.drain()
                    if committed.is_set():
                        return  # the COMMIT is on its way: nothing more from this client
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                target_writer.close()
            finally:
                if not committed.is_set():
                    client_writer.close()

        await asyncio.gather(answers(), queries())

    @staticmethod
    async def _forward_start_up(client_reader, client_writer, target_writer) -> None:
        """The untyped messages: an SSL or GSS encryption request is refused here ('N'), so that
        the traffic stays readable, then the start-up message goes to the server."""
        while True:
            length = struct.unpack("!I", await client_reader.readexactly(4))[0]
            body = await client_reader.readexactly(length - 4)
            if struct.unpack("!I", body[:4])[0] in (PG_SSL_REQUEST, PG_GSSENC_REQUEST):
                client_writer.write(b"N")
                await client_writer.drain()
                continue
            target_writer.write(struct.pack("!I", length) + body)
            await target_writer.drain()
            return


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
