"""The worker process (parcours/worker.py): what it does before it takes work."""

from __future__ import annotations

import gc

from parcours import worker as worker_module


async def test_what_the_worker_loaded_at_start_is_out_of_the_collectors_sight(settings, monkeypatch):
    """A full collection stops the event loop; it must not scan the modules and schemas of the start."""
    frozen_when_running = []

    class RecordingWorker:
        async def run(self):
            frozen_when_running.append(gc.get_freeze_count())

    async def no_server(settings, **options):
        return object()

    async def no_relay(client, settings):
        pass

    monkeypatch.setattr(worker_module, "connect", no_server)
    monkeypatch.setattr(worker_module, "start_events_relay", no_relay)
    monkeypatch.setattr(worker_module, "ensure_retention_schedule", no_relay)
    monkeypatch.setattr(worker_module, "build_worker", lambda client, settings, dependencies: RecordingWorker())
    gc.unfreeze()
    try:
        await worker_module.run_worker(settings)
    finally:
        gc.unfreeze()  # the test process's objects, back in sight
    assert frozen_when_running and frozen_when_running[0] > 10_000
