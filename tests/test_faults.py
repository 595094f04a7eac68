"""Faults, each a real one: the worker SIGKILLed at random points of a batch of journeys, the
Temporal dev server restarted mid-journey, the database out of reach for a while. Nothing lost,
nothing sent twice. Slow (a minute or two in all); run in CI like the rest."""

import asyncio
import os
import random
import time
from datetime import date
from urllib.parse import urlparse

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from parcours.activities.dependencies import ActivityDependencies
from parcours.client import ParcoursClient
from parcours.db.models import Account, MessageDelivery
from parcours.db.school_records import GuardianImport, StudentImport, import_guardian
from parcours.security.crypto import message_reference
from parcours.testing import Inbox, code_in, running_parcours
from tests.activation_helpers import CAMILLE_SMS, GOOD_PASSWORD, LEA, at_code_step
from tests.processes import TcpProxy, sqlite_locked
from tests.receivers import SmsGateway

pytestmark = pytest.mark.slow

FIRST_NAMES = ["Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules"]
KILLS = 5
SEED = int(os.environ.get("PARCOURS_FAULT_SEED", time.time()))


def mobile(index: int) -> str:
    return f"+3361000{index:04d}"


async def add_guardians(dependencies: ActivityDependencies) -> None:
    """Guardians enough for a batch, each with one child."""
    async with dependencies.sessions.begin() as session:
        for index, first_name in enumerate(FIRST_NAMES):
            await import_guardian(session, GuardianImport(
                last_name="Essai", first_name=first_name, mobile=mobile(index),
                students=[StudentImport(ref=f"stu-essai-{index}", last_name="Essai", first_name="Petit",
                                        birth_date=date(2014, 1, 1 + index), school="École", class_name="CM1")]))


async def code_sent_to(gateway: SmsGateway, number: str) -> str:
    for _ in range(3000):
        for message in gateway.received:
            if message["to"] == number:
                return code_in(message["text"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no SMS to {number}")


async def activate(parcours: ParcoursClient, gateway: SmsGateway, index: int) -> str:
    identity = {"channel": "sms", "last_name": "Essai", "first_name": FIRST_NAMES[index], "mobile": mobile(index)}
    journey, outcome = await parcours.start_activation(identity)
    assert outcome.status == "accepted", outcome
    await journey.submit_code(await code_sent_to(gateway, mobile(index)))
    await journey.answer_child({"student_ref": f"stu-essai-{index}", "is_guardian": True,
                                "birth_date": f"{1 + index:02d} 01 2014"})
    outcome = await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    assert outcome.step.state == "activated", outcome
    return journey.journey_id


async def test_worker_killed_at_random_points_every_journey_completes_each_message_once(settings,
                                                                                         worker_in_its_process):
    rng = random.Random(SEED)
    print(f"fault seed {SEED} (PARCOURS_FAULT_SEED to replay)")
    with SmsGateway() as gateway:
        settings = settings.model_copy(update={"sms_provider": "http", "sms_gateway_url": gateway.url,
                                               "sms_gateway_token": SecretStr(gateway.token)})
        async with worker_in_its_process(settings) as stack:
            parcours, worker, dependencies = stack.parcours, stack.worker, stack.dependencies
            await add_guardians(dependencies)

            async def killer():
                for _ in range(KILLS):
                    await asyncio.sleep(rng.uniform(0.5, 4.0))
                    worker.kill()
                    await asyncio.sleep(rng.uniform(0.0, 1.0))
                    worker.start()

            async def staggered(index):
                await asyncio.sleep(rng.uniform(0, 6))
                return await activate(parcours, gateway, index)

            journeys = await asyncio.wait_for(
                asyncio.gather(killer(), *(staggered(i) for i in range(len(FIRST_NAMES)))), timeout=300)
            journey_ids = journeys[1:]
            assert worker.starts == KILLS + 1
            runs = [(await stack.client.get_workflow_handle(journey_id).describe()).run_id
                    for journey_id in journey_ids]
            expected_keys = sorted(f"{journey_id}/{run}/code/1"
                                   for journey_id, run in zip(journey_ids, runs, strict=True))
            references = {message_reference(settings.require_secret_key(), key): key for key in expected_keys}
            assert sorted(references[message["key"]] for message in gateway.received) == expected_keys  # each SMS once
            async with dependencies.sessions() as session:
                ledger = (await session.scalars(select(MessageDelivery))).all()
                statuses = (await session.scalars(select(Account.status)
                                                  .where(Account.identifier.like("%.essai%")))).all()
            assert sorted(d.idempotency_key for d in ledger) == expected_keys
            assert {d.status for d in ledger} == {"sent"}
            assert statuses == ["active"] * len(FIRST_NAMES)
            print(f"{gateway.requests} gateway requests for {len(expected_keys)} messages "
                  f"({gateway.requests - len(expected_keys)} repeats dropped by key)")


async def test_temporal_server_restarted_mid_journey(settings, own_dev_server):
    """The dev server stops and starts again on its SQLite file: the journey goes on where it was."""
    inbox = Inbox(settings.dev_inbox_path)
    async with own_dev_server(settings) as own, running_parcours(own.client, own.settings) as (parcours, _):
        journey = await at_code_step(parcours, CAMILLE_SMS)
        own.server.stop()
        await own.server.start()
        assert (await journey.current_step()).state == "code_sent"
        assert (await journey.submit_code(inbox.last_code())).step.state == "children_to_confirm"
        await journey.answer_child(LEA)
        assert (await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)).step.state == "activated"


async def test_database_out_of_reach_for_a_while_activities_retry_no_journey_fails(time_env, settings, inbox):
    """SQLite: another process holds the file locked past the busy timeout. PostgreSQL: every
    connection cut and refused. The user's action waits, then succeeds."""
    url = urlparse(settings.database_url.replace("+asyncpg", ""))
    proxy = None
    if url.scheme == "postgresql":
        proxy = TcpProxy(url.port or 5432)
        await proxy.restore()
        settings = settings.model_copy(update={"database_url": settings.database_url.replace(
            f"{url.hostname}:{url.port or 5432}" if url.port else url.hostname, f"127.0.0.1:{proxy.port}")})
    async with running_parcours(time_env.client, settings, update_with_start=False) as (parcours, _):
        journey = await at_code_step(parcours, CAMILLE_SMS)
        started = time.monotonic()
        if proxy is not None:
            await proxy.cut()
            submitted = asyncio.create_task(journey.submit_code(inbox.last_code()))
            await asyncio.sleep(6)
            await proxy.restore()
            outcome = await submitted
        else:
            with sqlite_locked(settings.database_url.split(":///", 1)[1], seconds=12):
                outcome = await journey.submit_code(inbox.last_code())
        assert time.monotonic() - started > 5  # it did wait for the database
        assert outcome.step.state == "children_to_confirm"

