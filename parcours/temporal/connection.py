"""The connection to Temporal, the same for workers, the CLI, the HTTP API and scripts.

Where Temporal is and how to reach it come from the SDK's environment configuration
(`temporalio.envconfig`): a profile of the TOML file (TEMPORAL_CONFIG_FILE, or the user's
temporal.toml; TEMPORAL_PROFILE picks one) and the TEMPORAL_* variables, which give TLS, an API
key and gRPC metadata — what a TLS-only cluster or Temporal Cloud needs (docs/connecting.md).
PARCOURS_TEMPORAL_ADDRESS and PARCOURS_TEMPORAL_NAMESPACE, when set, win over the profile; with
neither set nor a profile, Parcours' defaults apply (the local dev server)."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.envconfig import ClientConfigProfile

from parcours.settings import Settings
from parcours.temporal.codec import parcours_data_converter
from parcours.temporal.observability import runtime_for, tracing_interceptors


def connect_arguments(settings: Settings, profile: ClientConfigProfile | None = None) -> dict[str, Any]:
    """`Client.connect`'s keywords for where and how to reach Temporal (no converter, no runtime):
    the profile's, under Parcours' own address and namespace when those are set."""
    if profile is None:
        profile = ClientConfigProfile.load()
    arguments: dict[str, Any] = dict(profile.to_client_connect_config())
    for setting, argument in (("temporal_address", "target_host"), ("temporal_namespace", "namespace")):
        if setting in settings.model_fields_set or argument not in arguments:
            arguments[argument] = getattr(settings, setting)
    return arguments


async def connect(settings: Settings, *, serve_metrics: bool = False) -> Client:
    """A client with the payload codec and tracing; `serve_metrics` for the worker process, whose
    runtime serves /metrics (a CLI command beside it must not take the same port)."""
    return await Client.connect(
        **connect_arguments(settings),
        data_converter=parcours_data_converter(settings.payload_key_ring()),
        interceptors=tracing_interceptors(settings),
        runtime=runtime_for(settings, serve_metrics=serve_metrics),
    )
