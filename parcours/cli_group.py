"""The `parcours` groups: where a command's error, click's usage errors included, becomes what
the user reads (one French line on stderr, or a JSON object with --json) with its exit code
(cli_errors), and where the results gathered by cli_output are written."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any

import typer
from pydantic import ValidationError
from typer import _click as click  # typer 0.29 carries its own click: its errors are these
from typer._click import exceptions as errors
from typer.core import TyperGroup, TyperOption

from parcours.cli_errors import EXIT_CODES_HELP, exit_code, one_line, refusal_for
from parcours.cli_output import Output
from parcours.cli_passwords import prompts_need_a_terminal
from parcours.contracts.common import FieldError, Refusal
from parcours.field_messages import FRENCH_BY_TYPE, french_message

ABORTED = "Abandon (rien n'a été envoyé)."


def tell(refusal: Refusal, json_output: bool) -> None:
    typer.echo(refusal.model_dump_json(exclude_none=True) if json_output else one_line(refusal), err=True)


def _why_bad(error: errors.BadParameter) -> str:
    """Typer reads a parameter's value with pydantic and gives its English text (« Value error,
    'fax' is not one of 'sms', 'mail' »): a choice's values named in French, anything else through
    field_messages."""
    annotation = getattr(getattr(error.param, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return FRENCH_BY_TYPE["enum"].format(expected=" ou ".join(repr(str(member.value)) for member in annotation))
    if isinstance(error.__cause__, ValidationError):
        return " ; ".join(french_message(problem) for problem in error.__cause__.errors())
    return error.message


def usage_refusal(error: click.ClickException) -> Refusal:
    """click's own errors, in French: the parameter at fault named as the user typed it."""
    param = getattr(error, "param", None)
    field = (param.opts[0] if param.param_type_name == "option" else param.display_name_raw.upper()) if param else None
    if isinstance(error, errors.MissingParameter):
        kind = "option manquante" if error.param_type == "option" else "argument manquant"
        message = f"{kind.capitalize()} : {field or error.param_hint}."
    elif isinstance(error, errors.NoSuchOption):
        message = f"Option inconnue : {error.option_name}."
    elif isinstance(error, errors.BadParameter):
        message = f"Valeur invalide pour {field or error.param_hint} : {_why_bad(error).rstrip('.')}."
    elif isinstance(error, errors.UsageError) and error.message.startswith("No such command"):
        message = f"Commande inconnue : {error.message.split(maxsplit=3)[-1].rstrip('.')}."
    else:
        message = error.format_message()
    if isinstance(error, errors.UsageError) and error.ctx is not None:
        message += f" Aide : `{error.ctx.command_path} --help`."
    return Refusal(reason="invalid_input", message=message,
                   errors=[FieldError(field=field, message=message)] if field else [])


class ParcoursGroup(TyperGroup):
    """Every `parcours` group: a command runs inside the root group's invoke, and click's own
    errors (parsing, Ctrl-C at a prompt) end in main."""

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.parent is not None:  # a sub-group: the root does it all
            return super().invoke(ctx)
        try:
            result = super().invoke(ctx)
        except Exception as error:
            refusal = refusal_for(error)
            if refusal is None:  # a bug, or click's own: told by main
                raise
            Output.flush()  # what the command showed before it was refused
            tell(refusal, Output.json)
            raise typer.Exit(exit_code(refusal)) from None
        Output.flush()
        if Output.exit_code:
            raise typer.Exit(Output.exit_code)
        return result

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        arguments = list(sys.argv[1:] if args is None else args)
        json_output = Output.json or "--json" in arguments  # also when the root's own options are wrong
        try:
            code = super().main(arguments, prog_name, complete_var, False, windows_expand_args, **extra)
        except errors.NoArgsIsHelpError as error:
            error.show()
            code = error.exit_code
        except click.ClickException as error:
            tell(usage_refusal(error), json_output)
            code = error.exit_code
        except typer.Abort:  # Ctrl-C or end of input at a prompt
            tell(Refusal(reason="aborted", message=ABORTED), json_output)
            code = 1
        sys.exit(code if isinstance(code, int) else 0)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not command.epilog:  # each command's help ends with the exit codes
            command.epilog = EXIT_CODES_HELP
        if command is not None:
            prompts_need_a_terminal(command)
        return command


def plain_flags() -> None:
    """Typer's help shows `<bool>` after a flag (--json, --help, --not-guardian), as if it took a
    value: a flag shows no type."""
    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: click.Context) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def sub_app(help: str) -> typer.Typer:
    """A group of commands, each with the exit codes in its help."""
    return typer.Typer(help=help, no_args_is_help=True, cls=ParcoursGroup, epilog=EXIT_CODES_HELP)
