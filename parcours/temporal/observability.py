"""Metrics and traces. The Temporal SDK's runtime serves Prometheus metrics (its own, and the
journey counters Parcours records through its meters, never during replay); OpenTelemetry spans
come from the SDK's tracing interceptor on clients and workers."""

from __future__ import annotations

from functools import lru_cache

from temporalio import activity
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from parcours.settings import Settings


@lru_cache  # one runtime per process and address: the endpoint is bound once
def metrics_runtime(bind_address: str) -> Runtime:
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind_address)))


def runtime_for(settings: Settings, *, serve_metrics: bool) -> Runtime | None:
    """The runtime of a worker process that serves /metrics; None (the SDK default) otherwise."""
    if serve_metrics and settings.metrics_bind_address:
        return metrics_runtime(settings.metrics_bind_address)
    return None


def tracing_interceptors(settings: Settings) -> list:
    """The SDK's OpenTelemetry interceptor, with the exporter the settings name ("none": no spans)."""
    if settings.tracing_exporter == "none":
        return []
    configure_tracer_provider(settings.tracing_exporter, settings.otlp_endpoint)
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]


@lru_cache
def configure_tracer_provider(exporter: str, endpoint: str) -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    span_exporter: SpanExporter
    if exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter(endpoint=endpoint)
    else:
        span_exporter = ConsoleSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "parcours"}))
    provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)


def count_in_activity(name: str, description: str, **attributes: str) -> None:
    """Add one to a counter from an activity (a no-op elsewhere: a courier used by a script)."""
    if activity.in_activity():
        activity.metric_meter().create_counter(name, description).add(1, attributes)


def record_in_activity(name: str, description: str, unit: str, value: float) -> None:
    """Record a value in a histogram from an activity, or from the thread it handed work to (the
    thread carries the activity's context); a no-op elsewhere."""
    if activity.in_activity():
        activity.metric_meter().create_histogram_float(name, description, unit).record(value)
