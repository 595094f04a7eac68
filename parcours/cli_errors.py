"""What the `parcours` CLI says when a command cannot do its job: one French line on stderr (a
JSON object with --json) and a non-zero exit code, never a traceback. Each error the CLI can meet
becomes a Refusal, as the HTTP API turns them into problems (parcours/http_api/problems.py)."""

from __future__ import annotations

from pydantic import ValidationError
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from parcours import messages
from parcours.client import UNKNOWN_JOURNEY, JourneyActionRejected
from parcours.contracts.common import UNKNOWN_ACCOUNT, FieldError, Refusal
from parcours.refusals import refusal_of
from parcours.settings import SettingsError, get_settings

# The exit codes, one rule for every command (README.md, « Scripts »; each command's help):
# 0 answered as hoped (accepted, signed in, a step or record read); 1 a bug (a traceback) or
# Ctrl-C; 2 invalid input or usage (click's own code for usage errors); 3 answered but not
# accepted (an outcome's status other than accepted/signed_in: a wrong code, a refused resend,
# invalid credentials…); 4 refused (not now, a finished or unknown journey, an unknown account);
# 5 the service cannot answer (Temporal out of reach, settings missing, a port taken, time stuck).
INVALID_INPUT_EXIT, NOT_ACCEPTED_EXIT, REFUSED_EXIT, UNAVAILABLE_EXIT = 2, 3, 4, 5
UNAVAILABLE = {"temporal_unreachable", "settings", "port_in_use", "time_blocked"}
EXIT_CODES_HELP = ("Exit codes: 0 done as hoped, 2 invalid input, 3 answered but not accepted, 4 refused, "
                   "5 service unavailable.")
TEMPORAL_UNREACHABLE = ("Temporal est injoignable sur {address} (PARCOURS_TEMPORAL_ADDRESS) : lancez "
                        "`parcours up` dans un autre terminal, ou corrigez l'adresse.")
JOURNEY_FAILED = messages.JOURNEY_FAILED


class CliProblem(Exception):
    """An error already worded for the user (French, naming the setting or value to change)."""

    def __init__(self, reason: str, message: str, errors: list[FieldError] | None = None):
        super().__init__(message)
        self.refusal = Refusal(reason=reason, message=message, errors=errors or [])


def invalid_input(field: str, message: str) -> CliProblem:
    return CliProblem("invalid_input", message, [FieldError(field=field, message=message)])


def temporal_unreachable(address: str) -> CliProblem:
    return CliProblem("temporal_unreachable", TEMPORAL_UNREACHABLE.format(address=address))


def refusal_for(error: BaseException) -> Refusal | None:
    """The Refusal the CLI shows for `error`; None for a bug (its traceback is the useful answer)."""
    if isinstance(error, CliProblem):
        return error.refusal
    if isinstance(error, JourneyActionRejected):
        return Refusal(reason=error.reason, message=error.message, errors=error.errors, retry_at=error.retry_at,
                       debug=error.debug)
    if isinstance(error, ValidationError):
        errors = [FieldError.from_pydantic(problem, whole="input") for problem in error.errors()]
        return Refusal(reason="invalid_input", errors=errors,
                       message=messages.INPUT_INVALID.format(fields=", ".join(e.field for e in errors)))
    if isinstance(error, RPCError) and error.status is RPCStatusCode.NOT_FOUND:  # a read of an unknown journey
        return UNKNOWN_JOURNEY
    if isinstance(error, RPCError) and error.status is RPCStatusCode.UNAVAILABLE:  # gone since the connection
        return temporal_unreachable(get_settings().temporal_address).refusal
    if isinstance(error, WorkflowFailureError):
        return _journey_failure(error)
    if isinstance(error, SettingsError):
        return Refusal(reason="settings", message=str(error))
    return None


def _journey_failure(error: WorkflowFailureError) -> Refusal:
    """A journey (or a read such as the account view) that ended on a refusal of its own."""
    cause: BaseException | None = error.cause
    while cause is not None:
        if (refusal := refusal_of(cause)) is not None:
            return refusal
        if isinstance(cause, ApplicationError) and cause.type == UNKNOWN_ACCOUNT:
            return Refusal(reason="unknown_account", message=messages.UNKNOWN_ACCOUNT,
                           errors=[FieldError(field="account_ref", message=messages.UNKNOWN_ACCOUNT)])
        cause = cause.__cause__
    return Refusal(reason="journey_failed", message=JOURNEY_FAILED)


def exit_code(refusal: Refusal) -> int:
    if refusal.reason == "invalid_input":
        return INVALID_INPUT_EXIT
    return UNAVAILABLE_EXIT if refusal.reason in UNAVAILABLE else REFUSED_EXIT


def one_line(refusal: Refusal) -> str:
    """The refusal as one line: the message, then each field at fault (the message may repeat a
    field's own words: then only the field is named)."""
    fields = "; ".join(error.field if error.message == refusal.message else f"{error.field} : {error.message}"
                       for error in refusal.errors)
    return f"Erreur : {refusal.message}" + (f" ({fields})" if fields else "") + f" [{refusal.reason}]"
