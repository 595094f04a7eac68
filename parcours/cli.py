"""`parcours`: the CLI for testers and operators — start the embedded stack, drive a journey step by
step, read the dev inbox. Built on parcours.client, like any API layer."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable
from functools import wraps

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from temporalio.client import Client
from typer.core import TyperGroup

from parcours.cli_errors import exit_code, invalid_input, one_line, refusal_for, temporal_unreachable
from parcours.client import ActivationJourneyClient, ParcoursClient, RecoveryJourneyClient
from parcours.contracts.accounts import SignInResult
from parcours.contracts.activation import ID_PREFIX, ChildAnswerInput, IdentityInput
from parcours.contracts.common import Channel, Deadlines
from parcours.contracts.franceconnect import FRANCECONNECT_ID_PREFIX, FranceConnectIdentity
from parcours.contracts.recovery import (
    IDENTIFIER_RECOVERY_ID_PREFIX,
    PASSWORD_RESET_ID_PREFIX,
    IdentifierRequestInput,
    ResetRequestInput,
)
from parcours.settings import ensure_dev_secrets, get_settings


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
activation_app = typer.Typer(help="The activation journey (« Je n'ai pas de compte »).", no_args_is_help=True)
app.add_typer(activation_app, name="activation")
account_app = typer.Typer(help="Sign-in and « Mon compte »: password change.", no_args_is_help=True)
app.add_typer(account_app, name="account")
children_app = typer.Typer(help="« Mes enfants »: new students, link reports, merging accounts.", no_args_is_help=True)
app.add_typer(children_app, name="children")
recovery_app = typer.Typer(help="« Identifiant oublié » and « Mot de passe oublié ».", no_args_is_help=True)
app.add_typer(recovery_app, name="recovery")
console = Console()
JSON_OUTPUT = {"enabled": False}
NEXT_STEPS = """Parcours is running (Ctrl-C stops everything).
  HTTP API          {http_api}   (OpenAPI: {http_api}/docs)
  Temporal Web UI   http://localhost:{ui_port}   (payloads decrypted by the codec server {codec})
  Task queue        {task_queue}
  Demo records      {demo} — list them with: .venv/bin/parcours demo

Try an activation in another terminal, from this folder:
  .venv/bin/parcours activation start --channel sms --last-name Martin --first-name Camille --mobile '06 12 34 56 78'
  .venv/bin/parcours inbox                                  # the SMS with the code
  .venv/bin/parcours activation code <journey-id> <code>
  .venv/bin/parcours activation child <journey-id> stu-lea-martin --birth-date '02 03 2014'
  .venv/bin/parcours activation password <journey-id>       # asks for it twice
Operators: .venv/bin/temporal workflow list --query "JourneyKind='activation' AND JourneyState='code_sent'"
"""


TESTER_MODE = """Tester mode: the time-skipping test server on port {port} (no Web UI; the line below
is the dev server's). It listens on ALL interfaces, not only {host}: the temporal-test-server binary
takes a port, no host. Its clock runs at wall speed; move it forward and the timers due on the way fire:
  .venv/bin/parcours clock advance 31m      # the code of a journey started now has expired
  .venv/bin/parcours clock now
Start workflows on the task queue {task_queue} only: one on a queue nobody polls blocks time until a restart.
"""
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


async def activation_journey(given_id: str) -> ActivationJourneyClient:
    return (await parcours_client()).activation(workflow_id_of(given_id, ID_PREFIX))


async def recovery_journey(given_id: str) -> RecoveryJourneyClient:
    return (await parcours_client()).recovery(workflow_id_of(given_id, IDENTIFIER_RECOVERY_ID_PREFIX, PASSWORD_RESET_ID_PREFIX))


def show(result: BaseModel) -> None:
    if JSON_OUTPUT["enabled"]:
        console.print_json(result.model_dump_json())
        return
    if isinstance(result, SignInResult):
        colour = "green" if result.status == "signed_in" else "red"
        console.print(f"[{colour}]{result.status}[/{colour}]: {result.message}")
        if result.account_ref:
            console.print(f"  account {result.account_ref} ({result.kind}, {result.identifier})")
        return
    step = getattr(result, "step", result)
    if step is not result:
        colour = "green" if result.status == "accepted" else "yellow"
        tries_left = getattr(result, "tries_left", None)
        console.print(f"[{colour}]{result.status}[/{colour}]: {result.message}"
                      + (f" (essais restants : {tries_left})" if tries_left is not None else ""))
    console.print(f"journey [bold]{step.journey_id}[/bold] — state [bold]{step.state}[/bold]")
    for message in step.messages:
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


@app.command()
def up(tester: bool = typer.Option(False, "--tester", help="On the time-skipping test server (no Web UI): "
                                   "time moves with `parcours clock advance`.")) -> None:
    """Start the embedded stack (Temporal dev server + UI on :8233, SQLite, dev inbox, worker, HTTP API)."""
    from parcours.logs import configure_logging
    from parcours.stack.embedded import check_ports, codec_endpoint, host_and_port, run_stack

    get_settings.cache_clear()
    asyncio.run(check_ports(get_settings(), tester=tester))  # before anything is written or started
    ensure_dev_secrets()
    get_settings.cache_clear()
    settings = get_settings()
    configure_logging(settings.log_format)

    def ready(loaded_demo: bool) -> None:
        if tester:
            host, port = host_and_port(settings.temporal_address)
            print(TESTER_MODE.format(port=port, host=host, task_queue=settings.task_queue), flush=True)
        print(NEXT_STEPS.format(ui_port=settings.temporal_ui_port, task_queue=settings.task_queue, codec=codec_endpoint(settings),
                                demo="loaded" if loaded_demo else "already there",
                                http_api=f"http://{settings.http_api_host}:{settings.http_api_port}"), flush=True)

    asyncio.run(run_stack(settings, ready, tester=tester))
    print("stopped")


@app.command("http-api")
def http_api() -> None:
    """Serve the HTTP API alone (against a running Temporal and workers): docker-compose, production."""
    from parcours.http_api.serve import http_server
    from parcours.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_format)
    print(f"HTTP API on http://{settings.http_api_host}:{settings.http_api_port} (OpenAPI at /docs)", flush=True)
    asyncio.run(http_server(settings, embedded=False).serve())


@app.command("codec-server")
def codec_server() -> None:
    """Serve /encode and /decode for the Temporal Web UI and CLI (operators reading journeys)."""
    from parcours.http_api import codec_routes

    settings = get_settings()
    print(f"codec server on http://{settings.codec_server_host}:{settings.codec_server_port}", flush=True)
    asyncio.run(codec_routes.codec_server(settings, embedded=False).serve())


@app.command("load-demo")
@run_async
async def load_demo() -> None:
    """Create the schema and load the demo school records into the configured database."""
    from parcours.activities.dependencies import ActivityDependencies
    from parcours.stack.embedded import prepare_database

    dependencies = ActivityDependencies.from_settings(get_settings())
    try:
        loaded = await prepare_database(dependencies)
    finally:
        await dependencies.engine.dispose()
    console.print("demo records loaded" if loaded else "records already there")


@app.command()
def demo() -> None:
    """The demo school records: who can activate, with what, and the children's birth dates."""
    from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_GUARDIANS, DEMO_STUDENT_EMAILS, demo_status

    table = Table("guardian", "mobile", "email", "children (ref, birth date)", "account")
    for guardian in DEMO_GUARDIANS:
        children = "\n".join(f"{s.first_name} {s.last_name} ({s.ref}, {s.birth_date:%d %m %Y})" for s in guardian.students)
        table.add_row(f"{guardian.first_name} {guardian.last_name}", guardian.mobile or "—", guardian.email or "—",
                      children, demo_status(guardian))
    console.print(table)
    students = ", ".join(f"{ref} ({email or 'no email'})" for ref, email in DEMO_STUDENT_EMAILS.items())
    console.print(f"Student accounts, active with password {DEMO_ACTIVE_PASSWORD}: {students}")


@app.command()
def inbox(last: int = typer.Option(5, help="How many of the latest messages to show.")) -> None:
    """The dev inbox: SMS and mails the dev providers 'sent'."""
    from parcours.messaging.providers import DevInbox

    messages = DevInbox(get_settings().dev_inbox_path).read()[-last:]
    if JSON_OUTPUT["enabled"]:
        console.print_json(json.dumps(messages, ensure_ascii=False))
        return
    if not messages:
        console.print("the dev inbox is empty")
    for message in messages:
        console.print(f"[bold]{message['at']}[/bold] {message['channel']} to {message['to']}"
                      + (f" — {message['subject']}" if message.get("subject") else ""))
        console.print(f"  {message['body'].strip()}")


@app.command()
def docs(check: bool = typer.Option(False, help="Fail if the committed docs are out of date.")) -> None:
    """Write the generated docs: the journeys' Mermaid diagrams (from the state machines) and the
    Temporal contract (docs/contract/temporal-contract.json, from the workflows and models)."""
    from parcours.reference_docs.diagrams import write_journey_docs

    stale = write_journey_docs(check_only=check)
    if check and stale:
        console.print(f"[red]out of date:[/red] {', '.join(map(str, stale))} (run `parcours docs`)")
        raise typer.Exit(1)
    console.print("docs up to date" if check else "docs written")


@activation_app.command("start")
@run_async
async def activation_start(
    channel: Channel = typer.Option(..., help="sms or mail"),
    last_name: str = typer.Option(..., "--last-name"),
    first_name: str = typer.Option(..., "--first-name"),
    mobile: str | None = typer.Option(None, help="The mobile number given to the school."),
    email: str | None = typer.Option(None, help="The address given to the school."),
) -> None:
    """Start an activation and submit the identity (R-ACT-1)."""
    identity = IdentityInput(channel=channel, last_name=last_name, first_name=first_name, mobile=mobile, email=email)
    _, outcome = await (await parcours_client()).start_activation(identity)
    show(outcome)


@activation_app.command("letter")
@run_async
async def activation_letter(
    identifier: str,
    provisional_password: str = typer.Option(..., "--provisional", prompt="Mot de passe provisoire", hide_input=True),
    email: str | None = typer.Option(None, help="Mandatory for guardians."),
    password: str = typer.Option(..., prompt="Nouveau mot de passe", hide_input=True),
    confirmation: str = typer.Option(..., prompt="Confirmation", hide_input=True),
) -> None:
    """R-ACT-10: activation with the notification letter's identifier and provisional password."""
    journey = await (await parcours_client()).start_letter_activation()
    outcome = await journey.submit_credentials(identifier, provisional_password)
    show(outcome)
    if outcome.status == "accepted":
        show(await journey.submit_details(email, password, confirmation))


@activation_app.command("franceconnect")
@run_async
async def activation_franceconnect(
    subject: str = typer.Option(...), family_name: str = typer.Option(..., "--family-name"),
    given_name: str = typer.Option(..., "--given-name"), birth_date: str = typer.Option(..., "--birth-date"),
    email: str = typer.Option(...),
) -> None:
    """R-ACT-11, as the API layer does after the FranceConnect exchange (claims given here)."""
    identity = FranceConnectIdentity(subject=subject, family_name=family_name, given_name=given_name,
                                     birth_date=birth_date, email=email)
    journey = await (await parcours_client()).start_franceconnect_activation(identity)
    show(await journey.current_step())


@activation_app.command("franceconnect-child")
@run_async
async def activation_franceconnect_child(
    given_id: str = typer.Argument(..., metavar="JOURNEY_ID"), student_ref: str = typer.Argument(...),
    birth_date: str | None = typer.Option(None, help="JJ MM AAAA or AAAA-MM-JJ"),
    not_guardian: bool = typer.Option(False, "--not-guardian"),
) -> None:
    """R-ACT-7 inside the FranceConnect activation."""
    from parcours.client import FranceConnectClient

    client = await parcours_client()
    journey = FranceConnectClient(client.client.get_workflow_handle(workflow_id_of(given_id, FRANCECONNECT_ID_PREFIX)))
    answer = ChildAnswerInput(student_ref=student_ref, is_guardian=not not_guardian, birth_date=birth_date)
    show(await journey.answer_child(answer))


@activation_app.command("identity")
@run_async
async def activation_identity(
    journey_id: str,
    channel: Channel = typer.Option(...),
    last_name: str = typer.Option(..., "--last-name"),
    first_name: str = typer.Option(..., "--first-name"),
    mobile: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
) -> None:
    """Submit a corrected identity to a journey still at the identity step."""
    identity = IdentityInput(channel=channel, last_name=last_name, first_name=first_name, mobile=mobile, email=email)
    show(await (await activation_journey(journey_id)).submit_identity(identity))


@activation_app.command("step")
@run_async
async def activation_step(journey_id: str) -> None:
    """Where the journey stands: state, messages, deadlines, expected input."""
    show(await (await activation_journey(journey_id)).current_step())


@activation_app.command("code")
@run_async
async def activation_code(journey_id: str, code: str) -> None:
    """Submit the code received by SMS or mail (R-ACT-3/4/5)."""
    show(await (await activation_journey(journey_id)).submit_code(code))


@activation_app.command("resend")
@run_async
async def activation_resend(journey_id: str) -> None:
    """« Renvoyer le SMS »: a new code, within cooldown and cap (R-ACT-6)."""
    show(await (await activation_journey(journey_id)).resend_code())


@activation_app.command("child")
@run_async
async def activation_child(
    journey_id: str,
    student_ref: str,
    birth_date: str | None = typer.Option(None, help="JJ MM AAAA or AAAA-MM-JJ"),
    not_guardian: bool = typer.Option(False, "--not-guardian", help="« Je ne suis pas le représentant légal »"),
) -> None:
    """Confirm a child with their birth date, or report the link (R-ACT-7)."""
    answer = ChildAnswerInput(student_ref=student_ref, is_guardian=not not_guardian, birth_date=birth_date)
    show(await (await activation_journey(journey_id)).answer_child(answer))


@activation_app.command("password")
@run_async
async def activation_password(
    journey_id: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=False),
    confirmation: str = typer.Option(..., prompt="Confirmation du nouveau mot de passe", hide_input=True),
) -> None:
    """Choose the password (R-ACT-8); the account is then active (R-ACT-9)."""
    show(await (await activation_journey(journey_id)).choose_password(password, confirmation))


@account_app.command("sign-in")
@run_async
async def account_sign_in(
    identifier: str,
    password: str = typer.Option(..., prompt=True, hide_input=True),
) -> None:
    """Identifier + password -> the account ref that « signed in » steps take."""
    show(await (await parcours_client()).sign_in(identifier, password))


@account_app.command("change-password")
@run_async
async def account_change_password(
    account_ref: str,
    current_password: str = typer.Option(..., "--current", prompt="Mot de passe actuel", hide_input=True),
    new_password: str = typer.Option(..., "--new", prompt="Nouveau mot de passe", hide_input=True),
    confirmation: str = typer.Option(..., "--confirmation", prompt="Confirmation", hide_input=True),
) -> None:
    """R-CON-1, for a signed-in account (the ref `account sign-in` prints)."""
    journey = await (await parcours_client()).start_password_change(account_ref)
    show(await journey.change_password(current_password, new_password, confirmation))


@account_app.command("view")
@run_async
async def account_view(account_ref: str) -> None:
    """« Mes informations » and « Mes enfants » of a signed-in account."""
    view = await (await parcours_client()).account_view(account_ref)
    if JSON_OUTPUT["enabled"]:
        console.print_json(view.model_dump_json())
        return
    console.print(f"[bold]{view.identifier}[/bold] ({view.kind}, {view.status})"
                  + (" — FranceConnect" if view.franceconnect else ""))
    console.print(f"  email : {view.email or '—'} ({view.email_status})"
                  + (f" — en attente de confirmation : {view.pending_email}" if view.pending_email else ""))
    console.print(f"  mobile : {view.mobile or '—'} ({view.mobile_status})"
                  + (f" — en attente de confirmation : {view.pending_mobile}" if view.pending_mobile else ""))
    for child in view.children:
        console.print(f"  {child.initials} né(e) le {child.birth_date:%d/%m/%Y} — {child.school}, {child.class_name} "
                      f"[dim]({child.student_ref}, {child.status})[/dim]")


@account_app.command("change-email")
@run_async
async def account_change_email(
    account_ref: str,
    new_email: str = typer.Option(..., "--new"),
    confirmation: str | None = typer.Option(None, help="The new address again (defaults to --new)."),
) -> None:
    """R-CON-2: a confirmation link to the new address (and a notice to the old one)."""
    journey = await (await parcours_client()).email_change(account_ref)
    show(await journey.request_change(new_email, confirmation or new_email))


@account_app.command("confirm-email")
@run_async
async def account_confirm_email(account_ref: str, token: str) -> None:
    """R-CON-5: open the link (identifier, old and new address), then confirm, signed in."""
    journey = await (await parcours_client()).email_change(account_ref)
    show(await journey.open_link(token))
    show(await journey.confirm(token, account_ref))


@account_app.command("change-mobile")
@run_async
async def account_change_mobile(account_ref: str, new_mobile: str = typer.Option(..., "--new")) -> None:
    """R-CON-7: a code by SMS to the new number."""
    show(await (await (await parcours_client()).mobile_change(account_ref)).request_change(new_mobile))


@account_app.command("mobile-code")
@run_async
async def account_mobile_code(account_ref: str, code: str) -> None:
    """R-CON-7: the code received on the new number."""
    show(await (await (await parcours_client()).mobile_change(account_ref)).submit_code(code))


@account_app.command("mobile-resend")
@run_async
async def account_mobile_resend(account_ref: str) -> None:
    """« Je n'ai pas reçu le code par SMS »."""
    show(await (await (await parcours_client()).mobile_change(account_ref)).resend_code())


@children_app.command("confirm")
@run_async
async def children_confirm(account_ref: str) -> None:
    """R-KID-2 at sign-in: start (or resume) the confirmation of new students."""
    show(await (await (await parcours_client()).start_children_confirmation(account_ref)).current_step())


@children_app.command("answer")
@run_async
async def children_answer(
    account_ref: str,
    student_ref: str,
    birth_date: str | None = typer.Option(None, help="JJ MM AAAA or AAAA-MM-JJ"),
    not_guardian: bool = typer.Option(False, "--not-guardian"),
) -> None:
    """Confirm one student with the birth date, or report the link."""
    journey = await (await parcours_client()).start_children_confirmation(account_ref)
    answer = ChildAnswerInput(student_ref=student_ref, is_guardian=not not_guardian, birth_date=birth_date)
    show(await journey.answer_child(answer))


@children_app.command("report")
@run_async
async def children_report(account_ref: str, student_ref: str) -> None:
    """R-KID-3: « Je ne suis pas le représentant légal de cet élève »."""
    show(await (await parcours_client()).report_link(account_ref, student_ref))


@children_app.command("merge")
@run_async
async def children_merge(
    account_ref: str,
    identifier: str = typer.Option(..., help="The other account's identifier."),
    password: str = typer.Option(..., prompt="Mot de passe de l'autre compte", hide_input=True),
) -> None:
    """R-KID-1: « Ajouter des élèves depuis un autre compte » (account_ref: the account to keep)."""
    journey = await (await parcours_client()).start_merge(account_ref)
    show(await journey.merge(identifier, password))


@recovery_app.command("identifier")
@run_async
async def recovery_identifier(
    channel: Channel = typer.Option(...),
    email: str | None = typer.Option(None),
    mobile: str | None = typer.Option(None),
) -> None:
    """« Identifiant oublié »: by mail (confirmed email) or SMS (guardians' confirmed mobile)."""
    request = IdentifierRequestInput(channel=channel, email=email, mobile=mobile)
    _, outcome = await (await parcours_client()).start_identifier_recovery(request)
    show(outcome)


@recovery_app.command("password")
@run_async
async def recovery_password(
    identifier: str,
    channel: Channel = typer.Option(Channel.MAIL),
    email: str | None = typer.Option(None, help="The account's email (mail channel)."),
) -> None:
    """« Mot de passe oublié »: a link by mail (R-REC-3) or a code by SMS (R-REC-4)."""
    request = ResetRequestInput(channel=channel, identifier=identifier, email=email)
    _, outcome = await (await parcours_client()).start_password_reset(request)
    show(outcome)


@recovery_app.command("step")
@run_async
async def recovery_step(journey_id: str) -> None:
    show(await (await recovery_journey(journey_id)).current_step())


@recovery_app.command("code")
@run_async
async def recovery_code(journey_id: str, code: str) -> None:
    """R-REC-4: the code received by SMS."""
    show(await (await recovery_journey(journey_id)).submit_code(code))


@recovery_app.command("resend")
@run_async
async def recovery_resend(journey_id: str) -> None:
    show(await (await recovery_journey(journey_id)).resend_code())


@recovery_app.command("open-link")
@run_async
async def recovery_open_link(journey_id: str, token: str) -> None:
    """What the page behind the mailed link does first (the link's `parcours` and `jeton`)."""
    show(await (await recovery_journey(journey_id)).open_link(token))


@recovery_app.command("new-password")
@run_async
async def recovery_new_password(
    journey_id: str,
    token: str | None = typer.Option(None, help="The link's `jeton` (mail channel)."),
    password: str = typer.Option(..., prompt=True, hide_input=True),
    confirmation: str = typer.Option(..., prompt="Confirmation du nouveau mot de passe", hide_input=True),
) -> None:
    """Choose the new password (with the link's token, or after the SMS code)."""
    show(await (await recovery_journey(journey_id)).choose_password(token, password, confirmation))




clock_app = typer.Typer(help="Tester mode (`parcours up --tester`): read and move the test server's clock.",
                        no_args_is_help=True)
app.add_typer(clock_app, name="clock")


@clock_app.command("now")
@run_async
async def clock_now() -> None:
    """The test server's current time, to the millisecond (it runs at wall speed between advances)."""
    from parcours.stack.clock import current_time, shown

    console.print(shown(await current_time(await temporal_client())))


@clock_app.command("advance")
@run_async
async def clock_advance(duration: str = typer.Argument(..., help="How far: 31m, 1h30m, 2d, 90s.")) -> None:
    """Move the clock forward; journeys' timers due on the way fire (code expiry, idle lifetime)."""
    from parcours.stack.clock import advance, parse_duration, shown

    try:
        step = parse_duration(duration)
    except ValueError as error:
        raise invalid_input("duration", str(error)) from None
    settings = get_settings()
    now = await advance(await temporal_client(), step, polled_queue=settings.task_queue,
                        timeout=settings.clock_advance_timeout)
    console.print(f"Heure du serveur de test : {shown(now)}")


def main() -> None:
    """The `parcours` console script. It ends the process as soon as the command is done, its
    output flushed: left to the interpreter's shutdown, the Temporal client's runtime threads can
    abort it (SDK issue: « PyGILState_Release … finalizing », exit 134) after the command succeeded,
    and a script would take a done action for a failed one. Nothing registers work for that
    shutdown (the stack of `parcours up` is stopped before its command returns)."""
    try:
        app()
        code = 0
    except SystemExit as done:  # how click ends every command
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
