"""The stack a benchmark runs on — the embedded dev server (SQLite file), the application's SQLite
database with one school record per journey, an HTTP SMS receiver, worker processes — and the
journeys it drives, as an API layer would: through the client module, answers instant."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import insert
from temporalio.client import Client

from bench import skeleton
from bench.measures import ProcessUsage, billable_actions
from parcours.activities.dependencies import ActivityDependencies
from parcours.client import ParcoursClient
from parcours.db.engine import create_schema
from parcours.db.models import Account, AccountStatus, GuardianRecord, GuardianStudentLink, LinkRole, StudentRecord
from parcours.security.crypto import new_reference
from parcours.settings import Settings, generate_secrets_env
from parcours.stack.embedded import DevServerProcess, WorkerProcess
from parcours.temporal.codec import parcours_data_converter
from parcours.testing import free_port

WARM_UP = 10  # journeys run before measuring: imports, caches, connections
HISTORY_SAMPLE = 20
PASSWORD = "Cartable-Vert-2026!"
BIRTH_DATE = date(2014, 1, 1)
PARCOURS_QUEUE, SKELETON_QUEUE = "bench-parcours", "bench-skeleton"
REPO = Path(__file__).resolve().parent.parent


def letters(number: int) -> str:
    """A name part from a number (names are letters only): 0 -> "a", 27 -> "bb"."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord("a") + digit) + text
        if number == 0:
            return text


def mobile(index: int) -> str:
    return f"+3361{index:07d}"


class SmsReceiver:
    """The SMS gateway of the benchmark: keeps the last code sent to each number."""

    def __init__(self):
        self.codes: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                found = re.search(r"\b(\d{6})\b", body["text"])
                if found:
                    receiver.codes[body["to"]] = found.group(1)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    async def code_for(self, number: str) -> str:
        for _ in range(2000):
            if number in self.codes:
                return self.codes.pop(number)
            await asyncio.sleep(0.005)
        raise RuntimeError(f"no SMS to {number}")


@dataclass
class Result:
    throughput: float
    code_latencies: list[float]
    journey_latencies: list[float]
    events: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    cpu_per_thousand: float = 0.0
    peak_mib: float = 0.0


class Stack:
    def __init__(self, directory: Path, guardians: int, code_validity_s: int = 1800):
        self.directory, self.guardians = directory, guardians
        port, metrics_port = free_port(), free_port()
        self.receiver = SmsReceiver()
        keys = dict(line.split("=", 1) for line in generate_secrets_env().splitlines())
        self.settings = Settings(
            _env_file=None, temporal_address=f"127.0.0.1:{port}", task_queue=PARCOURS_QUEUE,
            database_url=f"sqlite+aiosqlite:///{directory / 'parcours.db'}", dev_inbox_path=directory / "inbox.jsonl",
            secret_key=keys["PARCOURS_SECRET_KEY"], payload_keys=keys["PARCOURS_PAYLOAD_KEYS"],
            sms_provider="http", sms_gateway_url=self.receiver.url, code_validity=timedelta(seconds=code_validity_s),
            # one number gets one journey's SMS here; the limits are not what is measured
            sms_per_destination_per_hour=100, sms_per_destination_per_day=100,
            # the workers serve /metrics as in production, on a port of their own
            metrics_bind_address=f"127.0.0.1:{metrics_port}",
        )
        self.server = DevServerProcess(self.settings, directory / "temporal.db", directory / "temporal.log")
        self.next_guardian = 0

    async def __aenter__(self) -> Stack:
        await self.server.start()
        await self._seed()
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
        return (f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")

    async def _seed(self) -> None:
        """One guardian (with one child) per journey, written in bulk."""
        dependencies = ActivityDependencies.from_settings(self.settings)
        await create_schema(dependencies.engine)
        async with dependencies.sessions.begin() as session:
            for start in range(0, self.guardians, 1000):
                indexes = range(start, min(start + 1000, self.guardians))
                await session.execute(insert(GuardianRecord), [
                    dict(id=i + 1, last_name=f"Banc{letters(i)}", first_name="Alex", mobile=mobile(i))
                    for i in indexes])
                await session.execute(insert(StudentRecord), [
                    dict(id=i + 1, ref=f"stu-bench-{i}", last_name=f"Banc{letters(i)}", first_name="Sam",
                         birth_date=BIRTH_DATE, school="École", class_name="CM1") for i in indexes])
                await session.execute(insert(GuardianStudentLink), [
                    dict(guardian_id=i + 1, student_id=i + 1, role=LinkRole.LEGAL_REPRESENTATIVE) for i in indexes])
                await session.execute(insert(Account), [
                    dict(ref=new_reference(), kind="guardian", guardian_id=i + 1, identifier=f"a.banc{letters(i)}1",
                         status=AccountStatus.PROVISIONED) for i in indexes])
        await dependencies.engine.dispose()

    def _guardian(self) -> int:
        index = self.next_guardian
        if index >= self.guardians:
            raise RuntimeError("not enough school records seeded for this many journeys")
        self.next_guardian += 1
        return index

    # -- workers ----------------------------------------------------------------------------------

    def start_worker(self, name: str) -> WorkerProcess:
        if name == "parcours":
            worker = WorkerProcess(self.settings, self.directory)
        else:
            worker = WorkerProcess(self.settings, self.directory, "bench.skeleton",
                                   self.settings.temporal_address, SKELETON_QUEUE)
        worker.environment["PYTHONPATH"] = str(REPO)
        # Bytecode, as an installed package has it (pip compiles on install): the sandbox executes
        # the workflow modules again for each journey, from source where there is none.
        worker.environment.pop("PYTHONDONTWRITEBYTECODE", None)
        worker.environment["PYTHONPYCACHEPREFIX"] = str(self.directory / "bytecode")
        worker.start()
        return worker

    def stop_worker(self, worker: WorkerProcess) -> None:
        worker.stop()

    # -- journeys ---------------------------------------------------------------------------------

    async def parcours_journey(self) -> tuple[str, float, float]:
        index = self._guardian()
        identity = {"channel": "sms", "last_name": f"Banc{letters(index)}", "first_name": "Alex",
                    "mobile": mobile(index)}
        started = time.perf_counter()
        journey, outcome = await self.parcours.start_activation(identity)
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
        worker = self.start_worker(name)
        try:
            await self._run(journey, WARM_UP, min(concurrency, WARM_UP))
            usage = ProcessUsage(worker.process.pid)
            cpu_before = usage.cpu_seconds()
            results, elapsed = await self._run(journey, count, concurrency)
            cpu = usage.cpu_seconds() - cpu_before
            result = Result(throughput=count / elapsed, code_latencies=[r[1] for r in results],
                            journey_latencies=[r[2] for r in results], cpu_per_thousand=1000 * cpu / count,
                            peak_mib=usage.peak_memory_mib())
            for journey_id, _, _ in results[:: max(1, count // HISTORY_SAMPLE)]:
                history = await client.get_workflow_handle(journey_id).fetch_history()
                result.events.append(len(history.events))
                result.actions.append(billable_actions(history))
            print(f"  {name:9} c={concurrency:<4} {count} journeys in {elapsed:.1f} s", flush=True)
            return result
        finally:
            self.stop_worker(worker)

    # -- open journeys ----------------------------------------------------------------------------

    async def open_activations(self, count: int, concurrency: int) -> list[str]:
        async def opened():
            index = self._guardian()
            journey, outcome = await self.parcours.start_activation(
                {"channel": "sms", "last_name": f"Banc{letters(index)}", "first_name": "Alex", "mobile": mobile(index)})
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
