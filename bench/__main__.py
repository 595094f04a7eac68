"""`python -m bench` — Parcours' activation against a bare Temporal skeleton of the same shape, side
by side in one run on the embedded dev server; `python -m bench open` — many journeys waiting on
their code timer; `python -m bench held` — memory per journey held; `python -m bench heap` — its
Python part, by source file; `python -m bench replay` — the workflow's CPU per journey, replayed.
`--database sqlite postgresql --workers 1 2` runs a mode on each setup (database × number of worker
processes on one task queue) and prints their figures side by side. Prints its numbers; see bench/README.md."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from contextlib import nullcontext
from pathlib import Path

from bench import drive, modes
from bench.heap import print_heap
from bench.replay import replay_one_activation
from parcours.settings import Settings

DEFAULT_POSTGRESQL_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/parcours_bench"
CELL_WIDTH = 30


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("mode", nargs="?", choices=["compare", "open", "held", "heap", "replay"], default="compare")
    parser.add_argument("--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"],
                        help="where Parcours' workers keep their data; several: each in turn (default sqlite)")
    parser.add_argument("--database-url", default=DEFAULT_POSTGRESQL_URL,
                        help="the PostgreSQL database (it must exist; its tables are dropped and made again) "
                             f"(default {DEFAULT_POSTGRESQL_URL})")
    parser.add_argument("--workers", nargs="+", type=int, default=[1],
                        help="worker processes on one task queue, for the skeleton and Parcours alike; "
                             "several numbers: each in turn (default 1)")
    parser.add_argument("--low", type=int, default=4, help="the fixed concurrency (default 4)")
    parser.add_argument("--high", type=int, default=100, help="the saturating concurrency (default 100)")
    parser.add_argument("--journeys-low", type=int, default=200)
    parser.add_argument("--journeys-high", type=int, default=1000)
    parser.add_argument("--open-journeys", nargs="+", type=int, default=[10_000],
                        help="open mode: journeys left open at once; several sizes: each in turn, on a fresh "
                             "stack (default 10000)")
    parser.add_argument("--open-concurrency", type=int, default=20,
                        help="open mode: journeys being opened at once (default 20: the worker opens them at its "
                             "full speed either way; more only lengthens the queue, and a start that waits "
                             "past the server's deadline fails the run)")
    parser.add_argument("--held-journeys", type=int, default=800, help="held and heap modes: journeys per run")
    parser.add_argument("--replays", type=int, default=300, help="replay mode: replays per way of running")
    parser.add_argument("--code-validity-s", type=int, default=None,
                        help="open mode: when the codes expire (default: long enough for every journey to be "
                             "open first, from the previous size's opening rate)")
    parser.add_argument("--directory", type=Path,
                        help="keep the stack's files (databases, worker and server logs) there "
                             "instead of a temporary folder")
    options = parser.parse_args()
    if min(options.workers) < 1:
        parser.error("--workers: at least 1")
    return options


def main() -> None:
    options = arguments()
    if options.directory:
        options.directory.mkdir(parents=True, exist_ok=True)
    folder = (nullcontext(options.directory) if options.directory
              else tempfile.TemporaryDirectory(prefix="parcours-bench-"))
    with folder as directory:
        if options.mode == "replay":
            asyncio.run(replay_one_activation(options, Path(directory)))
            return
        if options.mode == "heap":
            print_heap(options)
            return
        setups = [drive.Setup(database, workers, options.database_url)
                  for database in options.database for workers in options.workers]
        asyncio.run(run_setups(options, Path(directory), setups))


async def run_setups(options, directory: Path, setups: list[drive.Setup]) -> None:
    runner = {"compare": modes.compare, "open": modes.open_journeys, "held": modes.held_in_memory}[options.mode]
    figures = {}
    for number, setup in enumerate(setups, start=1):
        print(f"{setup.label}:", flush=True)
        figures[setup] = dict(await runner(options, directory / f"setup-{number}", setup))
    print_side_by_side(options, setups, figures)


def print_side_by_side(options, setups: list[drive.Setup], figures: dict) -> None:
    settings = Settings(_env_file=None)  # what the workers read from the environment, as the stack's do
    print(f"\npython -m bench {options.mode} — {drive.machine()}")
    print(f"Parcours' workers: sandbox {'on' if settings.workflow_sandbox else 'off'} (PARCOURS_WORKFLOW_SANDBOX), "
          f"{settings.worker_max_concurrent_workflow_tasks} workflow tasks at once, "
          f"cache of {settings.worker_max_cached_workflows} journeys; the skeleton's: sandbox on")
    if options.mode != "open":
        print("each cell: skeleton / Parcours (ratio), both with the column's number of workers")
    labels = list(dict.fromkeys(label for rows in figures.values() for label in rows))
    width = max(len(label) for label in labels) + 2
    print(" " * width + "".join(f"| {setup.label}".ljust(CELL_WIDTH) for setup in setups))
    for label in labels:
        print(label.ljust(width) + "".join(f"| {figures[setup].get(label, '—')}".ljust(CELL_WIDTH)
                                           for setup in setups))


if __name__ == "__main__":
    main()
