"""Codes in the database and the courier, without Temporal (activities called directly)."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from parcours.activities.codes import CodeActivities
from parcours.contracts.activities import CheckCodeRequest, CodeCheckStatus, CodePurpose, SendCodeRequest
from parcours.db.models import Account, MessageDelivery, VerificationCode
from parcours.messaging.providers import (
    HttpSmsProvider,
    OutgoingMessage,
    PermanentSendError,
    SmtpMailProvider,
    TransientSendError,
)
from parcours.security.crypto import derive_code, message_reference
from parcours.testing import demo_dependencies
from tests.receivers import SmsGateway, SmtpServer

SECRET = b"providers-test-key"

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
async def dependencies(settings):
    async with demo_dependencies(settings) as deps:
        yield deps


async def camille_ref(deps) -> str:
    async with deps.sessions() as session:
        return await session.scalar(select(Account.ref).where(Account.identifier == "c.martin1"))


def send_request(account_ref, sequence=1, journey_id="activation/test", issued_at=NOW):
    return SendCodeRequest(journey_id=journey_id, sequence=sequence, purpose=CodePurpose.ACTIVATION,
                           account_ref=account_ref, channel="sms", issued_at=issued_at,
                           expires_at=issued_at + timedelta(minutes=30), max_wrong_tries=5)


def the_code(deps, code_id) -> str:
    return derive_code(deps.secret_key, code_id, deps.code_digits)


async def test_code_record_expiry_uses_the_wall_clock_when_no_time_is_given(dependencies):
    """R-ACT-3: valid 30 min from its sending — the record's own check, outside any workflow."""
    codes = CodeActivities(dependencies)
    issued = await ActivityEnvironment().run(codes.send_verification_code,
                                             send_request(await camille_ref(dependencies)))
    async with dependencies.sessions() as session:
        record = await session.get(VerificationCode, issued.code_id)
    with freeze_time(NOW + timedelta(minutes=29, seconds=59)):
        assert not record.is_expired()
    with freeze_time(NOW + timedelta(minutes=30)):
        assert record.is_expired()


async def test_a_retried_send_sends_once_and_issues_one_code(dependencies, inbox):
    """Idempotent sends: the same key twice (an activity retry) gives one message, one code."""
    codes = CodeActivities(dependencies)
    request = send_request(await camille_ref(dependencies))
    first = await ActivityEnvironment().run(codes.send_verification_code, request)
    again = await ActivityEnvironment().run(codes.send_verification_code, request)
    assert first == again and len(inbox.messages()) == 1
    async with dependencies.sessions() as session:
        assert len((await session.scalars(select(VerificationCode))).all()) == 1
        delivery = (await session.scalars(select(MessageDelivery))).one()
    assert delivery.status == "sent" and delivery.attempts == 2


async def test_crash_after_the_provider_accepted_does_not_send_twice(dependencies, inbox, monkeypatch):
    """A worker dying between the provider's acceptance and the ledger update: the retry repeats
    the very same message under the same key, which the sink drops."""
    codes = CodeActivities(dependencies)
    request = send_request(await camille_ref(dependencies))
    original = dependencies.courier.providers["sms"].send

    async def send_then_crash(message):
        await original(message)
        raise ConnectionResetError("worker killed")

    monkeypatch.setattr(dependencies.courier.providers["sms"], "send", send_then_crash)
    with pytest.raises(ConnectionResetError):
        await ActivityEnvironment().run(codes.send_verification_code, request)
    monkeypatch.setattr(dependencies.courier.providers["sms"], "send", original)
    await ActivityEnvironment().run(codes.send_verification_code, request)
    assert len(inbox.messages()) == 1


async def test_a_crash_before_the_code_is_written_leaves_no_reservation(dependencies, inbox, monkeypatch):
    """The ledger's reservation and the code commit together: a worker dying after the
    reservation, before the code, leaves neither; the retry reserves, writes and sends once."""
    codes = CodeActivities(dependencies)
    request = send_request(await camille_ref(dependencies))

    async def crash(*arguments, **options):
        raise ConnectionResetError("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr("parcours.activities.codes.issue_code", crash)
        with pytest.raises(ConnectionResetError):
            await ActivityEnvironment().run(codes.send_verification_code, request)
    async with dependencies.sessions() as session:
        assert (await session.scalars(select(MessageDelivery))).all() == []
    issued = await ActivityEnvironment().run(codes.send_verification_code, request)
    async with dependencies.sessions() as session:
        delivery = (await session.scalars(select(MessageDelivery))).one()
        assert (await session.scalars(select(VerificationCode.id))).all() == [issued.code_id]
    assert delivery.status == "sent" and delivery.attempts == 1 and len(inbox.messages()) == 1


async def test_new_code_voids_the_previous_one(dependencies):
    """R-ACT-3: a new code voids the previous one."""
    codes = CodeActivities(dependencies)
    ref = await camille_ref(dependencies)
    first = await ActivityEnvironment().run(codes.send_verification_code, send_request(ref, 1))
    await ActivityEnvironment().run(codes.send_verification_code, send_request(ref, 2))
    check = await ActivityEnvironment().run(codes.check_verification_code, CheckCodeRequest(
        code_id=first.code_id, attempt_key="a1", attempt=the_code(dependencies, first.code_id), now=NOW))
    assert check.status is CodeCheckStatus.VOID


async def test_two_concurrent_submissions_consume_a_code_once(dependencies):
    """A code cannot be used twice, even by two submissions at the same moment."""
    codes = CodeActivities(dependencies)
    issued = await ActivityEnvironment().run(codes.send_verification_code,
                                             send_request(await camille_ref(dependencies)))
    code = the_code(dependencies, issued.code_id)

    async def submit(key):
        for _ in range(20):  # SQLite may answer "locked" to the loser: the activity would be retried
            try:
                request = CheckCodeRequest(code_id=issued.code_id, attempt_key=key, attempt=code, now=NOW)
                return await ActivityEnvironment().run(codes.check_verification_code, request)
            except Exception as error:
                if "locked" not in str(error):
                    raise
                await asyncio.sleep(0.05)

    results = await asyncio.gather(submit("k1"), submit("k2"))
    assert sorted(result.status for result in results) == ["accepted", "void"]


async def test_a_retried_check_gives_the_same_answer_and_counts_once(dependencies):
    codes = CodeActivities(dependencies)
    issued = await ActivityEnvironment().run(codes.send_verification_code,
                                             send_request(await camille_ref(dependencies)))
    wrong = "000000" if the_code(dependencies, issued.code_id) != "000000" else "111111"
    request = CheckCodeRequest(code_id=issued.code_id, attempt_key="same", attempt=wrong, now=NOW)
    first = await ActivityEnvironment().run(codes.check_verification_code, request)
    again = await ActivityEnvironment().run(codes.check_verification_code, request)
    assert first == again and first.tries_left == 4
    right = CheckCodeRequest(code_id=issued.code_id, attempt_key="ok", attempt=the_code(dependencies, issued.code_id),
                             now=NOW)
    assert (await ActivityEnvironment().run(codes.check_verification_code, right)).status is CodeCheckStatus.ACCEPTED
    assert (await ActivityEnvironment().run(codes.check_verification_code, right)).status is CodeCheckStatus.ACCEPTED


async def test_check_after_expiry_says_expired(dependencies):
    """R-ACT-5"""
    codes = CodeActivities(dependencies)
    issued = await ActivityEnvironment().run(codes.send_verification_code,
                                             send_request(await camille_ref(dependencies)))
    late = CheckCodeRequest(code_id=issued.code_id, attempt_key="late", attempt=the_code(dependencies, issued.code_id),
                            now=NOW + timedelta(minutes=30))
    assert (await ActivityEnvironment().run(codes.check_verification_code, late)).status is CodeCheckStatus.EXPIRED


async def test_sms_gateway_any_2xx_is_success_5xx_is_retried_4xx_is_final():
    message = OutgoingMessage("activation/x/code/1", "sms", "+33612345678", "code 123456")
    with SmsGateway(success_status=202) as gateway:
        provider = HttpSmsProvider(gateway.url, gateway.token, "EduConnect", secret_key=SECRET, timeout=5)
        gateway.queued_statuses = [503]
        with pytest.raises(TransientSendError):
            await provider.send(message)
        await provider.send(message)
        await provider.send(message)  # a repeat under the same key
        assert len(gateway.received) == 1
        [sms] = gateway.received  # the key's digest as Idempotency-Key and reference: no journey id leaves
        assert sms["to"] == "+33612345678"
        assert sms["reference"] == sms["key"] == message_reference(SECRET, message.idempotency_key)
        assert "activation" not in sms["key"]
        gateway.queued_statuses = [400]
        with pytest.raises(PermanentSendError):
            await provider.send(message)
    with pytest.raises(TransientSendError):  # gateway gone
        await provider.send(message)


async def test_code_activity_maps_provider_failures(dependencies, settings):
    """A transient failure is retried by Temporal; a permanent one is not."""
    with SmsGateway() as gateway:
        dependencies.courier.providers["sms"] = HttpSmsProvider(gateway.url, gateway.token, "EduConnect",
                                                                secret_key=SECRET, timeout=5)
        codes = CodeActivities(dependencies)
        ref = await camille_ref(dependencies)
        gateway.queued_statuses = [500]
        with pytest.raises(ApplicationError) as failure:
            await ActivityEnvironment().run(codes.send_verification_code, send_request(ref, 1))
        assert not failure.value.non_retryable
        gateway.queued_statuses = [422]
        with pytest.raises(ApplicationError) as failure:
            await ActivityEnvironment().run(codes.send_verification_code, send_request(ref, 2))
        assert failure.value.non_retryable


async def test_smtp_provider_sends_a_real_mail():
    with SmtpServer() as smtp:
        provider = SmtpMailProvider("127.0.0.1", smtp.port, "EduConnect <ne-pas-repondre@educonnect.example>",
                                    secret_key=SECRET, message_id_domain="educonnect.example")
        await provider.send(OutgoingMessage("activation/x/code/1", "mail", "camille.martin@example.org",
                                            "Votre code : 123456", subject="EduConnect : votre code de sécurité"))
    [mail] = smtp.messages
    assert mail["To"] == "camille.martin@example.org"
    assert mail["Subject"] == "EduConnect : votre code de sécurité"
    assert "123456" in mail.get_content()


async def test_smtp_provider_mails_an_internationalized_domain_in_its_ascii_form():
    """A server without SMTPUTF8 (smtplib refuses to ask one) still takes the address."""
    with SmtpServer() as smtp:
        provider = SmtpMailProvider("127.0.0.1", smtp.port, "EduConnect <ne-pas-repondre@educonnect.example>",
                                    secret_key=SECRET, message_id_domain="educonnect.example")
        await provider.send(OutgoingMessage("activation/x/code/1", "mail", "sophie@exämple.fr",
                                            "Votre code : 123456", subject="EduConnect : votre code"))
    [mail] = smtp.messages
    assert mail["To"] == "sophie@xn--exmple-cua.fr"


async def test_a_code_works_only_in_the_run_that_issued_it(dependencies):
    """Two runs under one workflow id (a journey per account, done again): a code of one run is
    void in the other, right digits or not, and the same sequence gives each run its own code."""
    codes, ref = CodeActivities(dependencies), await camille_ref(dependencies)
    first = send_request(ref).model_copy(update={"run": "run-1"})
    second = send_request(ref).model_copy(update={"run": "run-2"})
    issued = await ActivityEnvironment().run(codes.send_verification_code, first)
    right_digits = the_code(dependencies, issued.code_id)

    def check(run, number):
        return CheckCodeRequest(code_id=issued.code_id, attempt_key=f"{run.key_scope}/code-submission/{number}",
                                issued_in=run.key_scope, attempt=right_digits, now=NOW)

    checked = ActivityEnvironment().run
    assert (await checked(codes.check_verification_code, check(second, 1))).status is CodeCheckStatus.VOID
    assert (await checked(codes.check_verification_code, check(first, 1))).status is CodeCheckStatus.ACCEPTED
    assert (await ActivityEnvironment().run(codes.send_verification_code, second)).code_id != issued.code_id


async def test_a_repeated_mail_has_the_same_message_id_made_of_the_key_alone():
    """A repeat (the worker died while the server held DATA) carries the Message-ID of the first
    delivery, so a downstream can drop it; it is the key's keyed digest: no journey id in it."""
    message = OutgoingMessage("activation/x/code/1", "mail", "camille.martin@example.org", "Votre code : 123456",
                              subject="EduConnect : votre code de sécurité")
    with SmtpServer() as smtp:
        provider = SmtpMailProvider("127.0.0.1", smtp.port, "EduConnect <ne-pas-repondre@educonnect.example>",
                                    secret_key=SECRET, message_id_domain="educonnect.example")
        await provider.send(message)
        await provider.send(message)
        await provider.send(OutgoingMessage("activation/x/code/2", "mail", message.to, message.body, message.subject))
    first, repeat, other = (mail["Message-ID"] for mail in smtp.messages)
    assert first == repeat == f"<{message_reference(SECRET, message.idempotency_key)}@educonnect.example>"
    assert other != first and "activation" not in first
