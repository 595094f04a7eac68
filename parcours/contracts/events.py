"""What the events relay (workflows/events_relay.py) and its activity exchange: numbers only."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

EVENTS_RELAY_WORKFLOW = "EventsRelay"
# One relay per namespace and task queue: the worker starts it under this id, or finds it running.
EVENTS_RELAY_ID = "events-relay"


class RelayStart(BaseModel):
    """The worker's settings when it started the relay (a workflow reads no settings itself)."""

    poll_interval: timedelta
    step_timeout: timedelta
    heartbeat_timeout: timedelta | None = None  # None: a relay started before heartbeats were asked
    retry_initial: timedelta
    retry_maximum: timedelta
    steps_per_run: int


class RelayStepResult(BaseModel):
    sequenced: int  # events given a position this step
    delivered: int  # webhook deliveries made this step
    more: bool  # a full batch: step again at once rather than wait
