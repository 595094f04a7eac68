"""Events out (docs/events.md): one long-running workflow per webhook subscriber (id
`events-relay/<name>`, started by every worker for each subscriber of its settings, found running
by all but the first), so that one subscriber's failures and backoff never hold up another.

Each step is one activity delivering the subscriber's next batch from its cursor, in position
order. A failing step is retried by Temporal with backoff; still failing after
`give_up_after`, the subscriber is held as failing — logged, counted, its reason in the Web UI's
current details — until an operator resumes it (`parcours events resume`) or skips the one event
it refuses (`parcours events skip`). Nothing is dropped meanwhile: its cursor stays where it was."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from parcours.contracts.activities import ActivityName
    from parcours.contracts.events import (
        EVENTS_SUBSCRIBER_WORKFLOW,
        RESUME_UPDATE,
        SKIP_UPDATE,
        STATUS_QUERY,
        DeliveryResult,
        SkippedEvent,
        SubscriberStart,
        SubscriberStatus,
    )
    from parcours.states.journey import utc_text
    from parcours.workflows.activity_options import backoff_within

NOT_FAILING = "« {name} » n'est pas en échec : ses livraisons continuent (rien à reprendre ni à passer)."


@workflow.defn(name=EVENTS_SUBSCRIBER_WORKFLOW)
class EventsSubscriberWorkflow:
    def __init__(self) -> None:
        self.name = ""
        self.failing: str | None = None  # the last failure while held, None while delivering
        self.failing_since: datetime | None = None
        self.skipping = False  # an operator's skip under way: a second one waits for the next hold
        self.start: SubscriberStart | None = None

    @workflow.run
    async def run(self, start: SubscriberStart) -> None:
        self.name, self.start = start.subscriber, start
        retry = backoff_within(start.give_up_after, start.retry_initial, start.retry_maximum)
        for _ in range(start.steps_per_run):
            try:
                result = await workflow.execute_activity(
                    ActivityName.DELIVER_EVENTS.value, start.subscriber, result_type=DeliveryResult,
                    start_to_close_timeout=start.step_timeout, heartbeat_timeout=start.heartbeat_timeout,
                    retry_policy=retry, summary=f"deliver to {start.subscriber}")
            except ActivityError as error:
                await self.held(error)
                continue
            if not result.subscribed:
                return
            if workflow.info().is_continue_as_new_suggested():
                break
            if not result.more:
                await workflow.sleep(start.poll_interval, summary="wait for new events")
        workflow.continue_as_new(start)

    async def held(self, error: ActivityError) -> None:
        """Waits for an operator; the reason is the last try's failure (a status, an error type:
        never a URL or a body)."""
        self.failing, self.failing_since = str(error.cause or error), workflow.now()
        workflow.logger.error("events subscriber %r held as failing (%s): resume or skip it with `parcours events`",
                              self.name, self.failing)
        workflow.metric_meter().create_counter(
            "parcours_event_subscribers_held", "Subscribers held as failing after their tries").add(
            1, {"subscriber": self.name})
        since = utc_text(self.failing_since, seconds=False)
        workflow.set_current_details(f"En échec depuis {since} UTC ({self.failing}). "
                                     f"`parcours events resume {self.name}` pour reprendre, "
                                     f"`parcours events skip {self.name}` pour passer l'événement refusé.")
        await workflow.wait_condition(lambda: self.failing is None)
        workflow.set_current_details("")

    @workflow.update(name=RESUME_UPDATE)
    async def resume(self) -> None:
        self.failing = self.failing_since = None

    @workflow.update(name=SKIP_UPDATE)
    async def skip(self) -> SkippedEvent:
        assert self.start is not None  # held: the run has begun
        self.skipping = True
        skipped = await workflow.execute_activity(
            ActivityName.SKIP_EVENT.value, self.name, result_type=SkippedEvent,
            start_to_close_timeout=self.start.step_timeout, summary=f"skip for {self.name}")
        self.failing = self.failing_since = None
        self.skipping = False
        return skipped

    @resume.validator
    def held_only(self) -> None:
        if self.failing is None or self.skipping:
            raise ApplicationError(NOT_FAILING.format(name=self.name), type="not_failing")

    @skip.validator
    def held_only_too(self) -> None:
        self.held_only()

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> SubscriberStatus:
        return SubscriberStatus(subscriber=self.name, failing=self.failing,
                                failing_since=None if self.failing_since is None else self.failing_since.isoformat())
