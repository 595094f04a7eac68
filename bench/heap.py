"""`python -m bench heap`: what one journey waiting on its code holds in Python objects, by the
source file that made them, Parcours' activation beside the skeleton's — a worker in this process
on the dev server (Parcours on SQLite), N journeys opened, tracemalloc's growth over them divided
by N. `bench held` gives the whole (RSS: the SDK's Rust core and the allocator included); this says
where the Python part of it comes from."""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from bench import skeleton
from bench.population import SmsReceiver, identity, seed_school_records
from parcours.testing import running_parcours, settings_for, start_dev_server_env

TRACE_FRAMES = 1  # the innermost frame is all `by_source` reads (more slows the worker past its deadlock detector)
SHOWN = 25
OPENED_AT_ONCE = 10
WARM_UP = 20  # journeys before the first snapshot: imports, caches, connections
STANDARD_LIBRARY = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"


def by_source(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> Counter[str]:
    """Bytes grown per source file of the allocation's innermost frame."""
    ignored = [tracemalloc.Filter(False, tracemalloc.__file__)]
    grown: Counter[str] = Counter()
    for stat in after.filter_traces(ignored).compare_to(before.filter_traces(ignored), "filename"):
        name = stat.traceback[0].filename
        library = name.partition("site-packages/")[2] or name.partition(STANDARD_LIBRARY)[2]
        grown[library or "/".join(Path(name).parts[-2:])] += stat.size_diff  # ours: workflows/activation.py
    return grown


async def grown_over(open_one: Callable[[int], Awaitable[object]], count: int) -> Counter[str]:
    """What opening `count` journeys (after the warm-up's) leaves allocated, per journey."""
    for index in range(WARM_UP):
        await open_one(index)
    gc.collect()
    tracemalloc.start(TRACE_FRAMES)
    before = tracemalloc.take_snapshot()
    at_once = asyncio.Semaphore(OPENED_AT_ONCE)

    async def opened(index: int) -> None:
        async with at_once:
            await open_one(index)

    await asyncio.gather(*(opened(index) for index in range(WARM_UP, WARM_UP + count)))
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return Counter({source: size / count for source, size in by_source(before, after).items()})


async def held_in_python(count: int) -> dict[str, Counter[str]]:
    grown = {}
    with tempfile.TemporaryDirectory(prefix="parcours-heap-") as folder:
        receiver = SmsReceiver()
        settings = settings_for(Path(folder), sms_provider="http", sms_gateway_url=receiver.url,
                                sms_per_destination_per_hour=100, sms_per_destination_per_day=100)
        env = await start_dev_server_env(settings)
        try:
            async with running_parcours(env.client, settings, demo_records=False, update_with_start=False) as (
                    parcours, _):
                await seed_school_records(settings, count + WARM_UP)
                grown["parcours"] = await grown_over(lambda index: parcours.start_activation(identity(index)), count)
            plain = await Client.connect(env.client.service_client.config.target_host)
            queue = f"heap-skeleton-{uuid.uuid4().hex[:8]}"

            async def skeleton_opened(index: int) -> None:
                handle = await plain.start_workflow(skeleton.WORKFLOW_TYPE, id=f"heap-skeleton/{uuid.uuid4().hex}",
                                                    task_queue=queue)
                await handle.execute_update("submit_identity", "identity")

            async with Worker(plain, task_queue=queue, workflows=[skeleton.SkeletonActivation],
                              activities=[skeleton.noop]):
                grown["skeleton"] = await grown_over(skeleton_opened, count)
        finally:
            await env.shutdown()
            receiver.server.shutdown()
    return grown


def print_heap(options) -> None:
    count = options.held_journeys
    grown = asyncio.run(held_in_python(count))
    totals = {name: sum(sources.values()) / 1024 for name, sources in grown.items()}
    print(f"\nPython objects held per journey waiting on its code ({count} journeys each): skeleton "
          f"{totals['skeleton']:.1f} KiB, Parcours {totals['parcours']:.1f} KiB "
          f"({totals['parcours'] / totals['skeleton']:.2f}×)")
    print(f"{'skeleton':>10} {'Parcours':>10}  KiB per journey, by source file")
    for source, size in grown["parcours"].most_common(SHOWN):
        print(f"{grown['skeleton'].get(source, 0) / 1024:10.2f} {size / 1024:10.2f}  {source}")
