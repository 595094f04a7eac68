"""Events out (docs/events.md): the relay started by the worker delivers every outbox event to a
real webhook receiver that fails for a while and to a worker killed mid-batch — none lost, each
account's in order, every signature verified by the Standard Webhooks library — and GET /events
serves the same events after an opaque, stable cursor."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from temporalio.client import WorkflowExecutionStatus

from parcours.contracts.events import EVENTS_RELAY_ID
from parcours.db.models import LinkEvent
from parcours.events.outbox import events_after, sequence_new_events
from parcours.events.payload import CURSOR_MAX_LENGTH, BadCursor, EventCursors
from parcours.events.webhooks import signed_headers
from parcours.settings import EventWebhook
from tests.receivers import WebhookReceiver

ACCOUNTS = [f"acc-events-{n}" for n in range(4)]
EVENTS_PER_ACCOUNT = 12
FAILURES_FIRST = 2  # the receiver answers 500 to the first calls (each retry waits ~1 s: the server rounds up)
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def relay_settings(settings, receiver: WebhookReceiver):
    return settings.model_copy(update={
        "event_webhooks": [EventWebhook(name="ent", url=receiver.url, secret=SECRET)],
        "event_poll_interval": timedelta(milliseconds=200), "event_batch_size": 5,
        "event_retry_initial": timedelta(milliseconds=200), "event_retry_maximum": timedelta(seconds=1),
        "event_relay_step_timeout": timedelta(seconds=8), "event_relay_heartbeat_timeout": timedelta(seconds=3),
        "event_delivery_timeout": timedelta(seconds=2),
        # A killed worker held the relay's and the subscriber's next workflow tasks for the SDK's 10 s.
        "worker_sticky_queue_timeout": timedelta(seconds=1)})


async def write_events(dependencies, count_per_account: int, first: int = 0) -> list[LinkEvent]:
    """As journeys do: each in its own transaction, the accounts' events interleaved."""
    written = []
    for index in range(first, first + count_per_account):
        for account in ACCOUNTS:
            async with dependencies.sessions.begin() as session:
                event = LinkEvent(idempotency_key=f"test/{account}/{index}", kind="link_confirmed",
                                  account_ref=account, student_ref=f"stu-{index}", created_at=datetime.now(UTC))
                session.add(event)
            written.append(event)
        await asyncio.sleep(0.02)
    return written


async def until(condition, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        await asyncio.sleep(0.05)


def test_the_signature_is_standard_webhooks_v1():
    """v1,<base64 HMAC-SHA256 of "id.timestamp.body"> under the secret's bytes, as the spec's
    library verifies it and as a service would compute it by hand."""
    sent_at, body = datetime.now(UTC), b'{"type":"link.reported"}'
    headers = signed_headers([SECRET], "evt_1", sent_at, body)
    assert Webhook(SECRET).verify(body, headers) == {"type": "link.reported"}
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = hmac.new(key, f"evt_1.{headers['webhook-timestamp']}.".encode() + body, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body + b" ", headers)


def test_the_cursor_is_opaque_stable_and_unforgeable():
    cursors = EventCursors(b"the service's secret key")
    assert cursors.encode(42) == cursors.encode(42) and "123456789" not in cursors.encode(123456789)
    assert cursors.decode(cursors.encode(42)) == 42 and cursors.decode(None) == 0
    assert cursors.decode(cursors.encode(10**15)) == 10**15  # within the query's bound
    assert len(cursors.encode(10**15)) <= CURSOR_MAX_LENGTH
    # A made-up position (the base64 of « p99999 », the unsigned form), another deployment's cursor
    # (another key), one altered: all refused, none read as a position.
    forged = ("42", "!!", "cDk5OTk5", EventCursors(b"another deployment").encode(42),
              cursors.encode(1)[:-1] + "A", cursors.encode(1)[:-1] + "%")
    for bad in forged:
        with pytest.raises(BadCursor):
            cursors.decode(bad)


async def test_every_event_delivered_in_order_per_account_through_failures_and_a_killed_worker(
        settings, worker_in_its_process):
    with WebhookReceiver(delay_seconds=0.02) as receiver:
        receiver.queued_statuses = [500] * FAILURES_FIRST
        async with worker_in_its_process(relay_settings(settings, receiver)) as stack:
            writing = asyncio.create_task(write_events(stack.dependencies, EVENTS_PER_ACCOUNT))
            await until(lambda: len(receiver.taken) >= len(ACCOUNTS) * 2, 60, "first deliveries")
            receiver.holder.hold_next()  # mid-batch: the worker waits for an answer ...
            await asyncio.to_thread(receiver.holder.wait_holding, 30)
            stack.worker.kill()  # ... and dies without it
            receiver.holder.release()  # the receiver takes it: the restarted relay sends it again
            written = await writing
            stack.worker.start()
            expected = {f"evt_{event.id}" for event in written}
            await until(lambda: expected <= {h["webhook-id"] for h, _ in receiver.taken}, 120, "every event")
            relays = [w async for w in stack.client.list_workflows(f"WorkflowId = '{EVENTS_RELAY_ID}'")]
            assert [w.status for w in relays if w.status == WorkflowExecutionStatus.RUNNING] == [
                WorkflowExecutionStatus.RUNNING]  # one relay, the same across the restart
            account_of = await accounts_of_events(stack.dependencies)
    assert receiver.requests >= FAILURES_FIRST + len(expected)
    taken_ids = [headers["webhook-id"] for headers, _ in receiver.taken]
    assert len(taken_ids) > len(set(taken_ids))  # the held one at least: at least once, deduplicable
    assert_verified_in_order_per_account(receiver.taken, account_of)


async def accounts_of_events(dependencies) -> dict[str, tuple[str, int]]:
    async with dependencies.sessions() as session:
        return {f"evt_{e.id}": (e.account_ref, e.id) for e in (await session.scalars(select(LinkEvent))).all()}


def assert_verified_in_order_per_account(taken, account_of: dict[str, tuple[str, int]], secret: str = SECRET) -> None:
    """Every signature verifies, and no account's event came before an earlier one of its own."""
    delivered_before: dict[str, set[int]] = defaultdict(set)
    for headers, body in taken:
        document = Webhook(secret).verify(body, headers)
        account, row_id = account_of[headers["webhook-id"]]
        assert document["id"] == headers["webhook-id"] and document["data"]["account_ref"] == account
        assert set(document) == {"id", "type", "timestamp", "data"}
        earlier = {i for e, (a, i) in account_of.items() if a == account and i < row_id}
        assert earlier <= delivered_before[account], "an account's event delivered before an earlier one"
        delivered_before[account].add(row_id)


async def test_the_pull_feed_pages_the_same_events_after_a_stable_cursor(settings, worker_in_its_process):
    from parcours.http_api.app import create_app

    token = "feed-token"
    with WebhookReceiver() as receiver:
        stack_settings = relay_settings(settings, receiver).model_copy(update={"http_api_token": SecretStr(token)})
        async with worker_in_its_process(stack_settings) as stack:
            written = await write_events(stack.dependencies, 2)
            await until(lambda: len(receiver.taken) >= len(written), 60, "sequenced and delivered")
            app = create_app(stack.settings, stack.parcours)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as api:
                assert (await api.get("/events")).status_code == 401
                auth = {"Authorization": f"Bearer {token}"}
                first = (await api.get("/events", params={"limit": 3}, headers=auth)).json()
                rest = (await api.get("/events", params={"after": first["next_cursor"]}, headers=auth)).json()
                again = (await api.get("/events", params={"limit": 3}, headers=auth)).json()
                empty = (await api.get("/events", params={"after": rest["next_cursor"]}, headers=auth)).json()
                bad = await api.get("/events", params={"after": "not-ours"}, headers=auth)
                made_up = await api.get("/events", params={"after": "cDk5OTk5"}, headers=auth)
            await app.state.event_engine.dispose()
    assert again == first  # stable: the same cursor, the same page
    fed = [event["id"] for event in first["events"] + rest["events"]]
    assert fed == [json.loads(body)["id"] for _, body in receiver.taken]  # the webhooks' order and ids
    assert fed == [f"evt_{event.id}" for event in written]
    assert empty == {"events": [], "next_cursor": rest["next_cursor"]}
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid_cursor"
    assert made_up.status_code == 422 and made_up.json()["reason"] == "invalid_cursor"


async def test_an_event_committed_late_under_a_lower_id_is_not_skipped(harness):
    """Ids are taken before commits: a row committed after others were relayed may hold a lower id.
    Positions follow commits, so a reader after the relayed ones still gets it."""
    _, dependencies = harness
    now = datetime.now(UTC)

    async def write(row_id: int) -> None:
        async with dependencies.sessions.begin() as session:
            session.add(LinkEvent(id=row_id, idempotency_key=f"late/{row_id}", kind="link_reported",
                                  account_ref="acc-late", student_ref=None, created_at=now))

    await write(20)
    assert await sequence_new_events(dependencies.sessions, 10, now) == 1
    async with dependencies.sessions() as session:
        cursor = (await events_after(session, 0, 10))[-1].position
    await write(10)  # the transaction that took id 10 commits now
    await sequence_new_events(dependencies.sessions, 10, now)
    async with dependencies.sessions() as session:
        assert [e.id for e in await events_after(session, cursor, 10)] == [10]
