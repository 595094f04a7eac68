"""The SMS gateway failing for a while: sends are retried with backoff and go out once it is back;
past the send budget the message is marked abandoned and the user is told (no silent loss)."""

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import MessageDelivery
from parcours.testing import running_parcours
from tests.activation_helpers import CAMILLE_SMS
from tests.receivers import SmsGateway, SmtpServer


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


async def test_gateway_down_past_the_budget_the_message_is_abandoned_and_the_user_told(time_env, over_http, gateway):
    async with running_parcours(time_env.client, over_http, update_with_start=False) as (parcours, dependencies):
        gateway.queued_statuses = [503] * 1000
        journey, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert outcome.status == "send_failed"
        assert outcome.message == "Le message n'a pas pu être envoyé. Veuillez réessayer dans quelques minutes."
        assert outcome.step.state == "identity_to_check"  # the user may try again
        assert gateway.received == [] and gateway.requests > 2
        [delivery] = await ledger(dependencies)
        assert delivery.status == "abandoned"
        gateway.queued_statuses = []  # back: trying again sends the same logical message, once
        assert (await journey.submit_identity(CAMILLE_SMS)).status == "accepted"
        assert len(gateway.received) == 1
        [delivery] = await ledger(dependencies)
        assert delivery.status == "sent"


async def test_mail_server_down_past_the_budget_the_link_is_abandoned_and_the_request_refused(time_env, settings):
    """The same for mails: the email-change link past the send budget is `abandoned`, the request
    refused with `send_failed`, the journey still at its first step; once the server is back,
    asking again sends the very same link, once."""
    with SmtpServer() as smtp:
        port = smtp.port
    over_smtp = settings.model_copy(update={"mail_provider": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port,
                                            "provider_timeout": timedelta(seconds=1),
                                            "message_send_budget": timedelta(seconds=3)})
    async with running_parcours(time_env.client, over_smtp, update_with_start=False) as (parcours, dependencies):
        account_ref = (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref
        journey = await parcours.email_change(account_ref)
        with pytest.raises(JourneyActionRejected) as refused:
            await journey.request_change("sophie.nouvelle@example.org", "sophie.nouvelle@example.org")
        assert refused.value.reason == "send_failed"
        assert (await journey.current_step()).state == "change_to_request"
        [delivery] = await ledger(dependencies)
        assert delivery.status == "abandoned" and delivery.idempotency_key.endswith("/email-link/1")
        with SmtpServer(port=port) as smtp:  # back, on the same port
            assert (await journey.request_change("sophie.nouvelle@example.org",
                                                 "sophie.nouvelle@example.org")).status == "accepted"
        assert [mail["To"] for mail in smtp.messages] == ["sophie.nouvelle@example.org", "sophie.bernard@example.org"]
        statuses = {d.idempotency_key.rsplit("/", 2)[-2]: d.status for d in await ledger(dependencies)}
        assert statuses == {"email-link": "sent", "email-notice": "sent"}
