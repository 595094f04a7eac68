"""`parcours`: the CLI for testers and operators — start the embedded stack, drive a journey step
by step, read the dev inbox. Built on parcours.client, like any API layer. The commands live by
concern: cli_stack (running things), cli_activations, cli_journeys; cli_common what they share."""

from __future__ import annotations

import os
import sys

from parcours import cli_demo, cli_stack  # noqa: F401 — their commands join the app
from parcours.cli_activations import activation_app
from parcours.cli_common import app, show  # noqa: F401 — `show` is imported from here
from parcours.cli_events import events_app
from parcours.cli_journeys import account_app, children_app, recovery_app
from parcours.cli_records import records_app

app.add_typer(activation_app, name="activation")
app.add_typer(account_app, name="account")
app.add_typer(children_app, name="children")
app.add_typer(recovery_app, name="recovery")
app.add_typer(cli_stack.clock_app, name="clock")
app.add_typer(records_app, name="records")
app.add_typer(events_app, name="events")


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
