"""Passwords for scripts: `--password-stdin` reads each password of a command from standard input,
one line each. `--password` on the command line shows in `ps`, and the hidden prompt needs a
terminal."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer import _click as click  # typer 0.29 carries its own click
from typer._click.exceptions import BadParameter, UsageError
from typer.core import TyperOption

STDIN_EMPTY = "l'entrée standard ne donne pas « {prompt} » : une ligne par mot de passe."
NO_TERMINAL = ("« {prompt} » ({option}) se saisit dans un terminal : hors terminal (un script, un tube), "
               "ajoutez --password-stdin et donnez-le sur l'entrée standard.")


def _read_passwords(ctx: click.Context, param: click.Parameter, given: bool) -> bool:
    """Each hidden option's value is read from stdin, in the command's order; click takes a value
    of the context's default_map instead of prompting (an option on the command line still wins).
    A confirmation is the password just read: a script types it once."""
    if not given or ctx.resilient_parsing:
        return given
    defaults = dict(ctx.default_map or {})
    password = None
    for secret in ctx.command.params:
        if not (isinstance(secret, TyperOption) and secret.hide_input and secret.name):
            continue
        if secret.name == "confirmation":
            defaults[secret.name] = password
            continue
        line = sys.stdin.readline()
        if not line:
            raise BadParameter(STDIN_EMPTY.format(prompt=secret.prompt), ctx=ctx, param=param)  # type: ignore[arg-type]
        password = defaults[secret.name] = line.rstrip("\r\n")
    ctx.default_map = defaults
    return given


def password_stdin(order: str = "the password") -> Any:
    """The --password-stdin option; `order` names the lines a command reads."""
    return typer.Option(False, "--password-stdin", is_eager=True, expose_value=False, callback=_read_passwords,
                        help=f"Read {order} from standard input, one line each (not on the command line, "
                             "where `ps` shows it; no terminal needed).")


def prompts_need_a_terminal(command: click.Command) -> None:
    """A hidden prompt without a terminal would write its text on stdout (where --json promises one
    document) and read the password echoed: refuse instead, naming --password-stdin. Checked when
    the prompt would be shown, so a password given on the command line still works."""
    for param in command.params:
        if not (isinstance(param, TyperOption) and param.hide_input and param.prompt):
            continue
        if getattr(param, "needs_a_terminal", False):
            continue
        ask = param.prompt_for_value

        def prompt_for_value(ctx: click.Context, ask: Any = ask, param: TyperOption = param) -> Any:
            if not sys.stdin.isatty():
                raise UsageError(NO_TERMINAL.format(prompt=param.prompt, option=param.opts[0]), ctx=ctx)
            return ask(ctx)

        param.prompt_for_value = prompt_for_value  # type: ignore[method-assign]
        param.needs_a_terminal = True  # type: ignore[attr-defined]
