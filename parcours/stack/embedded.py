"""The embedded stack: Temporal dev server (SQLite file, Web UI on :8233), the SQLite application
database with demo records, the dev inbox, and a worker — in one command."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError

from parcours.activities.dependencies import ActivityDependencies
from parcours.cli_errors import CliProblem
from parcours.client import ParcoursClient
from parcours.db.demo import load_demo_records
from parcours.db.engine import create_schema
from parcours.http_api.codec_routes import codec_server
from parcours.http_api.serve import http_server, start_http_server, stop_http_server
from parcours.settings import Settings
from parcours.stack.web_front import web_address, web_front_end
from parcours.testing import temporal_binary
from parcours.worker import build_worker, connect, ensure_retention_schedule, start_events_relay
from parcours.workflows.common import SEARCH_ATTRIBUTES

STATE_DIR = Path(".parcours")
TEMPORAL_DB = STATE_DIR / "temporal.db"
SERVER_READY_TIMEOUT_S = 60
# The temporal-test-server binary takes a port and nothing else: it listens on every interface.
ALL_INTERFACES = ""
PORT_TAKEN = "le port {port} ({host}) est déjà pris : libérez-le ou changez {variable}"


def setting_variable(name: str) -> str:
    """The environment variable of a setting (PARCOURS_HTTP_API_PORT for http_api_port)."""
    return f"{Settings.model_config['env_prefix']}{name.upper()}"


def host_and_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def listening_ports(settings: Settings, *, temporal: bool, tester: bool) -> list[tuple[str, str, int]]:
    """(setting, host, port) of what the stack will listen on; `temporal` when it starts the server."""
    ports = [("http_api_port", settings.http_api_host, settings.http_api_port),
             ("public_base_url", *web_address(settings)),
             ("codec_server_port", settings.codec_server_host, settings.codec_server_port)]
    if settings.metrics_bind_address:
        ports.append(("metrics_bind_address", *host_and_port(settings.metrics_bind_address)))
    if temporal:
        host, port = host_and_port(settings.temporal_address)
        ports.append(("temporal_address", ALL_INTERFACES if tester else host, port))
        if not tester:
            ports.append(("temporal_ui_port", host, settings.temporal_ui_port))
    return ports


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
            return True
        except OSError:
            return False


async def check_ports(settings: Settings, *, tester: bool) -> None:
    """Before anything starts or is written: each port the stack needs is free, or the user is told
    which one and which setting moves it. A dev server already up is reused, its ports with it."""
    temporal = tester or port_is_free(*host_and_port(settings.temporal_address)) or not await server_is_up(settings)
    taken = [PORT_TAKEN.format(port=port, host=host or "toutes les interfaces", variable=setting_variable(name))
             for name, host, port in listening_ports(settings, temporal=temporal, tester=tester)
             if not port_is_free(host, port)]
    if taken:
        raise CliProblem("port_in_use", "Impossible de démarrer : " + " ; ".join(taken) + ".")


def require_free_port(host: str, port: int, setting: str) -> None:
    """One server's port, checked before it is announced: a taken port is told like the stack's."""
    if not port_is_free(host, port):
        taken = PORT_TAKEN.format(port=port, host=host or "toutes les interfaces", variable=setting_variable(setting))
        raise CliProblem("port_in_use", "Impossible de démarrer : " + taken + ".")


def dev_server_command(settings: Settings, database: Path = TEMPORAL_DB, ui_port: int | None = None) -> list[str]:
    """The dev server persisting to `database`; without a Web UI when `ui_port` is None."""
    host, _, port = settings.temporal_address.rpartition(":")
    command = [
        temporal_binary("temporal"), "server", "start-dev",
        "--db-filename", str(database), "--ip", host, "--port", port,
        "--namespace", settings.temporal_namespace, "--log-level", "warn",
    ]
    if ui_port is None:
        command += ["--headless"]
    else:
        command += ["--ui-port", str(ui_port), "--ui-codec-endpoint", codec_endpoint(settings)]
    for key in SEARCH_ATTRIBUTES:
        command += ["--search-attribute", f"{key.name}=Keyword"]
    return command


def codec_endpoint(settings: Settings) -> str:
    return f"http://{settings.codec_server_host}:{settings.codec_server_port}"


async def server_is_up(settings: Settings) -> bool:
    try:
        client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
        await client.service_client.check_health()
        return True
    except (RuntimeError, RPCError):
        return False


class DevServerProcess:
    """`temporal server start-dev` persisting to `database`, started and stopped at will (the
    embedded stack, fault tests, benchmarks)."""

    def __init__(self, settings: Settings, database: Path, log: Path, ui_port: int | None = None):
        self.settings, self.database, self.log, self.ui_port = settings, database, log, ui_port
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return dev_server_command(self.settings, self.database, self.ui_port)

    async def start(self) -> None:
        with self.log.open("ab") as log:
            # Popen returns at once; the process is stopped from sync code too (stop()). Its own
            # session: a terminal's Ctrl-C goes to its whole process group, and a server stopped with
            # the worker leaves the worker retrying its connection for seconds of warnings; the stack
            # stops it itself, once the worker is done.
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,  # noqa: ASYNC220
                                            start_new_session=True)
        for _ in range(SERVER_READY_TIMEOUT_S * 5):
            if self.process.poll() is not None:
                raise RuntimeError(f"the Temporal dev server stopped; see {self.log}")
            if await server_is_up(self.settings):
                return
            await asyncio.sleep(0.2)
        self.stop()
        raise RuntimeError("the Temporal dev server did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class WorkerProcess:
    """`python -m parcours.worker` (or another worker module) with the given settings, in its own
    process: `kill` is a SIGKILL, mid-anything."""

    def __init__(self, settings: Settings, directory: Path, module: str = "parcours.worker", *arguments: str):
        self.environment = {**{k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")},
                            **settings.environment()}
        self.command = [sys.executable, "-m", module, *arguments]
        self.directory, self.starts = directory, 0
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.starts += 1
        with (self.directory / "worker.log").open("ab") as log:
            self.process = subprocess.Popen(self.command, env=self.environment, cwd=self.directory,
                                            stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


async def prepare_database(dependencies: ActivityDependencies) -> bool:
    await create_schema(dependencies.engine)
    return await load_demo_records(dependencies.sessions)


class TestServerProcess(DevServerProcess):
    """The time-skipping test server (tester mode): in memory, no Web UI; its clock runs at wall
    speed and moves forward on request (`parcours clock advance 31m`), firing the timers due on the
    way. It listens on every interface: the binary takes a port only, not the settings' host."""

    def __init__(self, settings: Settings, log: Path):
        super().__init__(settings, Path("in-memory"), log)

    def command(self) -> list[str]:
        return [temporal_binary("temporal-test-server"), self.settings.temporal_address.rpartition(":")[2]]

    async def start(self) -> None:
        await super().start()
        client = await Client.connect(self.settings.temporal_address, namespace=self.settings.temporal_namespace)
        await client.operator_service.add_search_attributes(AddSearchAttributesRequest(
            namespace=self.settings.temporal_namespace,
            search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in SEARCH_ATTRIBUTES}))


async def run_stack(settings: Settings, on_ready: Callable[[bool], None], *, tester: bool = False) -> None:
    """Dev server, worker, HTTP API, the web front end and codec server until Ctrl-C; `tester`: on the time-skipping
    test server instead of the dev server."""
    STATE_DIR.mkdir(exist_ok=True)  # noqa: ASYNC240 - once, before anything runs on the loop
    stop = asyncio.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGHUP: the terminal closed
        asyncio.get_running_loop().add_signal_handler(stop_signal, stop.set)
    codec = codec_server(settings)
    codec_task = await start_http_server(codec)
    server: DevServerProcess | None = None
    if tester:
        server = TestServerProcess(settings, STATE_DIR / "test-server.log")
        await server.start()
    elif not await server_is_up(settings):
        server = DevServerProcess(settings, TEMPORAL_DB, STATE_DIR / "temporal.log", ui_port=settings.temporal_ui_port)
        await server.start()
    dependencies = ActivityDependencies.from_settings(settings)
    try:
        loaded = await prepare_database(dependencies)
        client = await connect(settings, serve_metrics=True)
        worker = build_worker(client, settings, dependencies)
        async with worker:
            if not tester:  # the relay's poll timers would each stop a clock advance on the test server,
                await start_events_relay(client, settings)
                await ensure_retention_schedule(client, settings)  # which has no Schedules
            # The test server lacks update-with-start: two round trips there.
            api = http_server(settings, ParcoursClient.from_settings(client, settings, update_with_start=not tester))
            api_task = await start_http_server(api)
            web = web_front_end(settings)
            web_task = await start_http_server(web)
            on_ready(loaded)
            await stop.wait()  # Ctrl-C or SIGTERM
            await stop_http_server(web, web_task)
            await stop_http_server(api, api_task)
    finally:
        await stop_http_server(codec, codec_task)
        await dependencies.engine.dispose()
        if server is not None:
            server.stop()
