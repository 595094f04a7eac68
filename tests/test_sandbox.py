"""The workflow sandbox journeys run in (parcours/temporal/sandbox.py): the SDK's guard kept whole, the
serialization contexts the SDK would give, and the shortcuts in force with the installed SDK."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import sys
import tomllib
import uuid
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from sandbox_workflows import CallsActivities, ReadsTheClock, echo
from temporalio.client import Client
from temporalio.converter import (
    ActivitySerializationContext,
    DataConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from parcours.temporal import sandbox
from parcours.temporal.sandbox import (
    RESTRICTIONS,
    WORKFLOW_MODULES,
    JourneySandboxRunner,
    SandboxedJourney,
    SharedWorkflowCode,
    share_workflow_code,
    workflow_runner,
)

RUN_TIMEOUT_S = 30


class ContextRecordingCodec(PayloadCodec, WithSerializationContext):
    """Records the serialization context of each payload sequence the worker encodes."""

    def __init__(self, seen: list, context: SerializationContext | None = None):
        self.seen, self.context = seen, context

    def with_context(self, context: SerializationContext) -> ContextRecordingCodec:
        return ContextRecordingCodec(self.seen, context)

    async def encode(self, payloads):
        self.seen.append(self.context)
        return list(payloads)

    async def decode(self, payloads):
        return list(payloads)


async def run_workflow(env, runner, workflow, *args, codec=None):
    config = env.client.config()
    config["data_converter"] = DataConverter(payload_codec=codec) if codec else DataConverter()
    client = Client(**config)
    queue = f"sandbox-{uuid.uuid4().hex}"
    async with Worker(client, task_queue=queue, workflows=[workflow], activities=[echo], workflow_runner=runner):
        # a workflow task failing (a shortcut broken) retries forever: fail the test instead
        return await asyncio.wait_for(client.execute_workflow(workflow.run, *args, task_queue=queue,
                                                              id=f"sandbox-test/{uuid.uuid4().hex}"), RUN_TIMEOUT_S)


def activity_contexts(seen: list) -> list:
    """The activity contexts seen, less what differs from one run to the next (ids, queue)."""
    return [dataclasses.replace(context, workflow_id="-", activity_task_queue="-") for context in seen
            if isinstance(context, ActivitySerializationContext)]


async def test_the_sandbox_still_refuses_the_machine_clock(time_env, settings):
    assert await run_workflow(time_env, workflow_runner(settings), ReadsTheClock) == "RestrictedWorkflowAccessError"


async def test_activities_get_the_serialization_context_the_stock_sandbox_gives(time_env, settings):
    stock, ours = [], []
    assert await run_workflow(time_env, SandboxedWorkflowRunner(restrictions=RESTRICTIONS), CallsActivities,
                              "bonjour", codec=ContextRecordingCodec(stock)) == ["bonjour", "bonjour"]
    assert await run_workflow(time_env, workflow_runner(settings), CallsActivities,
                              "bonjour", codec=ContextRecordingCodec(ours)) == ["bonjour", "bonjour"]

    # each activity's input (encoded by the workflow) and result (by the activity)
    assert sorted((c.activity_type, c.is_local) for c in activity_contexts(stock)) == [
        ("echo", False), ("echo", False), ("echo", True), ("echo", True)]
    assert activity_contexts(ours) == activity_contexts(stock)


async def test_the_shortcuts_are_in_force_with_this_sdk(time_env, settings):
    """Fails when an SDK release no longer has what parcours/temporal/sandbox.py extends: journeys would then
    run in the stock sandbox, as safely, at about 1.4x the workflow CPU."""
    runner = workflow_runner(settings)
    assert isinstance(runner, JourneySandboxRunner) and SandboxedJourney is not None
    entered = []
    original = SandboxedJourney._run_code

    def recording(self, code, **extra_globals):
        entered.append(code)
        return original(self, code, **extra_globals)

    compiled_before = sandbox._compiled.cache_info()
    seen = []
    with mock.patch.object(SandboxedJourney, "_run_code", recording):
        await run_workflow(time_env, runner, CallsActivities, "bonjour", codec=ContextRecordingCodec(seen))

    assert len(activity_contexts(seen)) == 4, "the codec was asked with the activities' contexts"
    assert entered and not any("serialization_context" in code or "store_context" in code for code in entered), \
        "contexts are read without entering the sandbox"
    compiled = sandbox._compiled.cache_info()
    assert compiled.hits + compiled.misses - compiled_before.hits - compiled_before.misses == len(entered)
    assert compiled.currsize <= sandbox.SNIPPETS_KEPT


async def test_an_sdk_that_keeps_its_bookkeeping_elsewhere_gets_its_own_way(time_env, settings):
    """Should a release of the pinned minor move what the contexts are read from, journeys take the
    SDK's own path rather than fail."""
    stock, ours = [], []
    assert await run_workflow(time_env, SandboxedWorkflowRunner(restrictions=RESTRICTIONS), CallsActivities,
                              "bonjour", codec=ContextRecordingCodec(stock)) == ["bonjour", "bonjour"]
    with mock.patch.object(SandboxedJourney, "_in_sandbox", lambda self: None):
        assert await run_workflow(time_env, workflow_runner(settings), CallsActivities,
                                  "bonjour", codec=ContextRecordingCodec(ours)) == ["bonjour", "bonjour"]
    assert activity_contexts(ours) == activity_contexts(stock)


def test_the_bookkeeping_is_looked_for_where_this_sdk_keeps_it():
    in_sandbox = object()
    assert SandboxedJourney._in_sandbox(SimpleNamespace(globals_and_locals={"__temporal_in_sandbox": in_sandbox})) \
        is in_sandbox
    assert SandboxedJourney._in_sandbox(SimpleNamespace(globals_and_locals={})) is None
    assert SandboxedJourney._in_sandbox(SimpleNamespace()) is None


def fresh_module(name: str):
    """The module executed anew, as the sandbox imports a workflow module for each run."""
    spec = importlib.util.find_spec(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_workflow_modules_run_afresh_for_each_journey_on_code_read_once_per_process(tmp_path, monkeypatch, settings):
    workflow_runner(settings)
    assert any(isinstance(f, SharedWorkflowCode) and f.prefix == WORKFLOW_MODULES for f in sys.meta_path)
    package = tmp_path / "shared_code_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "flow.py").write_text("SEEN = []\n\ndef run():\n    return 'un'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    share_workflow_code("shared_code_probe.")

    first, second = fresh_module("shared_code_probe.flow"), fresh_module("shared_code_probe.flow")
    assert first.run.__code__ is second.run.__code__  # read once
    assert first is not second and first.SEEN is not second.SEEN  # each run's globals its own
    # A file changed under a running worker is not read: its other modules are still the first ones.
    (package / "flow.py").write_text("SEEN = []\n\ndef run():\n    return 'deux, changé en place'\n")
    assert fresh_module("shared_code_probe.flow").run() == "un"


def test_the_sdk_is_pinned_to_the_minor_version_the_sandbox_was_built_against():
    """The shortcuts extend the SDK's private sandbox: a new minor version comes in by a deliberate
    change of SDK_BUILT_AGAINST and the pin together, never by an install picking it."""
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    [pin] = [Requirement(r) for r in project["project"]["dependencies"] if Requirement(r).name == "temporalio"]
    major, minor = (int(part) for part in sandbox.SDK_BUILT_AGAINST.split("."))
    assert pin.specifier == SpecifierSet(f">={major}.{minor}.0,<{major}.{minor + 1}")
    assert version("temporalio") in pin.specifier
