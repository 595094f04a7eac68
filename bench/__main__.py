"""`python -m bench` — Parcours' activation against a bare Temporal skeleton of the same shape, side
by side in one run on the embedded dev server; `python -m bench open` — many journeys waiting on
their code timer; `python -m bench replay` — the workflow's CPU per journey, replayed. Prints its
numbers; see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

from bench import drive
from bench.measures import ProcessUsage, median, percentile, timer_lateness_seconds
from bench.replay import replay_one_activation


# A journey waiting on its code has one long timer, the code's expiry (started when the code went
# out, or when the state was published a minute later); the others are the minute's publication.
def is_code_expiry(duration: timedelta, validity: timedelta) -> bool:
    return duration >= validity / 2


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("mode", nargs="?", choices=["compare", "open", "held", "replay"], default="compare")
    parser.add_argument("--low", type=int, default=4, help="the fixed concurrency (default 4)")
    parser.add_argument("--high", type=int, default=100, help="the saturating concurrency (default 100)")
    parser.add_argument("--journeys-low", type=int, default=200)
    parser.add_argument("--journeys-high", type=int, default=1000)
    parser.add_argument("--open-journeys", type=int, default=10_000)
    parser.add_argument("--held-journeys", type=int, default=800, help="held mode: journeys per worker")
    parser.add_argument("--replays", type=int, default=300, help="replay mode: replays per way of running")
    parser.add_argument("--code-validity-s", type=int, default=1800,
                        help="open mode: when the codes expire (the SPEC's 30 min by default)")
    parser.add_argument("--directory", type=Path,
                        help="keep the stack's files (databases, worker and server logs) there "
                             "instead of a temporary folder")
    options = parser.parse_args()
    runner = {"compare": compare, "open": open_journeys, "held": held_in_memory,
              "replay": replay_one_activation}[options.mode]
    if options.directory:
        options.directory.mkdir(parents=True, exist_ok=True)
    folder = (nullcontext(options.directory) if options.directory
              else tempfile.TemporaryDirectory(prefix="parcours-bench-"))
    with folder as directory:
        asyncio.run(runner(options, Path(directory)))


async def compare(options, directory: Path) -> None:
    phases = [(options.low, options.journeys_low), (options.high, options.journeys_high)]
    async with drive.Stack(directory, guardians=sum(n + drive.WARM_UP for _, n in phases)) as stack:
        results = {}
        for concurrency, journeys in phases:
            for name in ("skeleton", "parcours"):
                results[name, concurrency] = await stack.measure(name, concurrency, journeys)
        print_comparison(stack, results, phases)


def print_comparison(stack, results, phases) -> None:
    rows = [
        ("journeys per second", lambda r: r.throughput, "{:.1f}"),
        ("submit-code update p50 (ms)", lambda r: 1000 * median(r.code_latencies), "{:.1f}"),
        ("submit-code update p99 (ms)", lambda r: 1000 * percentile(r.code_latencies, 0.99), "{:.1f}"),
        ("whole journey p50 (ms)", lambda r: 1000 * median(r.journey_latencies), "{:.1f}"),
        ("whole journey p99 (ms)", lambda r: 1000 * percentile(r.journey_latencies, 0.99), "{:.1f}"),
        ("history events per journey", lambda r: median(r.events), "{:.0f}"),
        ("billable actions per journey", lambda r: median(r.actions), "{:.0f}"),
        ("worker CPU s per 1,000 journeys", lambda r: r.cpu_per_thousand, "{:.1f}"),
        ("worker peak memory (MiB)", lambda r: r.peak_mib, "{:.0f}"),
    ]
    print(f"\nParcours activation vs. skeleton — {stack.machine()}")
    sandbox = "on" if stack.settings.workflow_sandbox else "off"
    print(f"Parcours' worker: sandbox {sandbox} (PARCOURS_WORKFLOW_SANDBOX), "
          f"{stack.settings.worker_max_concurrent_workflow_tasks} workflow tasks at once")
    header = f"{'':34}"
    for concurrency, journeys in phases:
        header += f"| c={concurrency} ({journeys} journeys)".ljust(42)
    print(header)
    print(f"{'':34}" + "| skeleton   parcours   ratio        " * len(phases))
    for label, value, form in rows:
        line = f"{label:34}"
        for concurrency, _ in phases:
            skeleton, parcours = value(results["skeleton", concurrency]), value(results["parcours", concurrency])
            ratio = parcours / skeleton if skeleton else float("nan")
            line += f"| {form.format(skeleton):>8}   {form.format(parcours):>8}   {ratio:5.2f}×      "
        print(line)


async def open_journeys(options, directory: Path) -> None:
    count = options.open_journeys
    async with drive.Stack(directory, guardians=count, code_validity_s=options.code_validity_s) as stack:
        worker = stack.start_worker("parcours")
        try:
            await measure_open_journeys(options, stack, worker)
        finally:
            stack.stop_worker(worker)


async def measure_open_journeys(options, stack: drive.Stack, worker) -> None:
    count = options.open_journeys
    usage = ProcessUsage(worker.process.pid)
    started = time.perf_counter()
    journey_ids = await stack.open_activations(count, concurrency=options.high)
    opened_in = time.perf_counter() - started
    if opened_in >= options.code_validity_s:
        print("warning: codes began expiring before every journey was open; raise --code-validity-s")
    rss_open, cpu_open = usage.memory_mib(), usage.cpu_seconds()
    print(f"{count} journeys opened in {opened_in:.0f} s, waiting on their code "
          f"(worker RSS {rss_open:.0f} MiB); waiting for the codes to expire…", flush=True)
    await stack.wait_until_expired(journey_ids)
    cpu_expiry = usage.cpu_seconds() - cpu_open
    sample = journey_ids[:: max(1, count // 1000)]
    expiry, others = [], []
    validity = timedelta(seconds=options.code_validity_s)
    for journey_id in sample:
        history = await stack.parcours_client.get_workflow_handle(journey_id).fetch_history()
        for duration, late in timer_lateness_seconds(history):
            (expiry if is_code_expiry(duration, validity) else others).append(late)
    settings = stack.settings
    print(f"\nOpen journeys — {stack.machine()}")
    print(f"worker: cache of {settings.worker_max_cached_workflows} journeys, "
          f"sandbox {'on' if settings.workflow_sandbox else 'off'}; code validity {options.code_validity_s} s")
    rows = [("journeys open at once", f"{count} (opened at {count / opened_in:.1f} per second)"),
            ("worker memory with all open (MiB)", f"{rss_open:.0f}"),
            ("worker peak memory (MiB)", f"{usage.peak_memory_mib():.0f}"),
            ("worker CPU while they expire, per journey (ms)", f"{1000 * cpu_expiry / count:.1f}")]
    for label, lateness in (("code expiry", expiry), ("other timers", others)):
        rows.append((f"{label} acted on late, p50/p99/max (s)",
                     f"{percentile(lateness, 0.5):.2f} / {percentile(lateness, 0.99):.2f} / "
                     f"{max(lateness, default=float('nan')):.2f}  ({len(lateness)} timers, {len(sample)} journeys)"))
    for label, value in rows:
        print(f"{label:48}{value}")


async def held_in_memory(options, directory: Path) -> None:
    """What one journey waiting on its code costs a worker that keeps it in its cache, skeleton and
    Parcours side by side: the worker's memory growth over N journeys (N below the cache size)."""
    count = options.held_journeys
    async with drive.Stack(directory, guardians=count + drive.WARM_UP) as stack:
        if count + drive.WARM_UP > stack.settings.worker_max_cached_workflows:
            raise SystemExit("held mode measures journeys in the cache: keep --held-journeys below its size")
        grown = {}
        for name in ("skeleton", "parcours"):
            worker = stack.start_worker(name)
            try:
                usage = ProcessUsage(worker.process.pid)
                opener = stack.open_activations if name == "parcours" else stack.open_skeletons
                await opener(drive.WARM_UP, concurrency=drive.WARM_UP)
                before = usage.memory_mib()
                await opener(count, concurrency=options.high)
                grown[name] = (usage.memory_mib() - before) * 1024 / count
            finally:
                stack.stop_worker(worker)
        print(f"\nJourneys held in a worker's memory — {stack.machine()}")
        print(f"sandbox {'on' if stack.settings.workflow_sandbox else 'off'} (Parcours; the skeleton's worker: on), "
              f"{count} journeys each, waiting on their code timer")
        print(f"KiB per journey held: skeleton {grown['skeleton']:.0f}, Parcours {grown['parcours']:.0f} "
              f"({grown['parcours'] / grown['skeleton']:.2f}×)")


if __name__ == "__main__":
    main()
