"""`parcours` commands that run things: the embedded stack, the HTTP API, the codec server, the
demo records, the dev inbox, the generated docs, and the test server's clock (tester mode)."""

from __future__ import annotations

import asyncio
import sys

import typer

from parcours.cli_common import Output, app, emit, run_async, say, temporal_client
from parcours.cli_errors import NOT_ACCEPTED_EXIT, invalid_input
from parcours.cli_group import sub_app
from parcours.settings import ensure_dev_secrets, get_settings

NEXT_STEPS = """Parcours is running (Ctrl-C stops everything).
  In the browser    {web}   (« Je n'ai pas de compte »; the SMS and mails: {web}/dev/boite-de-reception)
  HTTP API          {http_api}   (OpenAPI: {http_api}/docs)
{temporal_ui}  Task queue        {task_queue}
  Demo records      {demo} — list them with: .venv/bin/parcours demo

Try an activation in another terminal, from this folder:
  .venv/bin/parcours activation start --channel sms --last-name Martin --first-name Camille --mobile '06 12 34 56 78'
  .venv/bin/parcours inbox                                  # the SMS with the code
  .venv/bin/parcours activation code <journey-id> <code>
  .venv/bin/parcours activation child <journey-id> stu-lea-martin --birth-date '02 03 2014'
  .venv/bin/parcours activation password <journey-id>       # asks for it twice
{operators}"""

TEMPORAL_UI = "  Temporal Web UI   http://localhost:{ui_port}   (payloads decrypted by the codec server {codec})\n"

OPERATORS = """Operators:
  .venv/bin/temporal workflow list --query "JourneyKind='activation' AND JourneyState='code_sent'"
  (JourneyState shows a state once it lasted PARCOURS_OPERATOR_STATE_LAG, 60 s, or at once when a deadline
  brought it: a journey that a user just moved is missed; where it stands now:
  temporal workflow metadata -w <journey-id> --codec-endpoint {codec})
"""

TESTER_OPERATORS = """Operators' queries (temporal workflow list) and the Web UI need the dev server: the test server
has neither (bash scripts/up, without --tester). Where a journey stands: .venv/bin/parcours activation step <journey-id>
"""

TESTER_MODE = """Tester mode: the time-skipping test server on port {port}. It listens on ALL interfaces, not only
{host}: the temporal-test-server binary takes a port, no host. Its clock runs at wall speed; move it forward
and the timers due on the way fire:
  .venv/bin/parcours clock advance 31m      # the code of a journey started now has expired
  .venv/bin/parcours clock now
Start workflows on the task queue {task_queue} only: one on a queue nobody polls blocks time until a restart.
"""


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
        http_api = f"http://{settings.http_api_host}:{settings.http_api_port}"
        web = settings.public_base_url
        if Output.json:  # a server runs on: its one result is written now
            announce({"http_api": http_api, "web": web, "codec_server": codec_endpoint(settings), "tester": tester,
                      "task_queue": settings.task_queue, "demo_loaded": loaded_demo})
            return
        if tester:
            host, port = host_and_port(settings.temporal_address)
            print(TESTER_MODE.format(port=port, host=host, task_queue=settings.task_queue), flush=True)
        codec = codec_endpoint(settings)
        print(NEXT_STEPS.format(
            temporal_ui="" if tester else TEMPORAL_UI.format(ui_port=settings.temporal_ui_port, codec=codec),
            operators=TESTER_OPERATORS if tester else OPERATORS.format(codec=codec),
            task_queue=settings.task_queue, demo="loaded" if loaded_demo else "already there",
            http_api=http_api, web=web), flush=True)

    asyncio.run(run_stack(settings, ready, tester=tester))
    say("stopped")


def announce(started: dict[str, object]) -> None:
    """A server's JSON line, written as soon as it is known (the server runs on after it)."""
    emit(started)
    Output.flush()
    sys.stdout.flush()


@app.command("http-api")
def http_api() -> None:
    """Serve the HTTP API alone (against a running Temporal and workers): docker-compose, production."""
    from parcours.http_api.serve import http_server
    from parcours.logs import configure_logging
    from parcours.stack.embedded import require_free_port

    settings = get_settings()
    configure_logging(settings.log_format)
    require_free_port(settings.http_api_host, settings.http_api_port, "http_api_port")
    url = f"http://{settings.http_api_host}:{settings.http_api_port}"
    announce({"http_api": url}) if Output.json else print(f"HTTP API on {url} (OpenAPI at /docs)", flush=True)
    asyncio.run(http_server(settings, embedded=False).serve())


@app.command("codec-server")
def codec_server() -> None:
    """Serve /encode and /decode for the Temporal Web UI and CLI (operators reading journeys)."""
    from parcours.http_api import codec_routes
    from parcours.stack.embedded import require_free_port

    settings = get_settings()
    require_free_port(settings.codec_server_host, settings.codec_server_port, "codec_server_port")
    url = f"http://{settings.codec_server_host}:{settings.codec_server_port}"
    announce({"codec_server": url}) if Output.json else print(f"codec server on {url}", flush=True)
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
    emit({"loaded": loaded}, "demo records loaded" if loaded else "records already there")


@app.command()
def docs(check: bool = typer.Option(False, help="Fail if the committed docs are out of date.")) -> None:
    """Write the generated docs: the journeys' Mermaid diagrams (from the state machines), the
    operators' list of journey kinds (docs/operators.md, from the journey registry) and the
    Temporal contract (docs/contract/temporal-contract.json, from the workflows and models)."""
    from parcours.reference_docs.diagrams import write_journey_docs

    stale = write_journey_docs(check_only=check)
    emit({"up_to_date": not stale, "stale": [str(path) for path in stale]} if check else {"written": True},
         f"out of date: {', '.join(map(str, stale))} (run `parcours docs`)" if check and stale
         else "docs up to date" if check else "docs written")
    if check and stale:  # the check answered, not as hoped
        Output.exit_code = NOT_ACCEPTED_EXIT


clock_app = sub_app("Tester mode (`parcours up --tester`): read and move the test server's clock.")


@clock_app.command("now")
@run_async
async def clock_now() -> None:
    """The test server's current time, to the millisecond (it runs at wall speed between advances)."""
    from parcours.stack.clock import current_time, shown

    now = await current_time(await temporal_client())
    emit({"now": now.isoformat()}, shown(now))


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
    emit({"now": now.isoformat()}, f"Heure du serveur de test : {shown(now)}")
