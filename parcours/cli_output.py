"""How `parcours` commands show what they got: for people (rich, French messages) or, with --json,
for scripts (one JSON document on stdout, whatever the command). Results are gathered while the
command runs and written once it ends, so that a command showing two steps still writes one
document (an array), and an outcome other than the one hoped for sets the exit code (cli_errors)."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from parcours.cli_errors import NOT_ACCEPTED_EXIT
from parcours.contracts.accounts import SignInResult
from parcours.contracts.common import Deadlines, JourneyOutcome

console = Console()
HOPED_FOR = {"accepted", "signed_in"}  # what each outcome's user wanted; any other status exits 3


class Output:
    """The state of one invocation (reset by the root callback: tests invoke the app many times)."""

    json = False
    results: list[Any] = []
    exit_code = 0

    @classmethod
    def reset(cls, json_output: bool) -> None:
        cls.json, cls.results, cls.exit_code = json_output, [], 0

    @classmethod
    def flush(cls) -> None:
        """Write the gathered JSON results: one document (an array when there were several)."""
        if cls.json and cls.results:
            document = cls.results[0] if len(cls.results) == 1 else cls.results
            sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
        cls.results = []


def emit(data: Any, text: str | None = None) -> None:
    """A result: data (JSON-able, or a model) for --json, else the text, printed whole."""
    if Output.json:
        Output.results.append(json.loads(data.model_dump_json()) if isinstance(data, BaseModel) else data)
    elif text is not None:
        say(text)


def say(text: str, markup: bool = False) -> None:
    """A line for people, never wrapped nor cut: links and values stay whole when piped (rich
    wraps at 80 columns there) and on narrow terminals. Without markup: `[` in a message stays."""
    if not Output.json:
        console.print(text, soft_wrap=True, markup=markup, highlight=False)


def show(result: BaseModel | None) -> None:
    """An outcome or a step, of any journey."""
    if result is None:  # a start without a first step has no outcome
        return
    status = getattr(result, "status", None)
    if isinstance(result, JourneyOutcome | SignInResult) and status not in HOPED_FOR:
        Output.exit_code = NOT_ACCEPTED_EXIT
    if Output.json:
        emit(result)
        return
    if isinstance(result, SignInResult):
        colour = "green" if result.status == "signed_in" else "red"
        say(f"[{colour}]{result.status}[/{colour}]: {escape(result.message)}", markup=True)
        if result.account_ref:
            say(f"  account {result.account_ref} ({result.kind}, {result.identifier})")
        return
    step: Any = getattr(result, "step", result)  # an outcome's step, or a step read alone
    if isinstance(result, JourneyOutcome):
        colour = "green" if result.status == "accepted" else "yellow"
        tries_left = getattr(result, "tries_left", None)
        say(f"[{colour}]{result.status}[/{colour}]: {escape(result.message)}"
            + (f" (essais restants : {tries_left})" if tries_left is not None else ""), markup=True)
    say(f"journey [bold]{step.journey_id}[/bold] — state [bold]{step.state}[/bold]", markup=True)
    for message in getattr(step, "messages", []):
        say(f"  « {message} »")
    if getattr(step, "identifier", None):
        say(f"  identifiant : {step.identifier}")
    for child in getattr(step, "children", []):
        say(f"  {child.question} : {child.display_name} ({child.school}) ref {child.student_ref}, {child.status}")
    deadlines = {name: value for name, value in getattr(step, "deadlines", Deadlines()).model_dump().items() if value}
    for name, value in deadlines.items():
        say(f"  {name}: {value:%Y-%m-%d %H:%M:%S} UTC")
    expected = getattr(step, "expected_input", [])
    if expected:
        say(f"  next: {', '.join(expected)}")

