"""What every `parcours` command shares: the root app and its error handling, the --json switch,
the connection to Temporal, a journey given by its id, and how results are shown."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from temporalio.client import Client
from typer.core import TyperGroup

from parcours.cli_errors import exit_code, invalid_input, one_line, refusal_for, temporal_unreachable
from parcours.client import JourneyClient, ParcoursClient
from parcours.contracts.accounts import SignInResult
from parcours.contracts.activation import ChildAnswerInput
from parcours.contracts.common import Deadlines, JourneyOutcome
from parcours.journeys import journey_of
from parcours.settings import get_settings


class ParcoursGroup(TyperGroup):
    """The one place where a command's error becomes what the user reads: every command (and
    sub-command) runs inside the root group's invoke."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as error:
            refusal = refusal_for(error)
            if refusal is None:  # a bug: its traceback is the useful answer
                raise
            line = refusal.model_dump_json(exclude_none=True) if JSON_OUTPUT["enabled"] else one_line(refusal)
            typer.echo(line, err=True)
            raise typer.Exit(exit_code(refusal)) from None


app = typer.Typer(help="Parcours: self-service account journeys on Temporal.", no_args_is_help=True, cls=ParcoursGroup)
console = Console()
JSON_OUTPUT = {"enabled": False}


@app.callback()
def _options(json_output: bool = typer.Option(False, "--json", help="Print results as JSON.")) -> None:
    JSON_OUTPUT["enabled"] = json_output


def run_async(function: Callable[..., Awaitable[None]]):
    """Run a coroutine command (its errors are told by ParcoursGroup)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        asyncio.run(function(*args, **kwargs))

    return wrapper


# A journey's reference, as the HTTP API's paths take it (parcours/http_api/resources.py).
JOURNEY_REF = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def workflow_id_of(given: str, *prefixes: str) -> str:
    """The workflow id of a journey given as `<prefix><ref>`, or as its bare ref when only one kind
    of journey fits; anything else is refused, saying what is expected."""
    kind, slash, ref = given.strip().partition("/")
    if not slash and len(prefixes) == 1:
        kind, ref = prefixes[0].rstrip("/"), kind
    if f"{kind}/" in prefixes and JOURNEY_REF.match(ref):
        return f"{kind}/{ref}"
    expected = " ou ".join(f"{prefix}<référence>" for prefix in prefixes)
    alone = " (ou la référence seule)" if len(prefixes) == 1 else ""
    raise invalid_input("journey_id", f"« {given} » n'est pas un identifiant de parcours : attendu {expected}{alone}.")


async def temporal_client() -> Client:
    from parcours.temporal.connection import connect, connect_arguments

    settings = get_settings()
    try:
        return await connect(settings)
    except RuntimeError as error:  # the SDK's "Failed client connect: …", after its retries
        if not str(error).startswith("Failed client connect"):
            raise
        raise temporal_unreachable(connect_arguments(settings)["target_host"]) from None


async def parcours_client() -> ParcoursClient:
    return ParcoursClient.from_settings(await temporal_client(), get_settings())


async def given_journey(given_id: str, *workflow_classes: type) -> JourneyClient:
    """The journey a command names by its id, of one of these workflows."""
    prefixes = [journey_of(workflow_class).id_prefix for workflow_class in workflow_classes]
    return (await parcours_client()).journey(workflow_id_of(given_id, *prefixes))


def show(result: BaseModel | None) -> None:
    if result is None:  # a start without a first step has no outcome
        return
    if JSON_OUTPUT["enabled"]:
        console.print_json(result.model_dump_json())
        return
    if isinstance(result, SignInResult):
        colour = "green" if result.status == "signed_in" else "red"
        console.print(f"[{colour}]{result.status}[/{colour}]: {result.message}")
        if result.account_ref:
            console.print(f"  account {result.account_ref} ({result.kind}, {result.identifier})")
        return
    step: Any = getattr(result, "step", result)  # an outcome's step, or a step read alone
    if isinstance(result, JourneyOutcome):
        colour = "green" if result.status == "accepted" else "yellow"
        tries_left = getattr(result, "tries_left", None)
        console.print(f"[{colour}]{result.status}[/{colour}]: {result.message}"
                      + (f" (essais restants : {tries_left})" if tries_left is not None else ""))
    console.print(f"journey [bold]{step.journey_id}[/bold] — state [bold]{step.state}[/bold]")
    for message in getattr(step, "messages", []):
        console.print(f"  « {message} »")
    if getattr(step, "identifier", None):
        console.print(f"  identifiant : [bold]{step.identifier}[/bold]")
    for child in getattr(step, "children", []):
        console.print(f"  {child.question} : {child.display_name} ({child.school}) "
                      f"[dim]ref {child.student_ref}, {child.status}[/dim]")
    deadlines = {name: value for name, value in getattr(step, "deadlines", Deadlines()).model_dump().items() if value}
    for name, value in deadlines.items():
        console.print(f"  [dim]{name}: {value:%Y-%m-%d %H:%M:%S} UTC[/dim]")
    expected = getattr(step, "expected_input", [])
    if expected:
        console.print(f"  next: {', '.join(expected)}")



def child_answer(student_ref: str, not_guardian: bool, birth_date: str | None) -> ChildAnswerInput:
    """The answer about one child, the birth date as typed (the model reads JJ MM AAAA or ISO)."""
    return ChildAnswerInput.model_validate(
        {"student_ref": student_ref, "is_guardian": not not_guardian, "birth_date": birth_date})
