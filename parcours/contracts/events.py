"""What the events relay (workflows/events_relay.py) and its activity exchange: numbers only."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

EVENTS_RELAY_WORKFLOW = "EventsRelay"
EVENTS_SUBSCRIBER_WORKFLOW = "EventsSubscriber"
# One relay per namespace and task queue: the worker starts it under this id, or finds it running.
EVENTS_RELAY_ID = "events-relay"
# And one delivery workflow per subscriber, under the relay's id and the subscriber's name.
SUBSCRIBER_ID_PREFIX = f"{EVENTS_RELAY_ID}/"
# Their updates, for the operator (`parcours events resume|skip`).
RESUME_UPDATE = "resume"
SKIP_UPDATE = "skip"
STATUS_QUERY = "status"


def subscriber_workflow_id(name: str) -> str:
    return f"{SUBSCRIBER_ID_PREFIX}{name}"


class RelayStart(BaseModel):
    """The worker's settings when it started the relay (a workflow reads no settings itself)."""

    poll_interval: timedelta
    step_timeout: timedelta
    heartbeat_timeout: timedelta | None = None  # None: a relay started before heartbeats were asked
    retry_initial: timedelta
    retry_maximum: timedelta
    steps_per_run: int


class RelayStepResult(BaseModel):
    sequenced: int  # events given a position this step (a first relay's steps also told its deliveries)
    more: bool  # a full batch: step again at once rather than wait


class SubscriberStart(RelayStart):
    """A subscriber's delivery workflow: the relay's settings, its name, and how long it is retried
    before it is held as failing (`give_up_after`) until an operator resumes or skips."""

    subscriber: str
    give_up_after: timedelta


class DeliveryResult(BaseModel):
    delivered: int  # events the subscriber took this step
    more: bool  # a full batch: deliver again at once
    subscribed: bool = True  # False: no longer in the worker's settings, the workflow ends


class SubscriberStatus(BaseModel):
    """What `parcours events status` shows of one subscriber's workflow."""

    subscriber: str
    failing: str | None  # why it stopped (the last failure), None while delivering
    failing_since: str | None  # ISO time


class SkippedEvent(BaseModel):
    event_id: str | None  # None: nothing was waiting
