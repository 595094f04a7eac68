"""The SMS gateway failing for a while: sends are retried with backoff and go out once it is back;
past the send budget the message is marked abandoned and the user is told (no silent loss)."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import MessageDelivery
from parcours.security.crypto import message_reference
from parcours.testing import running_parcours
from tests.activation_helpers import CAMILLE_SMS
from tests.receivers import SmsGateway, SmtpServer
from tests.waiting import settled


@pytest.fixture
def gateway():
    with SmsGateway(success_status=202) as gateway:  # any 2xx is success
        yield gateway


@pytest.fixture
def over_http(settings, gateway):
    return settings.model_copy(update={
        "sms_provider": "http", "sms_gateway_url": gateway.url, "sms_gateway_token": SecretStr(gateway.token),
        "provider_timeout": timedelta(seconds=1), "message_send_budget": timedelta(seconds=4)})


async def ledger(dependencies) -> list[MessageDelivery]:
    async with dependencies.sessions() as session:
        return list((await session.scalars(select(MessageDelivery))).all())


async def test_gateway_down_for_a_while_the_code_goes_out_once_it_is_back(time_env, over_http, gateway):
    async with running_parcours(time_env.client, over_http, update_with_start=False) as (parcours, dependencies):
        gateway.hang_next, gateway.hang_seconds = 1, 1.5  # a time-out first…
        gateway.queued_statuses = [503, 500]  # …then two server errors
        journey, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert outcome.status == "accepted" and outcome.step.state == "code_sent"
        assert gateway.requests == 4 and len(gateway.received) == 1
        assert gateway.received[0]["to"] == "+33612345678"
        [delivery] = await ledger(dependencies)
        assert delivery.status == "sent" and delivery.attempts == 4


CODE_NOT_SENT = "Le code n'a pas pu être envoyé. Réessayez avec « Renvoyer le code »."


def sent_code(gateway) -> str:
    return re.search(r"\b(\d{6})\b", gateway.received[-1]["text"]).group(1)


async def past_the_budget_then_back(gateway, dependencies, journey, outcome, code_state="code_sent"):
    """The outage outlasted the send budget: the user stays at the code step, told to resend,
    with no cooldown to wait; once the gateway is back the resend sends a new code, under a new
    key, that works (the abandoned one was voided by it)."""
    assert outcome.status == "send_failed" and outcome.message == CODE_NOT_SENT
    assert outcome.step.state == "code_not_sent" and "resend_code" in outcome.step.expected_input
    assert "submit_code" not in outcome.step.expected_input
    assert outcome.step.deadlines.resend_available_at is None
    abandoned = {d.idempotency_key for d in await ledger(dependencies)
                 if d.status == "abandoned" and d.idempotency_key.startswith(journey.journey_id)}
    assert len(abandoned) == 1
    received_before = len(gateway.received)
    gateway.queued_statuses = []  # back
    resent = await journey.resend_code()
    assert resent.status == "accepted" and resent.step.state == "code_sent"
    # the gateway is sent the key's digest (parcours.security.crypto.message_reference), not the key
    by_reference = {message_reference(dependencies.secret_key, d.idempotency_key): d
                    for d in await ledger(dependencies)}
    resent_delivery = by_reference[gateway.received[-1]["key"]]
    assert len(gateway.received) == received_before + 1 and resent_delivery.idempotency_key not in abandoned
    assert resent_delivery.status == "sent"
    assert all(d.status == "abandoned" for d in by_reference.values() if d.idempotency_key in abandoned)
    accepted = await journey.submit_code(sent_code(gateway))
    assert accepted.status == "accepted" and accepted.step.state != code_state


async def test_gateway_down_past_the_budget_the_user_stays_at_the_code_step(time_env, over_http, gateway):
    async with running_parcours(time_env.client, over_http, update_with_start=False) as (parcours, dependencies):
        gateway.queued_statuses = [503] * 1000
        journey, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert gateway.received == [] and gateway.requests > 2
        await past_the_budget_then_back(gateway, dependencies, journey, outcome)


async def test_a_resend_past_the_budget_keeps_the_code_step_for_a_reset_and_a_mobile_change(
        time_env, over_http, gateway):
    """Password reset by SMS and mobile change: a resend (or the first code) that cannot go out
    keeps the user at the code step, resend allowed."""
    async with running_parcours(time_env.client, over_http, update_with_start=False) as (parcours, dependencies):
        reset, _ = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
        assert (await settled(reset)).state == "code_sent"
        await time_env.sleep(timedelta(minutes=1, seconds=1))  # past the resend cooldown
        gateway.queued_statuses = [503] * 1000
        await past_the_budget_then_back(gateway, dependencies, reset, await reset.resend_code())
        account_ref = (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref
        mobile = await parcours.mobile_change(account_ref)
        gateway.queued_statuses = [503] * 1000
        await past_the_budget_then_back(gateway, dependencies, mobile, await mobile.request_change("07 81 22 33 44"))


LINK_NOT_SENT = "Le mail n'a pas pu être envoyé. Réessayez avec « Renvoyer le mail »."


def mail_server_down(settings):
    """Settings whose mail server is a free port nobody listens on (yet): the port, the settings."""
    with SmtpServer() as smtp:
        port = smtp.port
    return port, settings.model_copy(update={"mail_provider": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port,
                                             "provider_timeout": timedelta(seconds=1),
                                             "message_send_budget": timedelta(seconds=3)})


async def test_mail_server_down_past_the_budget_the_email_change_waits_for_a_resend(time_env, settings):
    """The same for mails: the email-change link past the send budget is `abandoned` and the user
    told so, the address kept pending and « Renvoyer le mail » allowed at once; once the server is
    back the resend sends a new link, under a new key, that confirms the address."""
    port, over_smtp = mail_server_down(settings)
    async with running_parcours(time_env.client, over_smtp, update_with_start=False) as (parcours, dependencies):
        account_ref = (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref
        journey = await parcours.email_change(account_ref)
        outcome = await journey.request_change("sophie.nouvelle@example.org", "sophie.nouvelle@example.org")
        assert (outcome.status, outcome.message) == ("send_failed", LINK_NOT_SENT)
        assert outcome.step.state == "link_not_sent" and "resend_link" in outcome.step.expected_input
        assert outcome.step.new_email == "sophie.nouvelle@example.org"
        [delivery] = await ledger(dependencies)
        assert delivery.status == "abandoned" and delivery.idempotency_key.endswith("/email-link/1")
        with SmtpServer(port=port) as smtp:  # back, on the same port
            resent = await journey.resend_link()
        assert (resent.status, resent.step.state) == ("accepted", "link_sent")
        assert [mail["To"] for mail in smtp.messages] == ["sophie.nouvelle@example.org", "sophie.bernard@example.org"]
        statuses = {"/".join(d.idempotency_key.split("/")[-2:]): d.status for d in await ledger(dependencies)}
        assert statuses == {"email-link/1": "abandoned", "email-link/2": "sent", "email-notice/2": "sent"}
        token = parse_qs(urlparse(re.search(r"http\S+", smtp.messages[0].get_content()).group(0)).query)["jeton"][0]
        assert (await journey.confirm(token, account_ref)).step.state == "confirmed"


async def test_an_email_change_whose_link_never_went_out_drops_the_pending_address_when_abandoned(time_env, settings):
    """R-CON-8: abandoned after a link that could not be sent, the journey leaves the confirmed
    address alone and nothing pending."""
    _, over_smtp = mail_server_down(settings)
    async with running_parcours(time_env.client, over_smtp, update_with_start=False) as (parcours, _):
        account_ref = (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref
        journey = await parcours.email_change(account_ref)
        await journey.request_change("sophie.nouvelle@example.org", "sophie.nouvelle@example.org")
        assert (await parcours.account_view(account_ref)).pending_email == "sophie.nouvelle@example.org"
        await time_env.sleep(over_smtp.journey_idle_lifetime + timedelta(minutes=1))
        assert (await journey.handle.result()).state == "abandoned"  # its last work done
        view = await parcours.account_view(account_ref)
        assert (view.email, view.pending_email) == ("sophie.bernard@example.org", None)
