"""Real processes for the fault tests: a Temporal dev server that can be stopped and started again
on its SQLite file, a worker process that can be SIGKILLed, a TCP proxy that can cut a database
off, and a lock that keeps a SQLite database from everyone else."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from parcours.devstack import dev_server_command, server_is_up
from parcours.settings import Settings

READY_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as the PARCOURS_* variables a worker process reads."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PARCOURS_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        elif hasattr(value, "total_seconds"):
            value = f"PT{value.total_seconds()}S"
        environment[f"PARCOURS_{name.upper()}"] = str(value)
    return environment


class DevServer:
    """`temporal server start-dev` persisting to a file, headless, on a free port."""

    def __init__(self, settings: Settings, database: Path, log: Path):
        self.settings, self.database, self.log = settings, database, log
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(dev_server_command(self.settings, self.database, ui_port=None),
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not await server_is_up(self.settings):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the dev server did not start: {self.log.read_text()[-2000:]}")
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class WorkerProcess:
    """`python -m parcours.worker` with the given settings; `kill` is a SIGKILL, mid-anything."""

    def __init__(self, settings: Settings, directory: Path):
        self.environment = settings_environment(settings)
        self.directory, self.process = directory, None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with (self.directory / "worker.log").open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "parcours.worker"], env=self.environment,
                                            cwd=self.directory, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
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
