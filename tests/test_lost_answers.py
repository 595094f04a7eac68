"""Answers lost underneath, each a real fault: PostgreSQL commits a merge and the connection drops
before its answer arrives; the worker is SIGKILLed while the SMS gateway and the mail server hold
its request. The retried work recognises its own finished work: one effect per key, and the user
is told what happened. Slow; run in CI like the rest (the PostgreSQL test on SQLite runs too, when
a PostgreSQL server is reachable)."""

import asyncio
import os

import asyncpg
import pytest
from pydantic import SecretStr
from sqlalchemy import func, make_url, select

from parcours import messages
from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_PROVISIONAL_PASSWORD
from parcours.db.models import Account, AccountStatus, LinkEvent, MessageDelivery
from parcours.security.crypto import message_reference
from parcours.testing import TEST_DATABASE_VARIABLE, code_in, running_parcours
from tests.activation_helpers import CAMILLE_SMS
from tests.processes import PostgresCommitDropper
from tests.receivers import SmsGateway, SmtpServer

pytestmark = pytest.mark.slow

# A PostgreSQL database of these tests' own when the suite runs on SQLite (CI has a server there).
FAULT_DATABASE_VARIABLE = "PARCOURS_FAULT_POSTGRES_URL"
FAULT_DATABASE_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/parcours_faults"
REACH_TIMEOUT_S = 3
HOLD_TIMEOUT_S = 30
KARIM_MAIL = {"channel": "mail", "last_name": "Benali", "first_name": "Karim", "email": "karim.benali@example.org"}


@pytest.fixture
async def postgres_url() -> str:
    """The suite's PostgreSQL database if it runs on one, else this module's own (made if missing);
    skipped when no server answers."""
    suite_url = os.environ.get(TEST_DATABASE_VARIABLE, "")
    url = make_url(suite_url if suite_url.startswith("postgresql") else
                   os.environ.get(FAULT_DATABASE_VARIABLE, FAULT_DATABASE_DEFAULT))
    server = dict(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username, password=url.password)
    try:
        connection = await asyncpg.connect(**server, database="postgres", timeout=REACH_TIMEOUT_S)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"no PostgreSQL reachable at {url.host}:{url.port}: {type(error).__name__}")
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", url.database):
            await connection.execute(f'CREATE DATABASE "{url.database}"')
    finally:
        await connection.close()
    return url.render_as_string(hide_password=False)


async def test_merge_whose_commit_answer_is_lost_is_accepted_and_done_once(time_env, settings, postgres_url):
    """R-KID-1: PostgreSQL commits the merge, the connection drops before the answer: the retried
    merge answers « accepted » (not « Identifiant ou mot de passe incorrect »), one merge is done,
    and the other account's password is not counted as wrong."""
    url = make_url(postgres_url)
    proxy = PostgresCommitDropper(url.port or 5432)
    await proxy.restore()
    settings = settings.model_copy(update={"database_url": url.set(host="127.0.0.1", port=proxy.port)
                                           .render_as_string(hide_password=False)})
    try:
        async with running_parcours(time_env.client, settings, update_with_start=False) as (parcours, dependencies):
            account_ref = (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref
            journey = await parcours.start_merge(account_ref)
            proxy.drop_next_commit(after=b"link_events")  # the merge's transaction writes its event
            outcome = await asyncio.wait_for(journey.merge("s.bernard2", DEMO_PROVISIONAL_PASSWORD), timeout=30)
            assert proxy.dropped == 1  # the fault did happen
            assert (outcome.status, outcome.message, outcome.step.state) == ("accepted", messages.MERGE_DONE, "merged")
            async with dependencies.sessions() as session:
                other = await session.scalar(select(Account).where(Account.identifier == "s.bernard2"))
                merge_events = await session.scalar(select(func.count()).select_from(LinkEvent)
                                                    .where(LinkEvent.kind == "links_merged"))
            assert other.status == AccountStatus.MERGED and other.failed_sign_ins == 0 and merge_events == 1
    finally:
        await proxy.cut()


async def test_worker_killed_while_the_gateway_and_the_mail_server_hold_its_sends(settings, worker_in_its_process):
    """The worker is SIGKILLed while the SMS gateway and the mail server hold a code each; they go
    on with it (the SMS taken, the mail delivered). On restart each is sent again with the same
    key: the gateway keeps one SMS, the mail comes twice under one Message-ID, and each journey
    says « code sent » with the code its user did receive."""
    with SmsGateway() as gateway, SmtpServer() as smtp:
        settings = settings.model_copy(update={
            "sms_provider": "http", "sms_gateway_url": gateway.url, "sms_gateway_token": SecretStr(gateway.token),
            "mail_provider": "smtp", "smtp_host": "127.0.0.1", "smtp_port": smtp.port})
        async with worker_in_its_process(settings) as stack:
            parcours, worker = stack.parcours, stack.worker
            gateway.holder.hold_next()
            smtp.holder.hold_next()
            starts = asyncio.gather(parcours.start_activation(CAMILLE_SMS), parcours.start_activation(KARIM_MAIL))
            await asyncio.to_thread(gateway.holder.wait_holding, HOLD_TIMEOUT_S)
            await asyncio.to_thread(smtp.holder.wait_holding, HOLD_TIMEOUT_S)
            worker.kill()
            gateway.holder.release()
            smtp.holder.release()
            worker.start()
            (by_sms, sms_outcome), (by_mail, mail_outcome) = await asyncio.wait_for(starts, timeout=HOLD_TIMEOUT_S)

            secret_key = settings.require_secret_key()

            async def first_code_key(journey) -> str:
                return f"{journey.journey_id}/{(await journey.handle.describe()).run_id}/code/1"

            sms_reference = message_reference(secret_key, await first_code_key(by_sms))
            assert gateway.keys == [sms_reference, sms_reference]  # sent again, under the same key…
            [sms] = gateway.received  # …and kept once
            first, repeat = smtp.messages
            assert first["Message-ID"] == repeat["Message-ID"] == (
                f"<{message_reference(secret_key, await first_code_key(by_mail))}@{settings.mail_message_id_domain}>")
            assert first.get_content() == repeat.get_content()  # the very same mail, the same code
            async with stack.dependencies.sessions() as session:
                ledger = (await session.scalars(select(MessageDelivery))).all()
            assert sorted((d.channel, d.status) for d in ledger) == [("mail", "sent"), ("sms", "sent")]

            for journey, outcome, text in ((by_sms, sms_outcome, sms["text"]),
                                           (by_mail, mail_outcome, first.get_content())):
                assert (outcome.status, outcome.step.state) == ("accepted", "code_sent")
                assert (await journey.submit_code(code_in(text))).step.state == "children_to_confirm"
