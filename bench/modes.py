"""The benchmark's modes, each run on one setup (database, number of workers) and answering rows of
(measure, figure) that `python -m bench` prints beside the other setups'."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from bench import drive
from bench.measures import median, percentile, timer_lateness_seconds

Rows = list[tuple[str, str]]

COMPARED = [
    ("journeys per second", lambda r: r.throughput, "{:.1f}"),
    ("submit-code update p50 (ms)", lambda r: 1000 * median(r.code_latencies), "{:.0f}"),
    ("submit-code update p99 (ms)", lambda r: 1000 * percentile(r.code_latencies, 0.99), "{:.0f}"),
    ("whole journey p50 (ms)", lambda r: 1000 * median(r.journey_latencies), "{:.0f}"),
    ("whole journey p99 (ms)", lambda r: 1000 * percentile(r.journey_latencies, 0.99), "{:.0f}"),
    ("history events per journey", lambda r: median(r.events), "{:.0f}"),
    ("billable actions per journey", lambda r: median(r.actions), "{:.0f}"),
    ("workers' CPU s per 1,000 journeys", lambda r: r.cpu_per_thousand, "{:.1f}"),
    ("  of which argon2id (s)", lambda r: r.hash_cpu_per_thousand, "{:.1f}"),
    ("  argon2id excluded (s)", lambda r: r.cpu_per_thousand - r.hash_cpu_per_thousand, "{:.1f}"),
    ("workers' peak memory (MiB)", lambda r: r.peak_mib, "{:.0f}"),
]


# A journey waiting on its code has one long timer, the code's expiry (started when the code went
# out, or when the state was published a minute later); the others are the minute's publication.
def is_code_expiry(duration: timedelta, validity: timedelta) -> bool:
    return duration >= validity / 2


def side_by_side(skeleton: float, parcours: float, form: str) -> str:
    ratio = f"{parcours / skeleton:.2f}×" if skeleton else "—"
    return f"{form.format(skeleton)} / {form.format(parcours)} ({ratio})"


async def compare(options, directory: Path, setup: drive.Setup) -> Rows:
    """Skeleton then Parcours, each with the setup's workers, at each concurrency: 'skeleton /
    Parcours (ratio)' per measure."""
    phases = [(options.low, options.journeys_low), (options.high, options.journeys_high)]
    guardians = sum(n + drive.WARM_UP for _, n in phases)
    rows: Rows = []
    async with drive.Stack(directory, guardians=guardians, setup=setup) as stack:
        for concurrency, journeys in phases:
            results = {name: await stack.measure(name, concurrency, journeys) for name in ("skeleton", "parcours")}
            rows += [(f"c={concurrency} ({journeys} journeys): {label}",
                      side_by_side(value(results["skeleton"]), value(results["parcours"]), form))
                     for label, value, form in COMPARED]
    return rows


# Open mode, its codes' validity when not given: long enough for every journey to be open before the
# first code expires (the figures "with all open" and "while they expire" must not overlap), from
# the opening rate of the run before (or a cautious guess for the first), with a margin.
FIRST_OPENING_RATE_GUESS = 5.0  # journeys a second, below what a 2-core machine opens
VALIDITY_MARGIN = 1.3
MIN_CODE_VALIDITY_S = 300


def code_validity_s(options, count: int, opening_rate: float) -> int:
    if options.code_validity_s is not None:
        return options.code_validity_s
    return max(MIN_CODE_VALIDITY_S, round(VALIDITY_MARGIN * count / opening_rate))


async def open_journeys(options, directory: Path, setup: drive.Setup) -> Rows:
    """For each size N (`--open-journeys 2000 5000 …`, a fresh stack each): N journeys left waiting
    on their code, then their codes' expiry: memory, CPU, lateness, rows prefixed by N."""
    rows: Rows = []
    rate = FIRST_OPENING_RATE_GUESS
    for count in options.open_journeys:
        validity_s = code_validity_s(options, count, rate)
        print(f"{count} journeys, codes valid {validity_s} s:", flush=True)
        sized, rate = await open_and_expire(directory / f"open-{count}", setup, count, validity_s,
                                             options.open_concurrency)
        rows += [(f"{count:,} open: {label}", figure) for label, figure in sized]
    return rows


async def open_and_expire(directory: Path, setup: drive.Setup, count: int, validity_s: int,
                          concurrency: int) -> tuple[Rows, float]:
    """One size's rows and the rate its journeys were opened at."""
    async with drive.Stack(directory, guardians=count, code_validity_s=validity_s, setup=setup) as stack:
        workers = await stack.start_workers("parcours")
        try:
            usage = workers.usage
            started = time.perf_counter()
            journey_ids = await stack.open_activations(count, concurrency=concurrency)
            opened_in = time.perf_counter() - started
            if opened_in >= validity_s:
                print("warning: codes began expiring before every journey was open; raise --code-validity-s")
            rss_open, cpu_open = usage.memory_mib(), usage.cpu_seconds()
            print(f"{count} journeys opened in {opened_in:.0f} s, waiting on their code "
                  f"(workers' RSS {rss_open:.0f} MiB); waiting for the codes to expire…", flush=True)
            await stack.wait_until_expired(journey_ids)
            cpu_expiry = usage.cpu_seconds() - cpu_open
            expiry: list[float] = []
            others: list[float] = []
            sample = journey_ids[:: max(1, count // 1000)]
            validity = timedelta(seconds=validity_s)
            for journey_id in sample:
                history = await stack.parcours_client.get_workflow_handle(journey_id).fetch_history()
                for duration, late in timer_lateness_seconds(history):
                    (expiry if is_code_expiry(duration, validity) else others).append(late)
            rows = [("opened at (journeys/s)", f"{count / opened_in:.1f}"),
                    ("code validity (s)", f"{validity_s}"),
                    ("workers' memory with all open (MiB)", f"{rss_open:.0f}"),
                    ("workers' peak memory (MiB)", f"{usage.peak_memory_mib():.0f}"),
                    ("workers' CPU while they expire, per journey (ms)", f"{1000 * cpu_expiry / count:.1f}")]
        finally:
            stack.stop_workers(workers)
    for label, lateness in (("code expiry", expiry), ("other timers", others)):
        rows.append((f"{label} acted on late, p50/p99/max (s)",
                     f"{percentile(lateness, 0.5):.2f} / {percentile(lateness, 0.99):.2f} / "
                     f"{max(lateness, default=float('nan')):.2f} ({len(lateness)})"))
    return rows, count / opened_in


async def held_in_memory(options, directory: Path, setup: drive.Setup) -> Rows:
    """What one journey waiting on its code costs the workers that keep it in their cache, skeleton
    and Parcours side by side: the workers' memory growth over N journeys (N below the cache size)."""
    count = options.held_journeys
    async with drive.Stack(directory, guardians=count + drive.WARM_UP, setup=setup) as stack:
        if count + drive.WARM_UP > stack.settings.worker_max_cached_workflows:
            raise SystemExit("held mode measures journeys in the cache: keep --held-journeys below its size")
        grown = {}
        for name in ("skeleton", "parcours"):
            workers = await stack.start_workers(name)
            try:
                usage = workers.usage
                opener = stack.open_activations if name == "parcours" else stack.open_skeletons
                await opener(drive.WARM_UP, concurrency=drive.WARM_UP)
                before = usage.memory_mib()
                await opener(count, concurrency=options.high)
                grown[name] = (usage.memory_mib() - before) * 1024 / count
            finally:
                stack.stop_workers(workers)
    return [(f"KiB per journey held ({count} journeys)", side_by_side(grown["skeleton"], grown["parcours"], "{:.0f}"))]
