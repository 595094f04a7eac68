"""What every journey workflow shares: search attributes, activity options, refusals."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.common import UPDATE_REJECTED, FieldError
    from parcours.refusals import refusal_of, rejection
    from parcours.password_policy import unmet_criteria

JOURNEY_KIND = SearchAttributeKey.for_keyword("JourneyKind")
JOURNEY_STATE = SearchAttributeKey.for_keyword("JourneyState")
ACCOUNT_REF = SearchAttributeKey.for_keyword("AccountRef")
SEARCH_ATTRIBUTES = (JOURNEY_KIND, JOURNEY_STATE, ACCOUNT_REF)

# A user waits on the update while the activity runs: retry with backoff for up to two minutes,
# then give a clear "try again" instead of hanging. Errors marked non-retryable stop at once. An
# attempt lost with its worker (a crash) is retried after start_to_close: the providers' own
# time-out (10 s) and a database write fit well within it.
USER_FACING_ACTIVITY = dict(
    start_to_close_timeout=timedelta(seconds=15),
    schedule_to_close_timeout=timedelta(minutes=2),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), backoff_coefficient=2.0,
                             maximum_interval=timedelta(seconds=10)),
)


def check_new_password(password: str, confirmation: str, *, field: str = "password") -> None:
    """R-ACT-8 / R-CON-1: the policy, each unmet criterion named, then the confirmation."""
    unmet = unmet_criteria(password)
    if unmet:
        raise rejection("password_policy", messages.PASSWORD_POLICY_UNMET,
                        [FieldError(field=field, message=criterion) for criterion in unmet])
    if password != confirmation:
        raise rejection("password_confirmation", messages.PASSWORD_CONFIRMATION_MISMATCH,
                        [FieldError(field="confirmation", message=messages.PASSWORD_CONFIRMATION_MISMATCH)])


class JourneyWorkflow:
    """What every journey workflow does the same way: one action at a time, a wait loop on the
    nearest deadline, events into the machine, and what operators see after each transition.

    A subclass sets `kind`, `updates_by_state`, `self.data` (with `state`, `last_activity_at`,
    optional `account_ref`) and `self.machine`; by default a journey ends as `idle_timeout` after
    `idle_lifetime()` without an action, and it overrides `next_deadline` / `fire_due_events` when
    it has other deadlines (codes, links)."""

    kind: str
    updates_by_state: dict[str, list[str]] = {}

    def idle_lifetime(self) -> timedelta:
        return self.data.policy.idle_lifetime

    def next_deadline(self, now: datetime) -> datetime | None:
        return self.data.last_activity_at + self.idle_lifetime()

    def fire_due_events(self, now: datetime) -> None:
        allowed = {event.id for event in self.machine.allowed_events}
        if now >= self.data.last_activity_at + self.idle_lifetime() and "idle_timeout" in allowed:
            self._fire("idle_timeout")

    def expected_updates(self) -> list[str]:
        return list(self.updates_by_state.get(self.data.state, []))

    def operator_details(self) -> str:
        return f"**{self.data.state}**"

    def _init_journey(self, data, machine) -> None:
        self.data = data
        self.machine = machine
        self.lock = asyncio.Lock()  # handlers await activities: one action at a time
        self.woken = False
        self.published_state: str | None = None

    async def _run_journey(self) -> None:
        self.data.last_activity_at = workflow.now()
        self._publish()
        while not self.machine.is_terminated:
            now = workflow.now()
            deadline = self.next_deadline(now)
            if deadline is None or deadline > now:
                try:
                    await workflow.wait_condition(
                        lambda: self.woken,
                        timeout=None if deadline is None else deadline - now,
                        timeout_summary="next deadline",
                    )
                except asyncio.TimeoutError:
                    pass
            self.woken = False
            async with self.lock:
                if not self.machine.is_terminated:
                    await self.do_pending_work()
                if not self.machine.is_terminated:
                    self.fire_due_events(workflow.now())
        await workflow.wait_condition(workflow.all_handlers_finished)

    async def do_pending_work(self) -> None:
        """Work a journey does after answering the user (e.g. a recovery's lookup and send)."""

    @property
    def _id(self) -> str:
        return workflow.info().workflow_id

    def _touch(self) -> datetime:
        """An accepted action: the idle clock restarts and the deadlines are looked at again."""
        now = workflow.now()
        self.data.last_activity_at = now
        self.woken = True
        return now

    def _require(self, update: str) -> None:
        if update not in self.expected_updates():
            raise rejection("not_now", f"{messages.NOT_NOW} ({update} in state {self.data.state})")

    def _fire(self, event: str, **arguments) -> None:
        self.machine.send(event, **arguments)
        self._publish()

    def _publish(self) -> None:
        """Search attributes and current details, so operators see where the journey stands."""
        if self.data.state != self.published_state:
            updates = [JOURNEY_KIND.value_set(self.kind), JOURNEY_STATE.value_set(self.data.state)]
            if getattr(self.data, "account_ref", None):
                updates.append(ACCOUNT_REF.value_set(self.data.account_ref))
            workflow.upsert_search_attributes(updates)
            self.published_state = self.data.state
        workflow.set_current_details(self.operator_details())

    async def _activity(self, name: str, result_type: type, request, *, summary: str, **options):
        """An activity with the user-facing options; one that refuses the action (a Refusal, e.g. a
        password naming the account) becomes the update's rejection."""
        try:
            return await workflow.execute_activity(
                str(name), request, result_type=result_type, summary=summary, **(USER_FACING_ACTIVITY | options)
            )
        except ActivityError as error:
            refusal = refusal_of(error.cause)
            if refusal is None:
                raise
            raise rejection(refusal.reason, refusal.message, refusal.errors, retry_at=refusal.retry_at) from None
