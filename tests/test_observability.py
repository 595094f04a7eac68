"""Metrics on the running stack's Prometheus endpoint; OpenTelemetry spans through the SDK's
interceptor, from the API layer's call down to the journey's activities; the operators' Temporal
CLI commands of docs/operators.md on the running stack."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest
from activation_helpers import CAMILLE_SMS, ELOISE_SMS, GOOD_PASSWORD, LEA
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor

from parcours.testing import Inbox, running_parcours, temporal_binary

pytestmark = pytest.mark.integration


def metric_value(exposition: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels`."""
    total, found = 0.0, False
    for line in exposition.splitlines():
        if not line.startswith(name) or line[len(name):len(name) + 1] not in "{ ":
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
            found = True
    ours = "\n".join(line for line in exposition.splitlines() if "parcours" in line)
    assert found, f"no {name} {labels} in:\n{ours}"
    return total


@pytest.mark.stack
def test_the_worker_serves_sdk_and_journey_metrics(embedded_stack):
    api = httpx.Client(base_url=embedded_stack.api_url, timeout=30)
    started = api.post("/activations", json=CAMILLE_SMS)
    assert started.status_code == 201, started.text
    journey = started.json()["location"]
    api.post(f"{journey}/resend-code")  # too early: refused, nothing sent
    api.post(f"{journey}/code", json={"code": Inbox(embedded_stack.inbox_path).last_code()})
    api.post(f"{journey}/children", json=LEA)
    done = api.post(f"{journey}/password", json={"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD})
    assert done.json()["step"]["state"] == "activated", done.text
    exposition = httpx.get(embedded_stack.metrics_url, timeout=10).text

    assert metric_value(exposition, "parcours_journeys_started", journey_kind="activation") >= 1
    assert metric_value(exposition, "parcours_codes_sent", channel="sms", purpose="activation") == 1
    assert metric_value(exposition, "parcours_messages_sent", channel="sms") == 1
    assert metric_value(exposition, "parcours_journeys_completed", journey_kind="activation",
                        final_state="activated") == 1
    assert metric_value(exposition, "parcours_password_hash_cpu_count") == 1  # argon2id's CPU, apart
    assert metric_value(exposition, "parcours_password_hash_cpu_sum") > 0
    assert metric_value(exposition, "temporal_workflow_task_execution_latency_count") > 0  # the SDK's own
    assert "06 12" not in exposition and "Camille" not in exposition


@pytest.mark.stack
def test_worker_logs_are_json_lines_with_the_journey_and_no_personal_data(embedded_stack):
    started = httpx.post(f"{embedded_stack.api_url}/activations", json=ELOISE_SMS, timeout=30).json()
    log = (embedded_stack.directory / "stack.log").read_text()
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    trail = [entry for entry in entries if entry.get("journey_id") == started["journey_id"]]
    assert any(entry["message"] == "identity_matched: identity_to_check -> code_sent" for entry in trail), trail
    assert all(entry["journey_type"] == "Activation" for entry in trail)
    for personal in ("06 12 34 56 78", "0612345678", "+33612345678", "Camille", "Martin", "camille",
                     "+33798765432", "0798765432", "Eloise", "DUPONT", "Dupont"):
        assert personal not in json.dumps(entries, ensure_ascii=False), personal


async def test_spans_follow_a_journey_from_the_client_to_its_activities(time_env, settings):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    traced = Client(**{**time_env.client.config(), "interceptors": [TracingInterceptor(provider.get_tracer("test"))]})
    async with running_parcours(traced, settings, update_with_start=False) as (parcours, _):
        journey, _ = await parcours.start_activation(CAMILLE_SMS)
        await journey.submit_code(Inbox(settings.dev_inbox_path).last_code())
    names = {span.name for span in exporter.get_finished_spans()}
    assert {"StartWorkflow:Activation", "RunWorkflow:Activation", "StartWorkflowUpdate:submit_code",
            "HandleUpdate:submit_code"} <= names, names
    assert any(name.startswith("RunActivity:") for name in names), names
    spans = {span.name: span for span in exporter.get_finished_spans()}
    journey_trace = spans["StartWorkflow:Activation"].context.trace_id  # the journey is one trace
    for name in ("RunWorkflow:Activation", "HandleUpdate:submit_code", "RunActivity:check_verification_code"):
        assert spans[name].context.trace_id == journey_trace, name
    assert spans["RunActivity:check_verification_code"].parent.span_id == \
        spans["StartActivity:check_verification_code"].context.span_id


@pytest.mark.stack
def test_operators_find_a_journey_and_read_its_current_details_with_the_documented_commands(embedded_stack):
    """docs/operators.md's commands, as written there: `workflow list` by kind and state (the stack
    runs with no JourneyState lag), `workflow metadata` through the codec server for the current
    details (`workflow describe` does not show them)."""
    journey_id = httpx.post(f"{embedded_stack.api_url}/activations", json=ELOISE_SMS, timeout=30).json()["journey_id"]
    temporal = [temporal_binary("temporal"), "--address", f"127.0.0.1:{embedded_stack.ports['temporal']}"]

    def run(*arguments: str) -> str:
        done = subprocess.run([*temporal, *arguments], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    query = f"JourneyKind='activation' AND JourneyState='code_sent' AND WorkflowId='{journey_id}'"
    deadline = time.monotonic() + 30
    while journey_id not in run("workflow", "list", "--query", query):  # visibility is eventually consistent
        assert time.monotonic() < deadline, f"{journey_id} not listed for {query}"
        time.sleep(0.5)
    details = run("workflow", "metadata", "-w", journey_id,
                  "--codec-endpoint", f"http://127.0.0.1:{embedded_stack.ports['codec']}")
    assert "**code_sent** — waiting for the code" in details and "submit_code" in details, details


@pytest.mark.stack
def test_a_refusal_reads_whole_from_the_temporal_cli(embedded_stack):
    """An API layer without an SDK (the `temporal` CLI) reads a refusal's reason, fields and time:
    they are in the failure's message, as JSON, and the failure is not retryable."""
    journey_id = httpx.post(f"{embedded_stack.api_url}/activations", json=ELOISE_SMS, timeout=30).json()["journey_id"]
    temporal = [temporal_binary("temporal"), "--address", f"127.0.0.1:{embedded_stack.ports['temporal']}"]
    codec = ["--codec-endpoint", f"http://127.0.0.1:{embedded_stack.ports['codec']}"]

    def refused(update: str, argument: str) -> dict:
        done = subprocess.run([*temporal, "workflow", "update", "execute", "-w", journey_id, "--name", update,
                               "--input", argument, *codec, "--output", "json"],
                              capture_output=True, text=True, timeout=60)
        said = (done.stdout + done.stderr).strip()
        assert done.returncode != 0, said
        return json.loads(said[said.index("{"):said.rindex("}") + 1]) | {"retryable": "retryable: false" not in said}

    not_now = refused("choose_password", '{"password": "x", "confirmation": "x"}')
    assert not_now["reason"] == "not_now" and not_now["message"] == "Cette action n'est pas possible à cette étape."
    assert not_now["errors"] == [] and not_now["debug"].startswith("choose_password in state ")
    assert not not_now["retryable"]
    # A number, not the string the schema names: the SDK fails the decoding (its own RuntimeError
    # around ours), the refusal's JSON still whole in what the CLI prints.
    invalid = refused("submit_code", '{"code": 123456}')
    assert invalid["reason"] == "invalid_input" and [e["field"] for e in invalid["errors"]] == ["code"], invalid
