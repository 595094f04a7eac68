"""The connection to Temporal, the same for workers, the CLI, the HTTP API and scripts."""

from __future__ import annotations

from temporalio.client import Client

from parcours.settings import Settings
from parcours.temporal.codec import parcours_data_converter
from parcours.temporal.observability import runtime_for, tracing_interceptors


async def connect(settings: Settings, *, serve_metrics: bool = False) -> Client:
    """A client with the payload codec and tracing; `serve_metrics` for the worker process, whose
    runtime serves /metrics (a CLI command beside it must not take the same port)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=parcours_data_converter(settings.payload_key_ring()),
        interceptors=tracing_interceptors(settings),
        runtime=runtime_for(settings, serve_metrics=serve_metrics),
    )
