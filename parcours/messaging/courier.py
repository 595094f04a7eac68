"""The courier: every logical message goes through a ledger row keyed by its idempotency key."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcours.crypto import keyed_digest
from parcours.db.models import DeliveryStatus, MessageDelivery
from parcours.messaging.providers import OutgoingMessage, Provider


class Courier:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], secret_key: bytes, providers: dict[str, Provider]):
        self.sessions = sessions
        self.secret_key = secret_key
        self.providers = providers

    async def send_once(self, message: OutgoingMessage, template: str) -> bool:
        """Send unless the ledger says this key went out already; True when it was sent now.

        A crash between the provider's acceptance and the ledger update repeats the send with the
        same key, which the provider drops (SMS Idempotency-Key, mail Message-ID, dev inbox)."""
        if await self._record_attempt(message, template) is DeliveryStatus.SENT:
            return False
        await self.providers[message.channel].send(message)
        async with self.sessions.begin() as session:
            delivery = await session.get(MessageDelivery, message.idempotency_key)
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = datetime.now(timezone.utc)
        return True

    async def _record_attempt(self, message: OutgoingMessage, template: str) -> DeliveryStatus:
        try:
            async with self.sessions.begin() as session:
                delivery = await session.get(MessageDelivery, message.idempotency_key)
                if delivery is None:
                    delivery = MessageDelivery(
                        idempotency_key=message.idempotency_key,
                        channel=message.channel,
                        template=template,
                        destination_digest=keyed_digest(self.secret_key, "destination", message.to),
                        status=DeliveryStatus.SENDING,
                        attempts=0,
                        created_at=datetime.now(timezone.utc),
                    )
                    session.add(delivery)
                delivery.attempts += 1
                return DeliveryStatus(delivery.status)
        except IntegrityError:  # a concurrent attempt inserted it first: read what it recorded
            async with self.sessions() as session:
                status = await session.scalar(
                    select(MessageDelivery.status).where(MessageDelivery.idempotency_key == message.idempotency_key)
                )
                return DeliveryStatus(status)
