from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from temporalio.client import Client

from parcours.activities.dependencies import ActivityDependencies
from parcours.client import ParcoursClient
from parcours.db.demo import load_demo_records
from parcours.settings import Settings
from parcours.stack.embedded import DevServerProcess, WorkerProcess
from parcours.temporal.codec import parcours_data_converter
from parcours.testing import (
    Inbox,
    free_port,
    prepare_schema,
    running_parcours,
    settings_for,
    start_dev_server_env,
    start_time_skipping_env,
)


@pytest.fixture(scope="session")
def session_keys(tmp_path_factory):
    """One key ring for the session: the Temporal environment's converter and each test's worker."""
    return settings_for(tmp_path_factory.mktemp("keys"))


@pytest.fixture
async def time_env(session_keys):
    """A fresh time-skipping server per test (0.1 s): open journeys of an earlier test, whose worker
    is gone, would otherwise hold the clock."""
    env = await start_time_skipping_env(session_keys)
    # Time moves only when a test says so (env.sleep): short workflows the tests await (sign-in,
    # account view) must not let the server jump to the next timer of a journey under test.
    with env.auto_time_skipping_disabled():
        yield env
    await env.shutdown()


@pytest.fixture
def settings(tmp_path, session_keys):
    return settings_for(tmp_path, secret_key=session_keys.secret_key, payload_keys=session_keys.payload_keys)


@pytest.fixture
def inbox(settings):
    return Inbox(settings.dev_inbox_path)


@pytest.fixture
async def harness(time_env, settings):
    """(ParcoursClient, ActivityDependencies): a worker on the time-skipping server, demo records loaded."""
    async with running_parcours(time_env.client, settings, update_with_start=False) as running:
        yield running


@pytest.fixture
def parcours(harness):
    return harness[0]


@pytest.fixture(scope="session")
def stacks_stopping():
    """Stacks told to stop, waited for once the session ends: their clean stop (1.8 s, most of it
    the dev server's own) goes on while the next tests run, on ports of their own."""
    stopping = []
    yield stopping
    for stack in stopping:
        stack.wait_stopped()


@pytest.fixture(scope="module")
def embedded_stack(tmp_path_factory, stacks_stopping):
    """`parcours up` in its own folder and process (dev server + Web UI, worker, HTTP API)."""
    from stack import EmbeddedStack

    stack = EmbeddedStack(tmp_path_factory.mktemp("stack")).start()
    yield stack
    stack.terminate()
    stacks_stopping.append(stack)


@pytest.fixture(scope="module")
def module_keys(tmp_path_factory):
    """One key ring for a module whose tests share a dev server (`dev_env`)."""
    return settings_for(tmp_path_factory.mktemp("module-keys"))


@pytest.fixture(scope="module")
async def dev_env(module_keys):
    """The Temporal dev server (the real server, not time skipping), one per module."""
    env = await start_dev_server_env(module_keys)
    yield env
    await env.shutdown()


@dataclass
class OwnDevServer:
    settings: Settings  # the test's, with the server's address
    server: DevServerProcess
    client: Client  # with Parcours' converter


@pytest.fixture
def own_dev_server(tmp_path):
    """`async with own_dev_server(settings) as own:` a Temporal dev server of the test's own, on a
    free port and persisting to tmp_path (stop and start `own.server` to restart it), and a client;
    the server killed at the end."""
    from tests.processes import DevServer

    @asynccontextmanager
    async def started(settings: Settings) -> AsyncIterator[OwnDevServer]:
        settings = settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"})
        server = DevServer(settings, tmp_path / "temporal.db", tmp_path / "temporal.log")
        await server.start()
        try:
            client = await Client.connect(settings.temporal_address,
                                          data_converter=parcours_data_converter(settings.payload_key_ring()))
            yield OwnDevServer(settings, server, client)
        finally:
            server.kill()

    return started


@dataclass
class WorkerInItsProcess:
    settings: Settings
    dependencies: ActivityDependencies
    client: Client
    parcours: ParcoursClient
    worker: WorkerProcess  # started; kill() it (SIGKILL) and start() it again at will


@pytest.fixture
def worker_in_its_process(own_dev_server, tmp_path):
    """`async with worker_in_its_process(settings) as stack:` the test's own dev server, its
    database made afresh with the demo records, and a worker in a process of its own (a SIGKILL
    takes it mid-anything); the worker killed and everything stopped at the end."""

    @asynccontextmanager
    async def started(settings: Settings) -> AsyncIterator[WorkerInItsProcess]:
        async with own_dev_server(settings) as own:
            dependencies = ActivityDependencies.from_settings(own.settings)
            worker = WorkerProcess(own.settings, tmp_path)
            try:
                await prepare_schema(dependencies, fresh=True)
                await load_demo_records(dependencies.sessions)
                worker.start()
                yield WorkerInItsProcess(own.settings, dependencies, own.client,
                                         ParcoursClient.from_settings(own.client, own.settings), worker)
            finally:
                worker.kill()
                await dependencies.engine.dispose()

    return started
