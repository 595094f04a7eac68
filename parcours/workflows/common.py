"""What every journey workflow shares: search attributes, activity options, refusals."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.common import FieldError, Refusal

JOURNEY_KIND = SearchAttributeKey.for_keyword("JourneyKind")
JOURNEY_STATE = SearchAttributeKey.for_keyword("JourneyState")
ACCOUNT_REF = SearchAttributeKey.for_keyword("AccountRef")
SEARCH_ATTRIBUTES = (JOURNEY_KIND, JOURNEY_STATE, ACCOUNT_REF)

# A user waits on the update while the activity runs: retry with backoff for up to two minutes,
# then give a clear "try again" instead of hanging. Errors marked non-retryable stop at once.
USER_FACING_ACTIVITY = dict(
    start_to_close_timeout=timedelta(seconds=30),
    schedule_to_close_timeout=timedelta(minutes=2),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), backoff_coefficient=2.0,
                             maximum_interval=timedelta(seconds=10)),
)

UPDATE_REJECTED = "UpdateRejected"


def rejection(reason: str, message: str, errors: list[FieldError] | None = None) -> ApplicationError:
    """The error an update validator (or handler) raises: the journey is unchanged."""
    refusal = Refusal(reason=reason, message=message, errors=errors or [])
    return ApplicationError(message, refusal, type=UPDATE_REJECTED, non_retryable=True)
