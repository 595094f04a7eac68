"""Events out (docs/events.md): one step of the relay — new outbox rows given their position,
then each webhook subscriber sent what it has not had, in position order, its cursor moved after
each event it took. A failing subscriber fails the step after the others had theirs: the relay
retries it with backoff, from the subscriber's cursor (at least once, never out of order)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.event_config import EventRelayConfig
from parcours.contracts.activities import ActivityName
from parcours.contracts.events import RelayStepResult
from parcours.db.engine import Sessions
from parcours.events.outbox import (
    backlog,
    cursor_of,
    events_after,
    move_cursor,
    sequence_new_events,
    unsequenced_count,
)
from parcours.events.webhooks import DeliveryFailed, post_event
from parcours.settings import EventWebhook


class EventActivities:
    def __init__(self, dependencies: ActivityDependencies) -> None:
        self.deps = dependencies

    @property
    def sessions(self) -> Sessions:
        return self.deps.sessions

    @property
    def config(self) -> EventRelayConfig:
        return self.deps.event_relay

    @activity.defn(name=ActivityName.RELAY_EVENTS)
    async def relay_events(self) -> RelayStepResult:
        sequenced = await sequence_new_events(self.sessions, self.config.batch_size, datetime.now(UTC))
        async with self.sessions() as session:  # what GET /events does not show yet
            self.meter().create_gauge("parcours_events_unsequenced", "Events written, not yet given a position").set(
                await unsequenced_count(session))
        delivered, full, failing = 0, sequenced == self.config.batch_size, []
        async with httpx.AsyncClient(timeout=self.config.delivery_timeout_seconds) as client:
            for hook in self.config.webhooks:
                try:
                    count = await self.deliver(client, hook)
                    delivered, full = delivered + count, full or count == self.config.batch_size
                except DeliveryFailed as failure:
                    failing.append(str(failure))
                    self.meter().create_counter("parcours_event_delivery_failures",
                                                "Webhook deliveries refused or unanswered").add(
                        1, {"subscriber": hook.name})
                await self.measure_backlog(hook)
        if failing:  # retried by the relay's policy, with backoff, from each cursor
            raise ApplicationError("webhooks not taking events: " + "; ".join(failing), type="WebhookFailing")
        return RelayStepResult(sequenced=sequenced, delivered=delivered, more=full)

    async def deliver(self, client: httpx.AsyncClient, hook: EventWebhook) -> int:
        async with self.sessions() as session:
            events = await events_after(session, await cursor_of(session, hook.name), self.config.batch_size)
        activity.heartbeat()  # alive before the first POST too
        for event in events:
            sent_at = datetime.now(UTC)
            await post_event(client, hook, event, sent_at)
            assert event.position is not None  # events_after reads sequenced rows only
            await move_cursor(self.sessions, hook.name, event.position, sent_at)
            activity.heartbeat(event.position)
            self.meter().create_histogram_float(
                "parcours_event_delivery_lag", "From the change to its webhook delivery", "s",
            ).record((sent_at - event.created_at).total_seconds(), {"subscriber": hook.name})
            self.meter().create_counter("parcours_events_delivered", "Events a subscriber took").add(
                1, {"subscriber": hook.name})
        return len(events)

    async def measure_backlog(self, hook: EventWebhook) -> None:
        async with self.sessions() as session:
            waiting = await backlog(session, await cursor_of(session, hook.name))
        self.meter().create_gauge("parcours_events_backlog", "Events a subscriber has still to get").set(
            waiting, {"subscriber": hook.name})

    @staticmethod
    def meter():
        return activity.metric_meter()
