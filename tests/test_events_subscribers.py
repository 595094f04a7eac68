"""Events out, subscriber by subscriber (docs/events.md): one that does not answer never holds up
another; one that never answers 2xx is held as failing, others unaffected, until an operator
resumes it or skips the event it refuses (`parcours events`); a subscriber with two secrets during
a rotation signs with both, so a receiver with either verifies."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from datetime import timedelta

from standardwebhooks import Webhook
from temporalio.service import RPCError
from typer.testing import CliRunner

from parcours.cli import app
from parcours.contracts.events import STATUS_QUERY, SubscriberStatus, subscriber_workflow_id
from parcours.settings import EventWebhook, get_settings
from tests.receivers import WebhookReceiver
from tests.test_events import (
    ACCOUNTS,
    SECRET,
    accounts_of_events,
    assert_verified_in_order_per_account,
    relay_settings,
    until,
    write_events,
)

OTHER_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
EVENTS_PER_ACCOUNT = 6  # 24 events written while A hangs: several batches of 5
ALWAYS = [500] * 100_000  # a receiver that answers 500 until the test clears its queue


def two_subscribers(settings, a: WebhookReceiver, b: WebhookReceiver, **update):
    hooks = [EventWebhook(name="a", url=a.url, secret=SECRET), EventWebhook(name="b", url=b.url, secret=SECRET)]
    return relay_settings(settings, a).model_copy(update={"event_webhooks": hooks, **update})


def ids(receiver: WebhookReceiver) -> list[str]:
    return [headers["webhook-id"] for headers, _ in receiver.taken]


async def test_a_subscriber_not_answering_does_not_hold_up_another(settings, worker_in_its_process):
    """A fails, then holds a request without answering (a POST that never returns): B gets every
    event meanwhile — which one relay step for both could not do past its first batch — and A,
    once it answers, gets them all, each account's in order."""
    with WebhookReceiver() as a, WebhookReceiver() as b:
        a.queued_statuses = [500, 500]
        a.holder.hold_next()  # its third request: no answer until released
        stack_settings = two_subscribers(settings, a, b, event_delivery_timeout=timedelta(seconds=60),
                                         event_relay_heartbeat_timeout=timedelta(seconds=90),
                                         event_relay_step_timeout=timedelta(seconds=120))
        async with worker_in_its_process(stack_settings) as stack:
            written = await write_events(stack.dependencies, 1)
            await asyncio.to_thread(a.holder.wait_holding, 60)  # A failed twice, then took a request and hangs
            written += await write_events(stack.dependencies, EVENTS_PER_ACCOUNT, first=1)  # then more
            expected = [f"evt_{event.id}" for event in written]
            await until(lambda: set(expected) <= set(ids(b)), 60, "B gets every event")
            assert a.taken == [] and a.requests == 3  # A still holds its third request, unanswered
            a.holder.release()
            await until(lambda: set(expected) <= set(ids(a)), 60, "A gets every event once it answers")
            account_of = await accounts_of_events(stack.dependencies)
    assert ids(b) == expected  # B: each event once, in position order
    assert_verified_in_order_per_account(a.taken, account_of)


def cli(stack_settings, *arguments: str):
    get_settings.cache_clear()  # the command reads this stack's settings
    try:
        return CliRunner().invoke(app, list(arguments), env={**stack_settings.environment(), "COLUMNS": "200"})
    finally:
        get_settings.cache_clear()


async def test_a_subscriber_never_answering_is_held_until_an_operator_resumes_or_skips(
        settings, worker_in_its_process):
    with WebhookReceiver() as a, WebhookReceiver() as b:
        a.queued_statuses = list(ALWAYS)
        stack_settings = two_subscribers(settings, a, b, event_subscriber_give_up_after=timedelta(seconds=1))
        async with worker_in_its_process(stack_settings) as stack:
            written = await write_events(stack.dependencies, 2)
            expected = [f"evt_{event.id}" for event in written]
            handle = stack.client.get_workflow_handle(subscriber_workflow_id("a"))

            async def held() -> bool:
                try:
                    return (await handle.query(STATUS_QUERY, result_type=SubscriberStatus)).failing is not None
                except RPCError:  # not started yet: the worker is starting
                    return False

            await until_async(held, 60, "A held as failing")
            status = await asyncio.to_thread(cli, stack.settings, "--json", "events", "status")
            refused = await asyncio.to_thread(cli, stack.settings, "events", "resume", "b")
            unknown = await asyncio.to_thread(cli, stack.settings, "events", "skip", "c")
            skipped = await asyncio.to_thread(cli, stack.settings, "--json", "events", "skip", "a")
            await until_async(held, 60, "A held again: it still answers 500")
            a.queued_statuses.clear()  # the service is fixed
            resumed = await asyncio.to_thread(cli, stack.settings, "events", "resume", "a")
            await until(lambda: set(expected[1:]) <= set(ids(a)), 60, "A gets the others once resumed")
            await until(lambda: set(expected) <= set(ids(b)), 60, "B gets every event")
            assert not await held()
    shown = {line["subscriber"]: line for line in json.loads(status.stdout)}
    assert shown["a"]["failing"] == "WebhookFailing: webhook not taking events: a: HTTP 500", status.stdout
    assert shown["a"]["backlog"] == len(expected) and shown["b"]["failing"] is None
    assert refused.exit_code == 4 and "« b » n'est pas en échec" in refused.stderr, refused.output
    assert unknown.exit_code == 2 and "Abonné inconnu : « c »" in unknown.stderr, unknown.output
    assert skipped.exit_code == 0 and json.loads(skipped.stdout)["event_id"] == expected[0], skipped.output
    assert resumed.exit_code == 0, resumed.output
    assert ids(a) == expected[1:]  # all but the skipped one, in order, none lost
    assert ids(b) == expected  # never held up by A


async def until_async(condition, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        await asyncio.sleep(0.1)


async def test_during_a_rotation_a_receiver_with_either_secret_verifies(settings, worker_in_its_process):
    with WebhookReceiver() as receiver:
        rotating = EventWebhook(name="ent", url=receiver.url, secret=[OTHER_SECRET, SECRET])
        async with worker_in_its_process(relay_settings(settings, receiver).model_copy(
                update={"event_webhooks": [rotating]})) as stack:
            written = await write_events(stack.dependencies, 1)
            await until(lambda: len(receiver.taken) >= len(written), 60, "delivered")
    for headers, body in receiver.taken:
        assert len(headers["webhook-signature"].split(" ")) == 2  # one signature per secret
        assert Webhook(SECRET).verify(body, headers) == Webhook(OTHER_SECRET).verify(body, headers)
    assert len(receiver.taken) == len(ACCOUNTS)
