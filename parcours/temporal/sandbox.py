"""The workflow sandbox Parcours runs its journeys in: the SDK's, with what it repeats for nothing
done once.

The SDK's sandbox re-imports a journey's workflow module for each run and runs its code with
non-deterministic calls (clock, randomness, I/O) refused — the guard kept here, whole. Two of its
repetitions guard nothing and are done once here:

- the payload codec asks the workflow, for each command, which serialization context applies; the
  SDK answered from inside the sandbox, entering it (restricted builtins and imports swapped in and
  out) and compiling a snippet of Python each time — 75 times a journey. The answer is the SDK's own
  bookkeeping (pending activities by sequence number); no workflow code runs, so it is read
  directly.
- every entry into the sandbox compiled its fixed snippet again; it is compiled once.
- each journey's re-import of its workflow module read and unmarshalled the module's bytecode
  again, and kept its own copy of the code objects (22 KiB of the activation's, per journey held
  in the cache); the code objects, immutable, are read once per process and shared
  (`SharedWorkflowCode`). The module is still executed afresh for each journey, inside the
  sandbox: its classes and globals are its own.

What it saves, measured by replaying one activation's history (`python -m bench replay`), is in
bench/README.md, "Private parts": about a quarter to a third of the workflow's CPU per journey.
Both shortcuts lean on the SDK's private `_Instance`, so the SDK is pinned to the minor version
they were built against (SDK_BUILT_AGAINST, pyproject.toml); tests check that they are in force
with the installed SDK and that the pin holds (tests/test_sandbox.py). Moving to the next minor:
raise both, run those tests and the replay of the recorded histories (docs/deploys.md). An SDK
without that class gets its stock sandbox, one that keeps its bookkeeping elsewhere gets the SDK's
own way of reading the contexts: slower, as safe.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder, SourceFileLoader
from types import CodeType
from typing import Any

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowInstance, WorkflowInstanceDetails, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from parcours.settings import Settings

logger = logging.getLogger(__name__)

SDK_BUILT_AGAINST = "1.35"  # the temporalio minor version whose private sandbox this extends

# Deterministic third-party modules shared with the sandbox instead of re-imported per run
# (faster, and their lazy imports at validation time do not trip the sandbox).
PASSTHROUGH_MODULES = ("statemachine", "pydantic", "pydantic_core", "phonenumbers", "email_validator", "idna",
                       "dns", "annotated_types", "typing_extensions",
                       # our own pure modules: models, machines, wording (no I/O, no global state)
                       "parcours.contracts", "parcours.states", "parcours.messages", "parcours.people.names",
                       "parcours.people.contact_details", "parcours.security.password_policy", "parcours.refusals",
                       "opentelemetry")
RESTRICTIONS = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
# The SDK's snippets: a handful of fixed ones, and one per workflow type to create its instances.
SNIPPETS_KEPT = 64


@functools.lru_cache(maxsize=SNIPPETS_KEPT)
def _compiled(snippet: str) -> CodeType:
    return compile(snippet, "workflow_sandbox.py", "exec")


# The modules the sandbox imports again for each journey: the workflow modules (the others pass through).
WORKFLOW_MODULES = "parcours.workflows."


class _SharedCodeLoader(SourceFileLoader):
    """A module's code read once per process: the first time a journey imports it. A file changed
    on disk while the worker runs (a deploy copying files over a running worker) is not read: the
    modules passed through were imported once at the start, and a workflow module of the next
    version beside them failed every new journey on their old signatures (a TypeError in each
    first update). A worker runs the code it started with; a deploy restarts it (docs/deploys.md).
    The SDK's own sandbox reads the file again for each run (temporalio/sdk-python#607)."""

    codes: dict[str, CodeType] = {}

    def get_code(self, fullname: str) -> CodeType | None:
        code = self.codes.get(self.path) or super().get_code(fullname)
        if code is not None:
            self.codes[self.path] = code
        return code


class SharedWorkflowCode(MetaPathFinder):
    """Finds the modules under `prefix` as Python would, with a loader that shares their code."""

    def __init__(self, prefix: str = WORKFLOW_MODULES):
        self.prefix = prefix

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> ModuleSpec | None:
        if not fullname.startswith(self.prefix):
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and type(spec.loader) is SourceFileLoader and spec.origin:
            spec.loader = _SharedCodeLoader(fullname, spec.origin)
        return spec


def share_workflow_code(prefix: str = WORKFLOW_MODULES) -> None:
    """Once per process and prefix: first in line, before Python's own finders."""
    if not any(isinstance(finder, SharedWorkflowCode) and finder.prefix == prefix for finder in sys.meta_path):
        sys.meta_path.insert(0, SharedWorkflowCode(prefix))


# How the runner makes a journey's instance (the SDK's _Instance takes these).
JourneyInstanceClass = Callable[[WorkflowInstanceDetails, type[WorkflowRunner], SandboxRestrictions], WorkflowInstance]


def _extend_sdk_instance() -> JourneyInstanceClass | None:
    """The SDK's sandboxed instance class with the two shortcuts; None with an SDK that no longer
    has that class (then its stock sandbox runs)."""
    try:
        from temporalio.worker.workflow_sandbox._runner import _Instance
    except ImportError:  # pragma: no cover - an SDK that reorganised its sandbox
        return None

    class SandboxedJourney(_Instance):
        """One journey's run in the sandbox."""

        def _run_code(self, code: str | CodeType, **extra_globals: Any) -> None:
            # The SDK hands `code` to exec(), which takes compiled code too; its annotation says str.
            super()._run_code(_compiled(code) if isinstance(code, str) else code,  # type: ignore[arg-type]
                              **extra_globals)

        def _in_sandbox(self) -> Any:
            """The SDK's object inside the sandbox; None with an SDK that keeps it elsewhere, whose
            own way is then taken (a patch release may move its private part)."""
            return getattr(self, "globals_and_locals", {}).get("__temporal_in_sandbox")

        def get_serialization_context(self, command_info: Any) -> Any:
            in_sandbox = self._in_sandbox()
            if in_sandbox is None:
                return super().get_serialization_context(command_info)
            return in_sandbox.get_serialization_context(command_info)

        def get_external_store_context(self, command_info: Any) -> Any:
            in_sandbox = self._in_sandbox()
            if in_sandbox is None:
                return super().get_external_store_context(command_info)
            return in_sandbox.get_external_store_context(command_info)

    return SandboxedJourney


SandboxedJourney = _extend_sdk_instance()


class JourneySandboxRunner(SandboxedWorkflowRunner):
    """The SDK's sandbox runner, validating each workflow definition once per process (a process
    starting many workers, the tests, would repeat it for nothing), running journeys as
    `SandboxedJourney` on shared code. Every workflow run is still sandboxed."""

    _validated: set[type] = set()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        share_workflow_code()

    def prepare_workflow(self, defn) -> None:
        if defn.cls not in self._validated:
            super().prepare_workflow(defn)
            self._validated.add(defn.cls)

    def create_instance(self, det):
        if SandboxedJourney is None:  # pragma: no cover
            return super().create_instance(det)
        return SandboxedJourney(det, self.runner_class, self.restrictions)


def workflow_runner(settings: Settings) -> WorkflowRunner:
    if not settings.workflow_sandbox:
        return UnsandboxedWorkflowRunner()
    if SandboxedJourney is None:  # pragma: no cover
        logger.warning("this Temporal SDK has no sandbox instance class to extend: its stock sandbox runs")
    return JourneySandboxRunner(restrictions=RESTRICTIONS)
