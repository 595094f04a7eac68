"""Events out (docs/events.md): the relay's step gives new outbox rows their position and measures
what each subscriber has still to get; each subscriber's own workflow then delivers, in position
order, its cursor moved after each event it took. A failing subscriber fails its own activity
alone: Temporal retries it with backoff, from its cursor (at least once, never out of order),
while the others go on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.event_config import EventRelayConfig
from parcours.contracts.activities import ActivityName
from parcours.contracts.events import DeliveryResult, RelayStepResult, SkippedEvent
from parcours.db.engine import Sessions
from parcours.events.outbox import (
    cursor_of,
    events_after,
    move_cursor,
    sequence_new_events,
    unsequenced_count,
    waiting_for,
)
from parcours.events.payload import event_id
from parcours.events.webhooks import DeliveryFailed, post_event

logger = logging.getLogger(__name__)


class EventActivities:
    def __init__(self, dependencies: ActivityDependencies) -> None:
        self.deps = dependencies

    @property
    def sessions(self) -> Sessions:
        return self.deps.sessions

    @property
    def config(self) -> EventRelayConfig:
        return self.deps.event_relay

    # The relay's step under its first name: the running relay calls it (activities are not
    # replayed, so it now gives positions only, the subscribers' workflows deliver).
    @activity.defn(name=ActivityName.RELAY_EVENTS)
    async def relay_events(self) -> RelayStepResult:
        sequenced = await sequence_new_events(self.sessions, self.config.batch_size, datetime.now(UTC))
        async with self.sessions() as session:  # what GET /events does not show yet
            self.meter().create_gauge("parcours_events_unsequenced", "Events written, not yet given a position").set(
                await unsequenced_count(session))
            # Measured here, every step, for every subscriber: one held as failing (its own
            # workflow waits for an operator) still shows its backlog growing and its oldest event aging.
            now = datetime.now(UTC)
            for hook in self.config.webhooks:
                count, oldest = await waiting_for(session, await cursor_of(session, hook.name))
                labels = {"subscriber": hook.name}
                self.meter().create_gauge("parcours_events_backlog", "Events a subscriber has still to get").set(
                    count, labels)
                self.meter().create_gauge_float(
                    "parcours_events_oldest_waiting", "Age of the oldest event a subscriber has still to get", "s",
                ).set(0.0 if oldest is None else (now - oldest).total_seconds(), labels)
        return RelayStepResult(sequenced=sequenced, more=sequenced == self.config.batch_size)

    @activity.defn(name=ActivityName.DELIVER_EVENTS)
    async def deliver_events(self, subscriber: str) -> DeliveryResult:
        """The subscriber's next batch, one event at a time; the first refusal fails the try."""
        hook = self.config.webhook(subscriber)
        if hook is None:  # no longer in this worker's settings: its workflow ends
            logger.warning("events subscriber %r is no longer configured: its delivery workflow ends", subscriber)
            return DeliveryResult(delivered=0, more=False, subscribed=False)
        async with self.sessions() as session:
            events = await events_after(session, await cursor_of(session, subscriber), self.config.batch_size)
        activity.heartbeat()  # alive before the first POST too
        labels = {"subscriber": subscriber}
        async with httpx.AsyncClient(timeout=self.config.delivery_timeout_seconds) as client:
            for event in events:
                sent_at = datetime.now(UTC)
                try:
                    await post_event(client, hook, event, sent_at)
                except DeliveryFailed as failure:  # retried by the workflow's policy, with backoff
                    self.meter().create_counter("parcours_event_delivery_failures",
                                                "Webhook deliveries refused or unanswered").add(1, labels)
                    raise ApplicationError(f"webhook not taking events: {failure}", type="WebhookFailing") from None
                assert event.position is not None  # events_after reads sequenced rows only
                await move_cursor(self.sessions, subscriber, event.position, sent_at)
                activity.heartbeat(event.position)
                self.meter().create_histogram_float(
                    "parcours_event_delivery_lag", "From the change to its webhook delivery", "s",
                ).record((sent_at - event.created_at).total_seconds(), labels)
                self.meter().create_counter("parcours_events_delivered", "Events a subscriber took").add(1, labels)
        return DeliveryResult(delivered=len(events), more=len(events) == self.config.batch_size)

    @activity.defn(name=ActivityName.SKIP_EVENT)
    async def skip_event(self, subscriber: str) -> SkippedEvent:
        """An operator's `parcours events skip`: the subscriber's cursor past its next event, which
        it will never get by webhook (the log and the answer name it: the pull feed still has it)."""
        async with self.sessions() as session:
            events = await events_after(session, await cursor_of(session, subscriber), 1)
        if not events:
            return SkippedEvent(event_id=None)
        assert events[0].position is not None
        await move_cursor(self.sessions, subscriber, events[0].position, datetime.now(UTC))
        logger.warning("events subscriber %r: event %s skipped by an operator, never delivered by webhook",
                       subscriber, event_id(events[0]))
        return SkippedEvent(event_id=event_id(events[0]))

    @staticmethod
    def meter():
        return activity.metric_meter()
