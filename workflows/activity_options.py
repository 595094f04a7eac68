"""How a journey calls its activities: local activities retried within a user's budget, and
what fails a journey when their tries are spent."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# Activities run as local activities: a database write or a send takes milliseconds, and running
# it inside the workflow task saves the server two round trips and three history events each (no
# activity task to schedule, dispatch and complete), and all of one task's count as one billable
# action. They are idempotent like any activity: a worker lost mid-way has the workflow task
# retried, and the activity with it. Past a few seconds of retries (a provider or the database
# down) they wait on server timers instead of holding the workflow task.
# A user waits on the update while the activity runs: retry with backoff for about `budget`, then
# give a clear "try again" instead of hanging. Errors marked non-retryable stop at once. A
# budget is a number of tries (a local activity's schedule-to-close time-out is not used: it trips
# the SDK core in 1.35). An attempt lost with its worker is retried after start_to_close: the
# providers' own time-out (10 s) and a database write fit well within it.
USER_BUDGET = timedelta(minutes=2)
ATTEMPT_TIMEOUT = timedelta(seconds=15)
LOCAL_RETRY_THRESHOLD = timedelta(seconds=2)
FIRST_RETRY = timedelta(milliseconds=200)
LONGEST_WAIT = timedelta(seconds=10)
LONGEST_WAIT_IN_BACKGROUND = timedelta(minutes=5)  # budgets of hours: fewer tries, a shorter history


def retry_within(budget: timedelta) -> RetryPolicy:
    """Tries 200 ms apart, then twice as far each time up to a ceiling, as many as fit in `budget`."""
    ceiling = LONGEST_WAIT if budget <= timedelta(hours=1) else LONGEST_WAIT_IN_BACKGROUND
    return backoff_within(budget, FIRST_RETRY, ceiling)


def backoff_within(budget: timedelta, first: timedelta, ceiling: timedelta) -> RetryPolicy:
    """Tries `first` apart, then twice as far each time up to `ceiling`, as many as fit in `budget`
    (a number of tries: a schedule-to-close time-out would also cut a slow but working try)."""
    attempts, waited, wait = 1, timedelta(0), first
    while waited + wait <= budget:
        attempts, waited, wait = attempts + 1, waited + wait, min(wait * 2, ceiling)
    return RetryPolicy(initial_interval=first, backoff_coefficient=2.0, maximum_interval=ceiling,
                       maximum_attempts=attempts)


class ActivityFailed(Exception):
    """An activity failed for good (its tries spent, or an error it marked final). `type` is the
    ApplicationError type it raised, if any."""

    def __init__(self, cause: BaseException | None):
        super().__init__(str(cause))
        self.cause = cause
        self.type = getattr(cause, "type", None)


# What fails a journey from its own loop, besides Temporal's failures (a refusal, an activity's
# error), which do by default: an activity whose tries are spent — a retried workflow task would
# only meet the same recorded failure again. Never a superclass of NondeterminismError: a bad
# deploy must leave open journeys stuck until a fixed one, not failed (docs/deploys.md). In an
# update handler, any unexpected error fails that update alone (update_errors.py).
JOURNEY_FAILURES: list[type[Exception]] = [ActivityFailed]


def local_activity_options(budget: timedelta = USER_BUDGET) -> dict:
    return dict(start_to_close_timeout=ATTEMPT_TIMEOUT, retry_policy=retry_within(budget),
                local_retry_threshold=LOCAL_RETRY_THRESHOLD)
