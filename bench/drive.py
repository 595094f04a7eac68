"""The stack a benchmark runs on — the embedded dev server (SQLite file), the application's database
(SQLite, or PostgreSQL) with one school record per journey, an HTTP SMS receiver, worker processes
(one or several on one task queue) — and the journeys it drives, as an API layer would: through the
client module, answers instant."""

from __future__ import annotations

import asyncio
import os
import platform
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client

from bench import skeleton
from bench.measures import ProcessUsage, billable_actions, password_hash_cpu_seconds
from bench.population import BIRTH_DATE, SmsReceiver, identity, mobile, seed_school_records
from parcours.client import ParcoursClient
from parcours.settings import Settings, generate_secrets_env
from parcours.stack.embedded import DevServerProcess, WorkerProcess
from parcours.temporal.codec import parcours_data_converter
from parcours.testing import free_port, until_polling

WARM_UP = 10  # journeys run before measuring: imports, caches, connections
HISTORY_SAMPLE = 20
PASSWORD = "Cartable-Vert-2026!"
PARCOURS_QUEUE, SKELETON_QUEUE = "bench-parcours", "bench-skeleton"
REPO = Path(__file__).resolve().parent.parent


def machine() -> str:
    return (f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


@dataclass
class Result:
    throughput: float
    code_latencies: list[float]
    journey_latencies: list[float]
    events: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    cpu_per_thousand: float = 0.0
    hash_cpu_per_thousand: float = 0.0  # argon2id's share of cpu_per_thousand
    peak_mib: float = 0.0


@dataclass(frozen=True)
class Setup:
    """Where Parcours' workers keep their data and how many run on the one task queue."""

    database: str = "sqlite"  # or "postgresql"
    workers: int = 1
    database_url: str | None = None  # PostgreSQL's; the SQLite file is the run's own

    @property
    def label(self) -> str:
        return f"{'PostgreSQL' if self.database == 'postgresql' else 'SQLite'}, {self.workers} worker" + (
            "s" if self.workers > 1 else "")


@dataclass
class Workers:
    """Worker processes on one task queue, measured together."""

    processes: list[WorkerProcess]
    hashes_passwords: bool = False  # Parcours' do (argon2id); the skeleton's do not

    @property
    def usage(self) -> ProcessUsage:
        return ProcessUsage([worker.process.pid for worker in self.processes if worker.process])

    def password_hash_cpu_seconds(self) -> float:
        if not self.hashes_passwords:
            return 0.0
        return password_hash_cpu_seconds([f"http://{worker.environment['PARCOURS_METRICS_BIND_ADDRESS']}/metrics"
                                          for worker in self.processes])


class Stack:
    def __init__(self, directory: Path, guardians: int, code_validity_s: int = 1800, setup: Setup = Setup()):
        self.directory, self.guardians, self.setup = directory, guardians, setup
        directory.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.receiver = SmsReceiver()
        keys = dict(line.split("=", 1) for line in generate_secrets_env().splitlines())
        self.settings = Settings(
            _env_file=None, temporal_address=f"127.0.0.1:{port}", task_queue=PARCOURS_QUEUE,
            database_url=setup.database_url if setup.database == "postgresql" else
            f"sqlite+aiosqlite:///{directory / 'parcours.db'}", dev_inbox_path=directory / "inbox.jsonl",
            secret_key=keys["PARCOURS_SECRET_KEY"], payload_keys=keys["PARCOURS_PAYLOAD_KEYS"],
            sms_provider="http", sms_gateway_url=self.receiver.url, code_validity=timedelta(seconds=code_validity_s),
            # one number gets one journey's SMS here; the limits are not what is measured
            sms_per_destination_per_hour=100, sms_per_destination_per_day=100,
        )
        self.server = DevServerProcess(self.settings, directory / "temporal.db", directory / "temporal.log")
        self.next_guardian = 0

    async def __aenter__(self) -> Stack:
        await self.server.start()
        await seed_school_records(self.settings, self.guardians)
        address = self.settings.temporal_address
        self.parcours_client = await Client.connect(
            address, data_converter=parcours_data_converter(self.settings.payload_key_ring()))
        self.parcours = ParcoursClient.from_settings(self.parcours_client, self.settings)
        self.skeleton_client = await Client.connect(address)
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.stop()
        self.receiver.server.shutdown()

    def machine(self) -> str:
        return machine()

    def _guardian(self) -> int:
        index = self.next_guardian
        if index >= self.guardians:
            raise RuntimeError("not enough school records seeded for this many journeys")
        self.next_guardian += 1
        return index

    # -- workers ----------------------------------------------------------------------------------

    async def start_workers(self, name: str) -> Workers:
        """The setup's number of worker processes, Parcours' or the skeleton's, on one task queue,
        once each polls it."""
        workers = Workers([], hashes_passwords=name == "parcours")
        for number in range(self.setup.workers):
            folder = self.directory / f"{name}-worker-{number + 1}"  # its log
            folder.mkdir(exist_ok=True)
            if name == "parcours":
                worker = WorkerProcess(self.settings, folder)
            else:
                worker = WorkerProcess(self.settings, folder, "bench.skeleton",
                                       self.settings.temporal_address, SKELETON_QUEUE)
            # Parcours' workers serve /metrics as in production, each on a port of its own
            worker.environment["PARCOURS_METRICS_BIND_ADDRESS"] = f"127.0.0.1:{free_port()}"
            worker.environment["PYTHONPATH"] = str(REPO)
            # Bytecode, as an installed package has it (pip compiles on install): the sandbox executes
            # the workflow modules again for each journey, from source where there is none.
            worker.environment.pop("PYTHONDONTWRITEBYTECODE", None)
            worker.environment["PYTHONPYCACHEPREFIX"] = str(self.directory / "bytecode")
            worker.start()
            workers.processes.append(worker)
        client, queue = ((self.parcours_client, PARCOURS_QUEUE) if name == "parcours"
                         else (self.skeleton_client, SKELETON_QUEUE))
        try:
            await until_polling(client, queue, {worker.process.pid for worker in workers.processes if worker.process})
        except RuntimeError as error:
            self.stop_workers(workers)
            raise RuntimeError(f"{error}: see the worker.log of each {name}-worker-N in {self.directory}") from None
        return workers

    def stop_workers(self, workers: Workers) -> None:
        for worker in workers.processes:
            worker.stop()

    # -- journeys ---------------------------------------------------------------------------------

    async def parcours_journey(self) -> tuple[str, float, float]:
        index = self._guardian()
        started = time.perf_counter()
        journey, outcome = await self.parcours.start_activation(identity(index))
        code = await self.receiver.code_for(mobile(index))
        code_started = time.perf_counter()
        await journey.submit_code(code)
        code_latency = time.perf_counter() - code_started
        await journey.answer_child({"student_ref": f"stu-bench-{index}", "is_guardian": True,
                                    "birth_date": BIRTH_DATE.strftime("%d %m %Y")})
        outcome = await journey.choose_password(PASSWORD, PASSWORD)
        if outcome.step.state != "activated":
            raise RuntimeError(f"journey ended in {outcome.step.state}")
        return journey.journey_id, code_latency, time.perf_counter() - started

    async def _open_skeleton(self):
        handle = await self.skeleton_client.start_workflow(
            skeleton.WORKFLOW_TYPE, id=f"bench-skeleton/{uuid.uuid4().hex}", task_queue=SKELETON_QUEUE)
        await handle.execute_update("submit_identity", "identity")
        return handle

    async def skeleton_journey(self) -> tuple[str, float, float]:
        started = time.perf_counter()
        handle = await self._open_skeleton()
        code_started = time.perf_counter()
        await handle.execute_update("submit_code", "123456")
        code_latency = time.perf_counter() - code_started
        await handle.execute_update("answer_child", "child")
        await handle.execute_update("choose_password", "password")
        return handle.id, code_latency, time.perf_counter() - started

    async def _run(self, journey, count: int, concurrency: int) -> tuple[list, float]:
        gate = asyncio.Semaphore(concurrency)

        async def one():
            async with gate:
                return await journey()

        started = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(count)))
        return results, time.perf_counter() - started

    async def measure(self, name: str, concurrency: int, count: int) -> Result:
        journey = self.parcours_journey if name == "parcours" else self.skeleton_journey
        client = self.parcours_client if name == "parcours" else self.skeleton_client
        workers = await self.start_workers(name)
        try:
            await self._run(journey, WARM_UP, min(concurrency, WARM_UP))
            usage = workers.usage
            cpu_before, hash_cpu_before = usage.cpu_seconds(), workers.password_hash_cpu_seconds()
            results, elapsed = await self._run(journey, count, concurrency)
            cpu = usage.cpu_seconds() - cpu_before
            hash_cpu = workers.password_hash_cpu_seconds() - hash_cpu_before
            result = Result(throughput=count / elapsed, code_latencies=[r[1] for r in results],
                            journey_latencies=[r[2] for r in results], cpu_per_thousand=1000 * cpu / count,
                            hash_cpu_per_thousand=1000 * hash_cpu / count, peak_mib=usage.peak_memory_mib())
            for journey_id, _, _ in results[:: max(1, count // HISTORY_SAMPLE)]:
                history = await client.get_workflow_handle(journey_id).fetch_history()
                result.events.append(len(history.events))
                result.actions.append(billable_actions(history))
            print(f"  {name:9} c={concurrency:<4} {count} journeys in {elapsed:.1f} s", flush=True)
            return result
        finally:
            self.stop_workers(workers)

    # -- open journeys ----------------------------------------------------------------------------

    async def open_activations(self, count: int, concurrency: int) -> list[str]:
        async def opened():
            index = self._guardian()
            journey, outcome = await self.parcours.start_activation(identity(index))
            self.receiver.codes.pop(mobile(index), None)
            return journey.journey_id

        results, _ = await self._run(opened, count, concurrency)
        return results

    async def open_skeletons(self, count: int, concurrency: int) -> list[str]:
        async def opened():
            return (await self._open_skeleton()).id

        results, _ = await self._run(opened, count, concurrency)
        return results

    async def wait_until_expired(self, journey_ids: list[str]) -> None:
        last = self.parcours.activation(journey_ids[-1])
        while (await last.current_step()).state != "code_expired":  # noqa: ASYNC110 -- polls another process
            await asyncio.sleep(5)
        await asyncio.sleep(30)  # the stragglers
