"""A refused action, the same wherever it is decided (an update's validator or handler, an
activity): an ApplicationError of type UPDATE_REJECTED, not retryable, whose first detail is the
Refusal. Its message is the Refusal too, as one line of JSON: a client that shows only a failure's
message and type (the `temporal` CLI, whatever its output format) still reads the reason, the
fields at fault and `retry_at`. The journey is unchanged; the client hands the Refusal to the API
layer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from temporalio.exceptions import ApplicationError

from parcours import messages
from parcours.contracts.common import UPDATE_REJECTED, FieldError, Refusal


def rejection(reason: str, message: str, errors: list[FieldError] | None = None, *,
              retry_at: datetime | None = None, debug: str | None = None) -> ApplicationError:
    """`message` is the French text for the user; `debug` what developers need beside it."""
    refusal = Refusal(reason=reason, message=message, errors=errors or [], retry_at=retry_at, debug=debug)
    return ApplicationError(refusal.model_dump_json(exclude_none=True), refusal.model_dump(mode="json"),
                            type=UPDATE_REJECTED, non_retryable=True)


def invalid_input(field: str, message: str) -> ApplicationError:
    """A field's value refused by a rule its type cannot say (the journey knows it): the same
    refusal as an input that fails its model."""
    return rejection("invalid_input", messages.INPUT_INVALID.format(fields=field),
                     [FieldError(field=field, message=message)])


def refusal_of(error: BaseException | None) -> Refusal | None:
    """The Refusal an error carries, if it is a refused action."""
    if isinstance(error, ApplicationError) and error.type == UPDATE_REJECTED and error.details:
        return Refusal.model_validate(error.details[0])
    return None


def clock(moment: datetime, zone: str, *, seconds: bool = False) -> str:
    """A moment as the user reads it: their zone's time of day, French style (« 08:47 », as the
    mails write it); seconds for waits of a minute. The exact instant is the refusal's `retry_at`."""
    local = moment.astimezone(ZoneInfo(zone))  # not strftime: see states.journey.utc_text
    return f"{local.hour:02d}:{local.minute:02d}" + (f":{local.second:02d}" if seconds else "")


# The moment is always known when these are told; without one (a model allows None), the words
# without a time rather than a failed workflow task.
def sign_in_locked(until: datetime | None, zone: str) -> str:
    if until is None:
        return messages.SIGN_IN_LOCKED_FOR_NOW
    return messages.SIGN_IN_LOCKED.format(time=clock(until, zone))


def resend_too_soon(retry_at: datetime | None, zone: str) -> str:
    if retry_at is None:
        return messages.RESEND_NOT_YET
    return messages.RESEND_TOO_SOON.format(time=clock(retry_at, zone, seconds=True))


def destination_limited(retry_at: datetime, zone: str) -> ApplicationError:
    return rejection("destination_limited", messages.DESTINATION_LIMITED.format(time=clock(retry_at, zone)),
                     retry_at=retry_at)


def account_tries_exhausted(retry_at: datetime, zone: str) -> ApplicationError:
    return rejection("too_many_tries", messages.ACCOUNT_TRIES_EXHAUSTED.format(time=clock(retry_at, zone)),
                     retry_at=retry_at)
