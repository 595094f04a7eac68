"""`python -m bench` — Parcours' activation against a bare Temporal skeleton of the same shape, side
by side in one run on the embedded dev server; `python -m bench open` — many journeys waiting on
their code timer. Prints its numbers; see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench import drive
from bench.measures import ProcessUsage, median, percentile, timer_lateness_seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("mode", nargs="?", choices=["compare", "open"], default="compare")
    parser.add_argument("--low", type=int, default=4, help="the fixed concurrency (default 4)")
    parser.add_argument("--high", type=int, default=100, help="the saturating concurrency (default 100)")
    parser.add_argument("--journeys-low", type=int, default=200)
    parser.add_argument("--journeys-high", type=int, default=1000)
    parser.add_argument("--open-journeys", type=int, default=10_000)
    parser.add_argument("--code-validity-s", type=int, default=300, help="open mode: when the codes expire")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as directory:
        runner = compare if options.mode == "compare" else open_journeys
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
        usage = ProcessUsage(worker.process.pid)
        started = time.perf_counter()
        journey_ids = await stack.open_activations(count, concurrency=options.high)
        opened_in = time.perf_counter() - started
        rss_open = usage.memory_mib()
        print(f"{count} journeys opened in {opened_in:.0f} s, waiting on their code "
              f"(worker RSS {rss_open:.0f} MiB); waiting for the codes to expire…")
        await stack.wait_until_expired(journey_ids)
        sample = journey_ids[:: max(1, count // 1000)]
        lateness = []
        for journey_id in sample:
            history = await stack.parcours_client.get_workflow_handle(journey_id).fetch_history()
            lateness += timer_lateness_seconds(history)
        print(f"\nOpen journeys — {stack.machine()}")
        print(f"journeys open at once                 {count}")
        print(f"worker memory with all open (MiB)     {rss_open:.0f}")
        print(f"worker peak memory (MiB)              {usage.peak_memory_mib():.0f}")
        print(f"timers acted on late, p50/p99/max (s) {percentile(lateness, 0.5):.2f} / "
              f"{percentile(lateness, 0.99):.2f} / {max(lateness, default=float('nan')):.2f}"
              f"  ({len(lateness)} timers of {len(sample)} journeys)")
        stack.stop_worker(worker)


if __name__ == "__main__":
    main()
