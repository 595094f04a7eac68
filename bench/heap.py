"""`python -m bench heap`: what one activation waiting on its code holds in Python objects, by the
source file that made them — a worker in this process on the dev server (SQLite), N activations
opened, tracemalloc's growth over them divided by N. `bench held` gives the whole (RSS, Rust core
and allocator included); this says where the Python part of it comes from."""

from __future__ import annotations

import asyncio
import gc
import sys
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

from bench.population import SmsReceiver, identity, seed_school_records
from parcours.testing import running_parcours, settings_for, start_dev_server_env

TRACE_FRAMES = 1  # the innermost frame is all `by_source` reads (more slows the worker past its deadlock detector)
SHOWN = 25
OPENED_AT_ONCE = 10
STANDARD_LIBRARY = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"
WARM_UP = 20  # journeys before the first snapshot: imports, caches, connections


def by_source(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> Counter[str]:
    """Bytes grown per source file of the allocation's innermost frame."""
    grown: Counter[str] = Counter()
    for stat in after.compare_to(before, "filename"):
        name = stat.traceback[0].filename
        library = name.partition("site-packages/")[2] or name.partition(STANDARD_LIBRARY)[2]
        grown[library or "/".join(Path(name).parts[-2:])] += stat.size_diff  # ours: workflows/activation.py
    return grown


async def held_in_python(count: int) -> tuple[float, Counter[str]]:
    with tempfile.TemporaryDirectory(prefix="parcours-heap-") as folder:
        receiver = SmsReceiver()
        settings = settings_for(Path(folder), sms_provider="http", sms_gateway_url=receiver.url,
                                sms_per_destination_per_hour=100, sms_per_destination_per_day=100)
        env = await start_dev_server_env(settings)
        try:
            async with running_parcours(env.client, settings, demo_records=False, update_with_start=False) as (
                    parcours, _):
                await seed_school_records(settings, count + WARM_UP)
                for index in range(WARM_UP):
                    await parcours.start_activation(identity(index))
                gc.collect()
                tracemalloc.start(TRACE_FRAMES)
                before = tracemalloc.take_snapshot()
                at_once = asyncio.Semaphore(OPENED_AT_ONCE)

                async def opened(index: int) -> None:
                    async with at_once:
                        await parcours.start_activation(identity(index))

                await asyncio.gather(*(opened(index) for index in range(WARM_UP, WARM_UP + count)))
                gc.collect()
                after = tracemalloc.take_snapshot()
                tracemalloc.stop()
        finally:
            await env.shutdown()
            receiver.server.shutdown()
    ignored = [tracemalloc.Filter(False, tracemalloc.__file__)]
    grown = by_source(before.filter_traces(ignored), after.filter_traces(ignored))
    return sum(grown.values()) / count, grown


def print_heap(options) -> None:
    count = options.held_journeys
    per_journey, grown = asyncio.run(held_in_python(count))
    print(f"\nPython objects held per activation waiting on its code ({count} journeys): "
          f"{per_journey / 1024:.1f} KiB")
    for source, size in grown.most_common(SHOWN):
        print(f"{size / count / 1024:7.2f} KiB  {source}")
