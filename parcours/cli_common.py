"""What every `parcours` command shares: the root app and its error handling, the --json switch,
the connection to Temporal, a journey given by its id, and how results are shown."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import typer
from temporalio.client import Client

from parcours.cli_errors import invalid_input, temporal_unreachable
from parcours.cli_group import plain_flags, sub_app
from parcours.cli_output import Output, console, emit, say, show  # noqa: F401 — the commands' one import
from parcours.client import JourneyClient, ParcoursClient
from parcours.contracts.activation import ChildAnswerInput
from parcours.journeys import journey_of
from parcours.settings import get_settings

plain_flags()
app = sub_app("Parcours: self-service account journeys on Temporal.")


@app.callback()
def _options(json_output: bool = typer.Option(False, "--json", help="Print results (stdout) and errors (stderr) "
                                              "as JSON.")) -> None:
    Output.reset(json_output)


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


def child_answer(student_ref: str, not_guardian: bool, birth_date: str | None) -> ChildAnswerInput:
    """The answer about one child, the birth date as typed (the model reads JJ MM AAAA or ISO)."""
    return ChildAnswerInput.model_validate(
        {"student_ref": student_ref, "is_guardian": not not_guardian, "birth_date": birth_date})


def code_commands(group: typer.Typer, open_journey: Callable[[str], Awaitable[Any]], metavar: str, *,
                  code: str, resend: str, step: str | None = None, prefix: str = "") -> None:
    """The commands of a journey with a code step: read the step, submit the code, ask for a new
    one; `open_journey` finds the journey from the command's first argument (`metavar`)."""
    given_help = "The journey id, or its ref alone." if metavar == "JOURNEY_ID" else "The signed-in account's ref."
    given: Any = typer.Argument(..., metavar=metavar, help=given_help)
    if step:
        @group.command(f"{prefix}step", help=step)
        @run_async
        async def step_command(journey: str = given) -> None:
            show(await (await open_journey(journey)).current_step())

    @group.command(f"{prefix}code", help=code)
    @run_async
    async def code_command(journey: str = given, code: str = typer.Argument(..., help="The code received.")) -> None:
        show(await (await open_journey(journey)).submit_code(code))

    @group.command(f"{prefix}resend", help=resend)
    @run_async
    async def resend_command(journey: str = given) -> None:
        show(await (await open_journey(journey)).resend_code())
