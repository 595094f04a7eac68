"""Personal data kept no longer than needed (README « Sécurité »): each class of row goes after its
own retention, `batch` rows per transaction, and purging twice purges nothing more.

A journey's rows — its codes, its messages' ledger rows, its claim on an account, its merge — are
read by that journey and by the retries of its activities. Age alone cannot prove a journey done
with them (an action resets its idle lifetime, and nothing caps its whole life), so such a row goes
when it is past its retention AND Temporal says its journey no longer runs (`running`). Rows of a
live journey stay: the walk goes on past them, in key order (a cursor per class), so they never
hold up the rows behind them. An event goes once every webhook subscriber has it AND it is past
the feed's retention; the newest event always stays, so that the feed can tell a poller that
events after its cursor are gone (parcours/http_api/events.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select, tuple_, update
from sqlalchemy.orm import InstrumentedAttribute

from parcours.contracts.activity_basics import journey_of_key
from parcours.contracts.retention import PurgeRound, PurgeRoundResult
from parcours.db.engine import Sessions
from parcours.db.models import (
    FAILED_TRIES_WINDOW,
    Account,
    AccountMerge,
    EventCursor,
    JourneyClaim,
    LinkEvent,
    MessageDelivery,
    VerificationCode,
)
from parcours.db.queries import changed_rows
from parcours.settings import Settings

# Which of these journey ids still run (Temporal's answer; a test's own in the tests).
RunningJourneys = Callable[[set[str]], Awaitable[set[str]]]
Key = list[Any]  # a row's primary key values, in the walk's order: a cursor


class PurgedClass(StrEnum):
    """What the purge counts, one name per class (the metric's `class` label)."""

    CODES = "verification_codes"
    DELIVERIES = "message_deliveries"
    CLAIMS = "journey_claims"
    MERGES = "account_merges"
    FAILED_ATTEMPTS = "failed_attempts"  # columns of accounts cleared, not rows
    EVENTS = "link_events"


@dataclass(frozen=True)
class Retention:
    """The retention settings, as the worker's activity reads them."""

    periods: dict[PurgedClass, timedelta]
    batch: int
    subscribers: tuple[str, ...]  # the webhook subscribers whose cursors hold events back

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls({PurgedClass.CODES: settings.code_retention, PurgedClass.DELIVERIES: settings.delivery_retention,
                    PurgedClass.CLAIMS: settings.claim_retention, PurgedClass.MERGES: settings.merge_retention,
                    PurgedClass.FAILED_ATTEMPTS: settings.failed_attempt_retention,
                    PurgedClass.EVENTS: settings.event_feed_retention},
                   settings.retention_batch_size, tuple(hook.name for hook in settings.event_webhooks))

    def cutoff(self, purged: PurgedClass, now: datetime) -> datetime:
        """Rows aged before this go. A failed-tries hour counts from its end: its last failure
        (and key) may come up to an hour after its start."""
        hour = FAILED_TRIES_WINDOW if purged is PurgedClass.FAILED_ATTEMPTS else timedelta(0)
        return now - self.periods[purged] - hour


@dataclass(frozen=True)
class JourneyRows:
    """A table of journey-owned rows: walked in `key` order, aged by `aged`, owned by the journey
    `journey_of` reads from `owner`."""

    purged: PurgedClass
    key: tuple[InstrumentedAttribute, ...]
    aged: InstrumentedAttribute
    owner: InstrumentedAttribute
    journey_of: Callable[[str], str] = lambda journey_id: journey_id


JOURNEY_ROWS = (
    # A code ages from its expiry; past it, a late check of a journey still running must still find it
    # (to answer « expiré »: an unknown code would fail the journey), hence the journey asked too.
    JourneyRows(PurgedClass.CODES, (VerificationCode.id,), VerificationCode.expires_at, VerificationCode.journey_id),
    JourneyRows(PurgedClass.DELIVERIES, (MessageDelivery.idempotency_key,), MessageDelivery.created_at,
                MessageDelivery.idempotency_key, journey_of_key),
    JourneyRows(PurgedClass.CLAIMS, (JourneyClaim.kind, JourneyClaim.account_id), JourneyClaim.claimed_at,
                JourneyClaim.journey_id),
    JourneyRows(PurgedClass.MERGES, (AccountMerge.idempotency_key,), AccountMerge.merged_at,
                AccountMerge.idempotency_key, journey_of_key),
)
BY_CLASS = {rows.purged: rows for rows in JOURNEY_ROWS}


def _key_in(columns: Sequence[InstrumentedAttribute], keys: list[Key]) -> ColumnElement[bool]:
    return tuple_(*columns).in_([tuple(key) for key in keys])


async def purge_journey_rows(sessions: Sessions, rows: JourneyRows, cutoff: datetime, after: Key | None, batch: int,
                             running: RunningJourneys) -> tuple[int, Key | None]:
    """The next `batch` rows past `cutoff` after the cursor `after`: those whose journey no
    longer runs deleted. Returns how many, and the cursor to go on from (None: walked to the end)."""
    query = select(*rows.key, rows.owner).where(rows.aged < cutoff).order_by(*rows.key).limit(batch)
    if after is not None:
        query = query.where(tuple_(*rows.key) > tuple_(*after))
    async with sessions() as session:
        found = [list(row) for row in (await session.execute(query)).all()]
    if not found:
        return 0, None
    live = await running({rows.journey_of(row[-1]) for row in found})
    doomed = [row[:-1] for row in found if rows.journey_of(row[-1]) not in live]
    deleted = 0
    if doomed:
        async with sessions.begin() as session:
            # Aged again: a claim taken over meanwhile by a new journey has a new time, and stays.
            deleted = await changed_rows(session, delete(rows.key[0].class_).where(
                _key_in(rows.key, doomed), rows.aged < cutoff).execution_options(synchronize_session=False))
    return deleted, (found[-1][:-1] if len(found) == batch else None)


async def clear_failed_attempts(sessions: Sessions, cutoff: datetime, batch: int) -> int:
    """Accounts whose last failed-tries hour began before `cutoff` forget it: the hour's count and
    start (activities/attempt_budget.py starts a new one at the next failure anyway) and the key of
    the last failed password check (its retry came within the activity's budget of minutes)."""
    window = Account.failed_tries_window_start
    async with sessions.begin() as session:
        ids = select(Account.id).where(window < cutoff).order_by(Account.id).limit(batch).scalar_subquery()
        return await changed_rows(session, update(Account).where(Account.id.in_(ids)).values(
            failed_tries_window_start=None, failed_tries_in_window=0, last_failed_attempt_key=None,
        ).execution_options(synchronize_session=False))


async def purge_delivered_events(sessions: Sessions, cutoff: datetime, subscribers: Sequence[str], batch: int) -> int:
    """Events written before `cutoff` that every subscriber has (its cursor at or past them; a
    subscriber without a cursor has none), the newest kept: up to `batch` of them deleted."""
    async with sessions.begin() as session:
        cursors = dict((await session.execute(select(EventCursor.subscriber, EventCursor.position).where(
            EventCursor.subscriber.in_(subscribers)))).all())
        newest = await session.scalar(select(func.max(LinkEvent.position)))
        if newest is None:
            return 0
        delivered_to_all = min((cursors.get(name, 0) for name in subscribers), default=newest)
        below = min(delivered_to_all + 1, newest)  # positions under this one may go
        ids = (select(LinkEvent.id).where(and_(LinkEvent.position < below, LinkEvent.created_at < cutoff))
               .order_by(LinkEvent.position).limit(batch).scalar_subquery())
        return await changed_rows(session, delete(LinkEvent).where(LinkEvent.id.in_(ids))
                                  .execution_options(synchronize_session=False))


async def purge_round(sessions: Sessions, retention: Retention, round: PurgeRound, now: datetime,
                      running: RunningJourneys) -> PurgeRoundResult:
    """One batch of every class not done yet; a class is done when a batch came back short."""
    purged: dict[str, int] = {}
    after, done = dict(round.after), set(round.done)
    for name in PurgedClass:
        if name in done:
            continue
        cutoff = retention.cutoff(name, now)
        if name in BY_CLASS:
            purged[name], cursor = await purge_journey_rows(sessions, BY_CLASS[name], cutoff, after.get(name),
                                                            retention.batch, running)
            finished = cursor is None
            if cursor is not None:
                after[name] = cursor
        elif name is PurgedClass.FAILED_ATTEMPTS:
            purged[name] = await clear_failed_attempts(sessions, cutoff, retention.batch)
            finished = purged[name] < retention.batch
        else:
            purged[name] = await purge_delivered_events(sessions, cutoff, retention.subscribers, retention.batch)
            finished = purged[name] < retention.batch
        if finished:
            done.add(name)
            after.pop(name, None)
    return PurgeRoundResult(purged=purged, next=PurgeRound(after=after, done=sorted(done)),
                            finished=len(done) == len(PurgedClass))
