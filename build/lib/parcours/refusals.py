"""A refused action, the same wherever it is decided (an update's validator or handler, an
activity): an ApplicationError of type UPDATE_REJECTED whose first detail is the Refusal. The
journey is unchanged; the client hands the Refusal to the API layer."""

from __future__ import annotations

from datetime import datetime

from temporalio.exceptions import ApplicationError

from parcours import messages
from parcours.contracts.common import UPDATE_REJECTED, FieldError, Refusal


def rejection(reason: str, message: str, errors: list[FieldError] | None = None, *,
              retry_at: datetime | None = None) -> ApplicationError:
    refusal = Refusal(reason=reason, message=message, errors=errors or [], retry_at=retry_at)
    return ApplicationError(message, refusal.model_dump(mode="json"), type=UPDATE_REJECTED, non_retryable=True)


def refusal_of(error: BaseException | None) -> Refusal | None:
    """The Refusal an error carries, if it is a refused action."""
    if isinstance(error, ApplicationError) and error.type == UPDATE_REJECTED and error.details:
        return Refusal.model_validate(error.details[0])
    return None


def clock(moment: datetime) -> str:
    return f"{moment:%H:%M} UTC"


def destination_limited(retry_at: datetime) -> ApplicationError:
    return rejection("destination_limited", messages.DESTINATION_LIMITED.format(time=clock(retry_at)),
                     retry_at=retry_at)


def account_tries_exhausted(retry_at: datetime) -> ApplicationError:
    return rejection("too_many_tries", messages.ACCOUNT_TRIES_EXHAUSTED.format(time=clock(retry_at)),
                     retry_at=retry_at)
