"""What every journey workflow shares: search attributes, activity options, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activities import AbandonMessagesRequest, ActivityName, key_scope
    from parcours.contracts.common import UNKNOWN_ACCOUNT, FieldError
    from parcours.refusals import refusal_of, rejection
    from parcours.security.password_policy import unmet_criteria
    from parcours.states.journey import ChartLayout, layout_of
    from parcours.workflows.activity_options import (
        ATTEMPT_TIMEOUT,
        JOURNEY_FAILURES,
        USER_BUDGET,
        ActivityFailed,
        local_activity_options,
        retry_within,
    )

W = TypeVar("W")

JOURNEY_KIND = SearchAttributeKey.for_keyword("JourneyKind")
JOURNEY_STATE = SearchAttributeKey.for_keyword("JourneyState")
ACCOUNT_REF = SearchAttributeKey.for_keyword("AccountRef")
SEARCH_ATTRIBUTES = (JOURNEY_KIND, JOURNEY_STATE, ACCOUNT_REF)
# Final states reached by time, not by an answer (metrics: expired rather than completed).
TIMED_OUT_STATES = frozenset({"abandoned", "expired"})
# Patch ids (docs/deploys.md): each names a change of what a workflow does, so journeys begun
# before it replay as they ran.
RUN_SCOPED_KEYS = "run-scoped-keys"  # idempotency keys include the run, not only the workflow id
BACKGROUND_ACTIVITIES = "background-activities"  # work after an answer as regular activities, not local
TIMED_STATES_AT_ONCE = "timed-states-at-once"  # a state reached by a deadline shown to operators at once

def journey_workflow(name: str, kind: str | None = None) -> Callable[[type[W]], type[W]]:
    """`@workflow.defn` of a journey: the name its contract gives it, JOURNEY_FAILURES as what fails
    it, and the kind operators search it by (JourneyKind; metrics' journey_kind)."""

    def declare(workflow_class: type[W]) -> type[W]:
        if kind is not None:
            setattr(workflow_class, "kind", kind)  # noqa: B010  # JourneyWorkflow.kind, on any class
        return workflow.defn(name=name, failure_exception_types=JOURNEY_FAILURES)(workflow_class)

    return declare


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

    A subclass sets `kind`, its data (`state`, `last_activity_at`, optional `account_ref`) and chart
    (`_init_journey`); it expects the updates its chart's `user_updates` allow now. By default a
    journey ends as `idle_timeout` after `idle_lifetime()` without an action; it overrides
    `next_deadline` / `fire_due_events` when it has other deadlines (codes, links)."""

    kind: str

    def idle_lifetime(self) -> timedelta:
        """The start's idle lifetime, or the policy's for journeys whose data carries one."""
        start_lifetime = getattr(self.start, "idle_lifetime", None)
        return start_lifetime if start_lifetime is not None else self.data.policy.idle_lifetime

    def next_deadline(self, now: datetime) -> datetime | None:
        return self.data.last_activity_at + self.idle_lifetime()

    def fire_due_events(self, now: datetime) -> None:
        if now >= self.data.last_activity_at + self.idle_lifetime() and "idle_timeout" in self.allowed_events():
            self._fire("idle_timeout")

    def expected_updates(self) -> list[str]:
        return self.layout.expected_updates(self.data.state)

    def allowed_events(self) -> frozenset[str]:
        """The events with a transition from the current state (conditions aside)."""
        return self.layout.events_from[self.data.state]

    @property
    def finished(self) -> bool:
        return self.layout.finished(self.data.state)

    @property
    def layout(self) -> ChartLayout:
        return layout_of(self._chart)

    def operator_details(self) -> str:
        return f"**{self.data.state}**"

    def search_state_lag(self) -> timedelta:
        """How long a state lasts before operators' JourneyState shows it (see `_publish`)."""
        policy = getattr(self.data, "policy", None)
        return policy.search_state_lag if policy is not None else timedelta(0)

    def _init_journey(self, data, chart: type, start: Any = None) -> None:
        """The journey's data, in its chart's first state, and the start's settings. The chart's
        machine is made when the journey first sends it an event (`machine`): a journey made again
        from its history (a worker's cache evicted it) often only waits on."""
        self.data, self._chart, self._machine = data, chart, None
        if data.state is None:
            data.state = self.layout.initial
        self.start = start
        self.lock = asyncio.Lock()  # handlers await activities: one action at a time
        self.woken = False
        self.state_since = workflow.now()
        self.alarm: tuple[datetime, asyncio.Task] | None = None
        self._count("parcours_journeys_started", "Journeys started")

    @property
    def machine(self) -> Any:
        """The chart's machine over `self.data`, made for sending an event, and again if the journey
        let it go while waiting: charts keep their state in the data (`data.state`), nothing of
        their own. What the journey asks between events comes from `layout`, without a machine."""
        if self._machine is None:
            self._machine = self._chart(self.data)
        return self._machine

    def _count(self, name: str, description: str, **attributes: str) -> None:
        """A journey counter on the worker's /metrics (the SDK records nothing during replay)."""
        workflow.metric_meter().create_counter(name, description).add(1, {"journey_kind": self.kind, **attributes})

    def _count_end(self) -> None:
        if self.data.state in TIMED_OUT_STATES:
            self._count("parcours_journeys_expired", "Journeys ended by their idle lifetime or a link's expiry")
        else:
            self._count("parcours_journeys_completed", "Journeys ended by the user's or the service's answer",
                        final_state=self.data.state)

    async def _run_journey(self) -> Any:
        """Waits for deadlines and answers until the chart ends; the last step is the result."""
        self.data.last_activity_at = self.state_since = workflow.now()
        self._publish()
        while not self.finished:
            now = workflow.now()
            deadlines = [self.next_deadline(now), self._publish_due()]
            deadline = min((d for d in deadlines if d is not None), default=None)
            if deadline is None or deadline > now:
                self._arm(deadline)
                # Waiting, a journey holds no machine (bench/README.md, memory per journey held): the
                # next event sent makes it again.
                self._machine = None
                await workflow.wait_condition(lambda: self.woken)
            self.woken = False
            async with self.lock:
                if not self.finished:
                    await self.do_pending_work()
                state = self.data.state
                if not self.finished:
                    self.fire_due_events(workflow.now())
                # A state reached by a deadline (a code expired): no user is stepping through, so it
                # is shown at once — waiting out the lag cost one more wake-up per expiry, a replay
                # of the whole history for a journey the worker's cache had let go.
                self._publish(at_once=self.data.state != state and workflow.patched(TIMED_STATES_AT_ONCE))
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.current_step()

    def current_step(self) -> Any:
        raise NotImplementedError  # each journey's query

    def _step_basics(self) -> dict[str, Any]:
        """What every journey's step says first: which journey, where it is, what it expects."""
        return {"journey_id": self._id, "state": self.data.state, "finished": self.finished,
                "expected_input": self.expected_updates()}

    def _arm(self, deadline: datetime | None) -> None:
        """One timer for the nearest deadline, kept while later deadlines come and go: an action
        that only pushes deadlines back (the idle clock) starts no timer. When the timer fires the
        loop looks again. A nearer deadline replaces it (a timer cancelled in the workflow task
        that started it never reaches the history)."""
        if deadline is None or (self.alarm is not None and self.alarm[0] <= deadline):
            return
        if self.alarm is not None:
            self.alarm[1].cancel()
        self.alarm = (deadline, asyncio.create_task(self._ring(deadline, self.deadline_name(deadline))))

    def deadline_name(self, deadline: datetime) -> str:
        """What a timer waits for, as operators read it beside the timer in the Temporal UI."""
        cooldown = getattr(getattr(self.data, "policy", None), "resend_cooldown", None)
        code_sent_at = getattr(self.data, "code_sent_at", None)
        named = [("code expiry", getattr(self.data, "code_expires_at", None)),
                 ("link expiry", getattr(self.data, "link_expires_at", None)),
                 ("idle lifetime", self.data.last_activity_at + self.idle_lifetime()),
                 ("end of the resend cooldown", code_sent_at + cooldown if code_sent_at and cooldown else None),
                 ("JourneyState shown to operators", self._publish_due())]
        return next((name for name, moment in named if moment == deadline), "next deadline")

    async def _ring(self, deadline: datetime, summary: str) -> None:
        try:
            await workflow.sleep(deadline - workflow.now(), summary=summary)
        except asyncio.CancelledError:
            return
        if self.alarm is not None and self.alarm[0] == deadline:
            self.alarm = None
        self.woken = True

    async def do_pending_work(self) -> None:
        """Work a journey does after answering the user (e.g. a recovery's lookup and send)."""

    @property
    def _id(self) -> str:
        return workflow.info().workflow_id

    def _run_ref(self) -> dict[str, str]:
        """`journey_id` and `run` of an activity request (a JourneyRequest): the run is what makes
        its idempotency keys unique when the workflow id repeats (one live journey per account,
        then another). A journey started before keys were per run keeps its keys (no marker in
        its history), so its retries still find their first attempt's work."""
        run = workflow.info().first_execution_run_id if workflow.patched(RUN_SCOPED_KEYS) else ""
        return {"journey_id": self._id, "run": run}

    @property
    def _key_scope(self) -> str:
        """The start of every idempotency key this run builds itself (code submissions)."""
        return key_scope(**self._run_ref())

    def _update_key(self) -> str:
        """The key of the update being handled: an update id is unique in a run (Temporal runs an
        update once per id), so a check keyed by it is counted once, however often it is retried."""
        update = workflow.current_update_info()
        assert update is not None, "an update key is built in an update's handler only"
        return f"{self._key_scope}/{update.name}/{update.id}"

    async def _abandon_send(self, message_key: str, what: str) -> None:
        """A send past its budget: its message marked abandoned in the ledger and the failure
        counted, so that the next send is a new message under a new key (which voids this one)."""
        await self._activity(ActivityName.ABANDON_MESSAGES, int, AbandonMessagesRequest(idempotency_key=message_key),
                             summary=f"mark {what} abandoned")
        self.data.code_send_failures += 1

    def _touch(self) -> datetime:
        """An accepted action: the idle clock restarts and the deadlines are looked at again."""
        now = workflow.now()
        self.data.last_activity_at = now
        self.woken = True
        return now

    def _require(self, update: str) -> None:
        if update not in self.expected_updates():
            raise rejection("not_now", messages.NOT_NOW, debug=f"{update} in state {self.data.state}")

    def _fire(self, event: str, **arguments) -> None:
        state = self.data.state
        self.machine.send(event, **arguments)
        if self.data.state != state:
            self.state_since = workflow.now()
            # States and events only (never arguments): the journey's trail for log pipelines.
            workflow.logger.info("%s: %s -> %s", event, state, self.data.state)
            if self.finished:
                self._count_end()
        self._publish()

    def _search_attributes_wanted(self) -> list:
        """The search attributes that differ from what the journey shows (set at start by the
        client, or upserted since)."""
        shown = workflow.info().typed_search_attributes
        wanted = [(JOURNEY_KIND, self.kind), (JOURNEY_STATE, self.data.state),
                  (ACCOUNT_REF, getattr(self.data, "account_ref", None))]
        return [key.value_set(value) for key, value in wanted if value and shown.get(key) != value]

    def _publish_due(self) -> datetime | None:
        if not self._search_attributes_wanted():
            return None
        return self.state_since + self.search_state_lag()

    def _publish(self, *, at_once: bool = False) -> None:
        """Current details at once (they cost nothing); search attributes once a state has lasted
        `search_state_lag` or the journey ends — a user moving through steps quickly does not pay
        an upsert per step, operators searching by state see it at most that late. Without a kind
        shown yet (a client that did not set it at start), or `at_once`, at once."""
        changes = self._search_attributes_wanted()
        shown_kind = workflow.info().typed_search_attributes.get(JOURNEY_KIND)
        if changes and (at_once or shown_kind is None or self.finished
                        or workflow.now() >= self.state_since + self.search_state_lag()):
            workflow.upsert_search_attributes(changes)
        workflow.set_current_details(self.operator_details())

    async def _activity(self, name: str, result_type: type, request, *, summary: str,
                        budget: timedelta = USER_BUDGET, background: bool = False):
        """A local activity retried for about `budget`; one that refuses the action (a Refusal, e.g.
        a password naming the account) becomes the update's rejection.

        `background`: work that follows an answer (`do_pending_work`), run as a regular activity. A
        local activity holds the workflow task it starts in until it completes, and with it the
        answer of an update handled in that task: a lookup and a send there would make the answer
        wait for them, and its time tell whether an account matched (R-REC-7). A regular activity
        is only scheduled in that task, which completes, answer included, at once."""
        try:
            if background and workflow.patched(BACKGROUND_ACTIVITIES):
                return await workflow.execute_activity(str(name), request, result_type=result_type, summary=summary,
                                                       start_to_close_timeout=ATTEMPT_TIMEOUT,
                                                       retry_policy=retry_within(budget))
            return await workflow.execute_local_activity(str(name), request, result_type=result_type, summary=summary,
                                                         **local_activity_options(budget))
        except (ActivityError, ApplicationError) as error:  # a local activity's own error may come bare
            cause = error.cause if isinstance(error, ActivityError) else error
            refusal = refusal_of(cause)
            if getattr(cause, "type", None) == UNKNOWN_ACCOUNT:  # a caller's wrong account_ref: say so
                raise rejection("unknown_account", messages.UNKNOWN_ACCOUNT,
                                [FieldError(field="account_ref", message=messages.UNKNOWN_ACCOUNT)]) from None
            if refusal is None:
                raise ActivityFailed(cause) from None
            raise rejection(refusal.reason, refusal.message, refusal.errors, retry_at=refusal.retry_at) from None
