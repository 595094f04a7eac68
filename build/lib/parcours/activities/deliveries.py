"""The courier's ledger, seen from a journey: what it gave up on."""

from __future__ import annotations

from temporalio import activity

from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.activities import AbandonMessagesRequest, ActivityName


class DeliveryActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.ABANDON_MESSAGES)
    async def abandon_messages(self, request: AbandonMessagesRequest) -> int:
        """The send's retry budget is spent: its ledger row says `abandoned` (no silent loss), and
        the journey tells the user. Idempotent: only rows still `sending` change."""
        abandoned = await self.deps.courier.abandon(request.idempotency_key)
        if abandoned:
            activity.logger.warning("message %s abandoned after its retry budget", request.idempotency_key)
        return abandoned
