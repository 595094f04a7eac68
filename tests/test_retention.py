"""The retention purge on the database (SQLite, or PostgreSQL with PARCOURS_TEST_DATABASE_URL): each
class goes after its own retention, a live journey's rows stay, the outbox keeps what a subscriber
has not had, in bounded batches, and a second run purges nothing. Temporal's answer (which journeys
run) is the test's own here; tests/test_retention_schedule.py asks a real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select

from parcours.contracts.retention import PurgeRound, PurgeRoundResult
from parcours.db.models import (
    Account,
    AccountMerge,
    EventCursor,
    JourneyClaim,
    LinkEvent,
    MessageDelivery,
    VerificationCode,
)
from parcours.db.retention import PurgedClass, Retention, purge_round
from parcours.events.outbox import sequence_new_events
from parcours.events.payload import EventCursors
from parcours.settings import EventWebhook, Settings
from parcours.testing import demo_dependencies

NOW = datetime.now(UTC).replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=40)  # past every default retention
RECENTLY = NOW - timedelta(minutes=10)  # within every one
ENDED, LIVE = "activation/ended", "activation/live"


@pytest.fixture
async def deps(settings):
    async with demo_dependencies(settings) as dependencies:
        yield dependencies


async def account_ids(deps) -> list[int]:
    async with deps.sessions() as session:
        return list((await session.scalars(select(Account.id).order_by(Account.id))).all())


async def add(deps, *rows) -> None:
    async with deps.sessions.begin() as session:
        session.add_all(rows)


def code(name: str, journey: str, expired_at: datetime) -> VerificationCode:
    return VerificationCode(id=name, idempotency_key=f"{journey}/run/code/{name}", journey_id=journey,
                            purpose="activation", account_id=None, channel="sms", digest="0" * 64,
                            issued_at=expired_at - timedelta(minutes=30), expires_at=expired_at, max_wrong_tries=5)


def delivery(name: str, journey: str, at: datetime) -> MessageDelivery:
    return MessageDelivery(idempotency_key=f"{journey}/run/code/{name}", channel="sms", template="activation",
                           destination_digest="0" * 64, status="sent", attempts=1, created_at=at, sent_at=at)


def claim(kind: str, account_id: int, journey: str, at: datetime) -> JourneyClaim:
    return JourneyClaim(kind=kind, account_id=account_id, journey_id=journey, claimed_at=at)


def merge(journey: str, kept: int, merged: int, at: datetime) -> AccountMerge:
    return AccountMerge(idempotency_key=f"{journey}/run/merged", kept_account_id=kept, merged_account_id=merged,
                        moved_students=1, merged_at=at)


def event(number: int, at: datetime) -> LinkEvent:
    return LinkEvent(idempotency_key=f"test/event/{number}", kind="link_reported", account_ref=f"acc-{number}",
                     student_ref=None, created_at=at)


def retention_of(settings: Settings, **overrides) -> Retention:
    return Retention.from_settings(settings.model_copy(update=overrides))


async def running_none(journey_ids: set[str]) -> set[str]:
    return set()


async def running_live(journey_ids: set[str]) -> set[str]:
    return journey_ids & {LIVE}


async def purge_all(deps, retention: Retention, running=running_none) -> tuple[dict[str, int], list[PurgeRoundResult]]:
    """A whole run: rounds until every class is done (bounded: a run that never ends fails)."""
    totals: dict[str, int] = {}
    rounds, current = [], PurgeRound()
    for _ in range(100):
        result = await purge_round(deps.sessions, retention, current, NOW, running)
        rounds.append(result)
        for name, count in result.purged.items():
            totals[name] = totals.get(name, 0) + count
        if result.finished:
            return totals, rounds
        current = result.next
    raise AssertionError("the purge did not finish in 100 rounds")


async def count(deps, model) -> int:
    async with deps.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def keys(deps, column) -> set:
    async with deps.sessions() as session:
        return set((await session.scalars(select(column))).all())


async def test_rows_past_their_retention_go_and_rows_within_it_stay(deps, settings):
    first, second, third, *_ = await account_ids(deps)
    await add(deps, code("old", ENDED, LONG_AGO), code("new", ENDED, RECENTLY),
              delivery("old", ENDED, LONG_AGO), delivery("new", ENDED, RECENTLY),
              claim("activation", first, ENDED, LONG_AGO), claim("password-reset", first, ENDED, RECENTLY),
              merge("account-merge/old", first, second, LONG_AGO), merge("account-merge/new", first, third, RECENTLY))
    async with deps.sessions.begin() as session:
        for account_id, window in ((first, LONG_AGO), (second, RECENTLY)):
            account = await session.get(Account, account_id)
            assert account is not None
            account.failed_tries_window_start, account.failed_tries_in_window = window, 3
            account.last_failed_attempt_key = "sign-in/x/check"

    totals, _ = await purge_all(deps, Retention.from_settings(settings))

    assert totals == {PurgedClass.CODES: 1, PurgedClass.DELIVERIES: 1, PurgedClass.CLAIMS: 1, PurgedClass.MERGES: 1,
                      PurgedClass.FAILED_ATTEMPTS: 1, PurgedClass.EVENTS: 0}
    assert await keys(deps, VerificationCode.id) == {"new"}
    assert await keys(deps, MessageDelivery.idempotency_key) == {f"{ENDED}/run/code/new"}
    assert await keys(deps, JourneyClaim.kind) == {"password-reset"}
    assert await keys(deps, AccountMerge.idempotency_key) == {"account-merge/new/run/merged"}
    async with deps.sessions() as session:
        forgotten, kept = await session.get(Account, first), await session.get(Account, second)
    assert forgotten is not None and kept is not None
    assert (forgotten.failed_tries_window_start, forgotten.failed_tries_in_window,
            forgotten.last_failed_attempt_key) == (None, 0, None)
    assert (kept.failed_tries_window_start, kept.failed_tries_in_window) == (RECENTLY, 3)
    assert kept.last_failed_attempt_key == "sign-in/x/check"
    again, _ = await purge_all(deps, Retention.from_settings(settings))
    assert set(again.values()) == {0}  # idempotent: a second run finds nothing


async def test_each_class_follows_its_own_retention(deps, settings):
    """A code 36 hours past its expiry: gone with a day's retention, kept with two."""
    await add(deps, code("a", ENDED, NOW - timedelta(hours=36)))
    kept, _ = await purge_all(deps, retention_of(settings, code_retention=timedelta(days=2)))
    assert kept[PurgedClass.CODES] == 0 and await count(deps, VerificationCode) == 1
    gone, _ = await purge_all(deps, retention_of(settings, code_retention=timedelta(days=1)))
    assert gone[PurgedClass.CODES] == 1 and await count(deps, VerificationCode) == 0


async def test_a_row_a_live_journey_can_still_use_stays_and_holds_up_nothing_behind_it(deps, settings):
    first, second, *_ = await account_ids(deps)
    # In key order the live journey's rows come first: with batches of one, the walk must go past them.
    await add(deps, code("a-live", LIVE, LONG_AGO), code("b-ended", ENDED, LONG_AGO),
              delivery("a", LIVE, LONG_AGO), delivery("b", ENDED, LONG_AGO),
              claim("activation", first, LIVE, LONG_AGO), claim("activation", second, ENDED, LONG_AGO),
              merge(LIVE, first, second, LONG_AGO))
    totals, rounds = await purge_all(deps, retention_of(settings, retention_batch_size=1), running_live)
    assert await keys(deps, VerificationCode.journey_id) == {LIVE}
    assert await keys(deps, MessageDelivery.idempotency_key) == {f"{LIVE}/run/code/a"}
    assert await keys(deps, JourneyClaim.journey_id) == {LIVE}
    assert await count(deps, AccountMerge) == 1
    assert totals[PurgedClass.CODES] == totals[PurgedClass.DELIVERIES] == totals[PurgedClass.CLAIMS] == 1
    assert all(count <= 1 for result in rounds for count in result.purged.values())
    # The journey ends: the next run takes its rows.
    after_end, _ = await purge_all(deps, Retention.from_settings(settings))
    assert after_end[PurgedClass.CODES] == after_end[PurgedClass.MERGES] == 1
    assert await count(deps, VerificationCode) == await count(deps, JourneyClaim) == 0


async def test_a_claim_taken_over_while_the_purge_looked_stays(deps, settings):
    """The purge reads a claim of an ended journey; a new journey takes the account over before
    the delete: the claim is the new journey's now, and stays."""
    first, *_ = await account_ids(deps)
    await add(deps, claim("activation", first, ENDED, LONG_AGO))

    async def taken_over_meanwhile(journey_ids: set[str]) -> set[str]:
        async with deps.sessions.begin() as session:
            taken = await session.get(JourneyClaim, ("activation", first))
            assert taken is not None
            taken.journey_id, taken.claimed_at = LIVE, NOW
        return set()

    totals, _ = await purge_all(deps, Retention.from_settings(settings), taken_over_meanwhile)
    assert totals[PurgedClass.CLAIMS] == 0 and await keys(deps, JourneyClaim.journey_id) == {LIVE}


async def test_codes_go_in_bounded_batches(deps, settings):
    await add(deps, *(code(f"c{number}", ENDED, LONG_AGO) for number in range(5)))
    totals, rounds = await purge_all(deps, retention_of(settings, retention_batch_size=2))
    assert [result.purged[PurgedClass.CODES] for result in rounds if PurgedClass.CODES in result.purged] == [2, 2, 1]
    assert totals[PurgedClass.CODES] == 5 and await count(deps, VerificationCode) == 0


async def written_events(deps, times: list[datetime]) -> None:
    for number, at in enumerate(times, start=1):
        await add(deps, event(number, at))
    await sequence_new_events(deps.sessions, len(times), NOW)


def with_subscribers(settings: Settings, *names: str) -> Settings:
    hooks = [EventWebhook(name=name, url=f"http://127.0.0.1:9/{name}", secret="whsec_" + "A" * 32) for name in names]
    return settings.model_copy(update={"event_webhooks": hooks})


async def positions(deps) -> list[int | None]:
    async with deps.sessions() as session:
        return list((await session.scalars(select(LinkEvent.position).order_by(LinkEvent.id))).all())


async def test_the_outbox_keeps_what_a_subscriber_has_not_had(deps, settings):
    await written_events(deps, [LONG_AGO] * 5)
    await add(deps, event(6, LONG_AGO))  # not yet given a position: no subscriber has it
    async with deps.sessions.begin() as session:
        session.add_all([EventCursor(subscriber="ent", position=4, updated_at=NOW),
                         EventCursor(subscriber="cantine", position=2, updated_at=NOW),
                         EventCursor(subscriber="gone", position=0, updated_at=NOW)])  # no longer configured
    totals, _ = await purge_all(deps, Retention.from_settings(with_subscribers(settings, "ent", "cantine")))
    assert totals[PurgedClass.EVENTS] == 2 and await positions(deps) == [3, 4, 5, None]
    # A subscriber with no cursor yet has had nothing: everything stays.
    none, _ = await purge_all(deps, Retention.from_settings(with_subscribers(settings, "ent", "new")))
    assert none[PurgedClass.EVENTS] == 0
    # Without subscribers, the feed's retention alone: all but the newest (the feed's landmark).
    rest, _ = await purge_all(deps, Retention.from_settings(settings))
    assert rest[PurgedClass.EVENTS] == 2 and await positions(deps) == [5, None]


async def test_events_within_the_feeds_retention_stay(deps, settings):
    await written_events(deps, [LONG_AGO, RECENTLY, RECENTLY])
    totals, _ = await purge_all(deps, Retention.from_settings(settings))
    assert totals[PurgedClass.EVENTS] == 1 and await positions(deps) == [2, 3]


async def test_the_feed_says_gone_for_a_cursor_before_the_oldest_kept_event(deps, settings):
    from parcours.http_api.app import create_app

    await written_events(deps, [LONG_AGO, LONG_AGO, LONG_AGO, RECENTLY])
    await purge_all(deps, Retention.from_settings(settings))  # 1 to 3 are older than the feed's 30 days
    assert await positions(deps) == [4]
    token = "feed-token"
    app = create_app(settings.model_copy(update={"http_api_token": SecretStr(token)}))
    auth = {"Authorization": f"Bearer {token}"}
    cursor = EventCursors(settings.require_secret_key()).encode
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as api:
        gone = await api.get("/events", params={"after": cursor(1)}, headers=auth)
        just_before = await api.get("/events", params={"after": cursor(3)}, headers=auth)
        from_the_start = await api.get("/events", headers=auth)
    await app.state.event_engine.dispose()
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"
    problem = gone.json()
    assert problem["reason"] == "events_purged" and "30 jours" in problem["detail"]
    assert "ne sont plus conservés" in problem["detail"]
    assert [e["id"] for e in just_before.json()["events"]] == [e["id"] for e in from_the_start.json()["events"]]
    assert len(from_the_start.json()["events"]) == 1


def test_a_ledger_retention_shorter_than_its_readers_is_refused_naming_the_setting(settings):
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, delivery_retention="PT12H")
    assert refused.value.errors()[0]["loc"] == ("delivery_retention",)
    assert "au moins P1D" in str(refused.value)
    with pytest.raises(ValidationError, match="au moins P3D"):
        Settings(_env_file=None, journey_idle_lifetime="P3D", delivery_retention="P2D")
