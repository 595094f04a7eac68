"""The courier: every logical message goes through a ledger row keyed by its idempotency key, and
a destination (number, address) gets at most so many messages an hour and a day, whatever the
journeys that send them (against SMS pumping and mail bombing)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.engine import Sessions
from parcours.db.models import DeliveryStatus, MessageDelivery
from parcours.db.queries import DELIVERIES, changed_rows, must_get
from parcours.messaging.providers import OutgoingMessage, Provider
from parcours.security.crypto import keyed_digest
from parcours.temporal.observability import count_in_activity

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DestinationLimits:
    """Messages a destination may receive, by channel ("sms", "mail"), per hour and per day."""

    per_hour: dict[str, int]
    per_day: dict[str, int]

    @classmethod
    def from_settings(cls, settings) -> DestinationLimits:
        return cls(
            per_hour={"sms": settings.sms_per_destination_per_hour, "mail": settings.mails_per_destination_per_hour},
            per_day={"sms": settings.sms_per_destination_per_day, "mail": settings.mails_per_destination_per_day})


class DestinationLimitReached(Exception):
    """This destination had its share of messages; the next one may go at `retry_at`."""

    def __init__(self, retry_at: datetime):
        super().__init__(f"destination limit reached until {retry_at.isoformat()}")
        self.retry_at = retry_at


class Courier:
    def __init__(self, sessions: Sessions, secret_key: bytes, providers: dict[str, Provider],
                 limits: DestinationLimits):
        self.sessions = sessions
        self.secret_key = secret_key
        self.providers = providers
        self.limits = limits

    async def send_once(self, message: OutgoingMessage, template: str, now: datetime, *, limited: bool = True) -> bool:
        """Send unless the ledger says this key went out already; True when it was sent now.
        `limited=False` for notices to the account's owner, which counting must not block."""
        status = await self.reserve(message.idempotency_key, message.channel, message.to, template, now,
                                    limited=limited)
        if status is DeliveryStatus.SENT:
            return False
        await self.deliver(message)
        return True

    async def send_unless_limited(self, message: OutgoingMessage, template: str, now: datetime) -> bool:
        """For a message the user was answered about already, alike whether or not an account
        matched (R-REC-7): over the limits it is dropped, silently, as a refusal would tell."""
        try:
            return await self.send_once(message, template, now)
        except DestinationLimitReached:
            logger.warning("%s not sent: destination over its limits", template)
            return False

    async def reserve(self, key: str, channel: str, to: str, template: str, now: datetime, *,
                      limited: bool = True) -> DeliveryStatus:
        """Record the attempt before anything else happens, in a transaction of its own (raises
        DestinationLimitReached for a new message over the limits). A key seen before is never
        refused: it is a retry."""
        try:
            async with self.sessions.begin() as session:
                return await self.reserve_in(session, key, channel, to, template, now, limited=limited)
        except IntegrityError:  # a concurrent attempt inserted it first: read what it recorded
            async with self.sessions() as session:
                delivery = await must_get(session, MessageDelivery, key)
                return DeliveryStatus(delivery.status)

    async def reserve_in(self, session: AsyncSession, key: str, channel: str, to: str, template: str, now: datetime,
                         *, limited: bool = True) -> DeliveryStatus:
        """`reserve` in the caller's writing transaction, which records the attempt with whatever
        else it commits (a code sent: the code itself, so a crash leaves both or neither). Core
        statements: the ledger row is never loaded as an object. A concurrent attempt of the same
        key makes the caller's commit fail (IntegrityError): its retry finds the row."""
        status = await session.scalar(select(DELIVERIES.c.status).where(DELIVERIES.c.idempotency_key == key))
        if status is not None:
            await session.execute(update(DELIVERIES).where(DELIVERIES.c.idempotency_key == key)
                                  .values(attempts=DELIVERIES.c.attempts + 1))
            return DeliveryStatus(status)
        digest = keyed_digest(self.secret_key, "destination", to)
        if limited:
            await self._check_limits(session, channel, digest, now)
        await session.execute(insert(DELIVERIES).values(
            idempotency_key=key, channel=channel, template=template, destination_digest=digest,
            status=DeliveryStatus.SENDING, attempts=1, created_at=now))
        return DeliveryStatus.SENDING

    async def deliver(self, message: OutgoingMessage) -> None:
        """Hand the message to its provider, then mark it sent. A crash between the provider's
        acceptance and the mark repeats the send with the same key, which the provider drops (SMS
        Idempotency-Key, mail Message-ID, dev inbox)."""
        try:
            await self.providers[message.channel].send(message)
        except Exception:
            count_in_activity("parcours_message_send_failures", "Failed send attempts (each retry counts)",
                              channel=message.channel)
            raise
        count_in_activity("parcours_messages_sent", "Messages handed to a provider", channel=message.channel)
        async with self.sessions.begin() as session:
            await session.execute(update(DELIVERIES)
                                  .where(DELIVERIES.c.idempotency_key == message.idempotency_key)
                                  .values(status=DeliveryStatus.SENT, sent_at=datetime.now(UTC)))

    async def abandon(self, key: str) -> int:
        """Mark a message that never went out as abandoned (its retry budget is spent), so the
        ledger shows what was lost; one that went out late keeps its `sent`."""
        async with self.sessions.begin() as session:
            abandoned = await changed_rows(
                session, update(MessageDelivery)
                .where(MessageDelivery.idempotency_key == key, MessageDelivery.status == DeliveryStatus.SENDING)
                .values(status=DeliveryStatus.ABANDONED))
        if abandoned:
            count_in_activity("parcours_messages_abandoned", "Messages given up after their send budget")
        return abandoned

    async def _check_limits(self, session: AsyncSession, channel: str, digest: str, now: datetime) -> None:
        if session.get_bind().dialect.name == "postgresql":  # two sends to one destination count one after the other
            await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:digest))"), {"digest": digest})
        # (SQLite transactions are serialised already: BEGIN IMMEDIATE, see db/engine.py)
        for window, limits in ((HOUR, self.limits.per_hour), (DAY, self.limits.per_day)):
            recent = (await session.scalars(
                select(DELIVERIES.c.created_at)
                .where(DELIVERIES.c.destination_digest == digest, DELIVERIES.c.channel == channel,
                       DELIVERIES.c.created_at > now - window)
                .order_by(DELIVERIES.c.created_at.desc()).limit(limits[channel])
            )).all()
            if len(recent) >= limits[channel]:
                raise DestinationLimitReached(retry_at=recent[-1] + window)
