"""The outbox read in order. Ids are taken before commits, so a transaction that commits late
can hold a lower id than rows already read: a cursor of ids would skip it. So the one relay gives
positions to committed rows, in one transaction at a time (a unique position: two overlapping
relay steps cannot both commit), and every reader follows positions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.engine import Sessions
from parcours.db.models import EventCursor, LinkEvent


async def sequence_new_events(sessions: Sessions, batch: int, now: datetime) -> int:
    """Positions for up to `batch` committed events without one, in id order; how many."""
    async with sessions.begin() as session:
        # Locked first, the maximum read after: an overlapping step waits here, then finds these
        # rows sequenced (PostgreSQL re-checks the condition) and numbers after them.
        new = (await session.scalars(select(LinkEvent).where(LinkEvent.position.is_(None))
                                     .order_by(LinkEvent.id).limit(batch).with_for_update())).all()
        last = await session.scalar(select(func.max(LinkEvent.position))) or 0
        for offset, event in enumerate(new, start=1):
            event.position, event.published_at = last + offset, now
        return len(new)


async def events_after(session: AsyncSession, position: int, limit: int) -> list[LinkEvent]:
    return list((await session.scalars(select(LinkEvent).where(LinkEvent.position > position)
                                       .order_by(LinkEvent.position).limit(limit))).all())


async def oldest_kept_position(session: AsyncSession) -> int | None:
    """The first event the feed still has, the older ones purged (parcours/db/retention.py keeps
    the newest); None: none was ever given a position."""
    return await session.scalar(select(func.min(LinkEvent.position)))


async def cursor_of(session: AsyncSession, subscriber: str) -> int:
    row = await session.get(EventCursor, subscriber)
    return 0 if row is None else row.position


async def move_cursor(sessions: Sessions, subscriber: str, position: int, now: datetime) -> None:
    async with sessions.begin() as session:
        await session.merge(EventCursor(subscriber=subscriber, position=position, updated_at=now))


async def waiting_for(session: AsyncSession, position: int) -> tuple[int, datetime | None]:
    """For a subscriber at `position`: how many events it has still to get (sequenced or not yet),
    and when the oldest of them was written (None: it has them all)."""
    count, oldest = (await session.execute(select(func.count(), func.min(LinkEvent.created_at)).where(
        (LinkEvent.position > position) | LinkEvent.position.is_(None)))).one()
    return count or 0, oldest


async def unsequenced_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(LinkEvent)
                                .where(LinkEvent.position.is_(None))) or 0


