"""Abuse limits across journeys: messages per destination (SMS pumping, mail bombing) and failed
tries per account (ASVS 2.2.1), each refusal saying when the action is possible again."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import MessageDelivery
from parcours.messaging.courier import DestinationLimitReached
from parcours.messaging.providers import OutgoingMessage
from parcours.testing import running_parcours
from tests.activation_helpers import CAMILLE_SMS, at_code_step
from tests.test_codes_and_courier import NOW
from tests.waiting import settled

COOLDOWN = timedelta(seconds=61)


@pytest.fixture
def limited(settings):
    return settings.model_copy(update={"sms_per_destination_per_hour": 2, "sms_per_destination_per_day": 3,
                                       "account_failed_tries_per_hour": 3})


async def test_a_number_gets_at_most_n_sms_an_hour_across_journeys(time_env, limited, inbox):
    """The limit counts every journey's SMS to the number; the refusal says when, changes nothing
    (the code already sent still works), and lifts after the hour."""
    async with running_parcours(time_env.client, limited, update_with_start=False) as (parcours, _):
        journey = await at_code_step(parcours)
        first_sent_at = (await journey.current_step()).deadlines.code_expires_at - timedelta(minutes=30)
        await time_env.sleep(COOLDOWN)
        assert (await journey.resend_code()).status == "accepted"
        await time_env.sleep(COOLDOWN)
        with pytest.raises(JourneyActionRejected) as refused:
            await journey.resend_code()
        assert refused.value.reason == "destination_limited"
        assert refused.value.retry_at == first_sent_at + timedelta(hours=1)
        assert "Trop de messages" in refused.value.message
        paris = refused.value.retry_at.astimezone(ZoneInfo("Europe/Paris"))  # the user's zone, not UTC
        assert f"à partir de {paris:%H:%M}." in refused.value.message and "UTC" not in refused.value.message
        assert len(inbox.messages()) == 2
        other, _ = await parcours.start_activation(None)
        with pytest.raises(JourneyActionRejected) as refused:
            await other.submit_identity(CAMILLE_SMS)
        assert refused.value.reason == "destination_limited"
        assert (await other.current_step()).state == "identity_to_check"
        assert (await journey.current_step()).state == "code_sent"  # not superseded by a refused journey
        assert (await journey.submit_code(inbox.last_code())).status == "accepted"
        await time_env.sleep(timedelta(hours=1))
        assert (await other.submit_identity(CAMILLE_SMS)).status == "accepted"
        assert len(inbox.messages()) == 3


async def test_recovery_under_the_limit_answers_the_same_and_sends_nothing(time_env, limited, inbox):
    """R-REC-7 holds under the limit: the same answer and step (a decoy code), no SMS, no refusal
    that would tell a stranger the identifier has a mobile."""
    async with running_parcours(time_env.client, limited, update_with_start=False) as (parcours, _):
        for _ in range(2):
            journey, outcome = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
            assert (await settled(journey)).state == "code_sent"
        journey, limited_outcome = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
        assert limited_outcome.status == outcome.status and limited_outcome.message == outcome.message
        assert (await settled(journey)).state == "code_sent"
        assert len(inbox.messages()) == 2


async def test_failed_tries_per_account_count_codes_and_passwords_together(time_env, limited, inbox):
    """Wrong passwords and wrong codes, in any journeys, share the account's hourly budget; once
    spent, even the right secret is refused (a guesser learns nothing) until the hour ends."""
    async with running_parcours(time_env.client, limited, update_with_start=False) as (parcours, _):
        for _ in range(2):
            assert (await parcours.sign_in("s.bernard1", "Pas-Le-Bon-1!")).status == "invalid"
        journey, _ = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
        await settled(journey)
        code = inbox.last_code()
        assert (await journey.submit_code("000000" if code != "000000" else "111111")).status == "code_incorrect"
        with pytest.raises(JourneyActionRejected) as refused:
            await journey.submit_code(code)
        assert refused.value.reason == "too_many_tries" and refused.value.retry_at is not None
        assert "Trop de tentatives infructueuses" in refused.value.message
        signed_in = await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)
        assert signed_in.status == "locked" and signed_in.retry_at == refused.value.retry_at
        assert (await journey.current_step()).code_tries_left == 4  # the refused try was not judged
        await time_env.sleep(timedelta(hours=1))
        assert (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).status == "signed_in"


# -- the courier alone ----------------------------------------------------------------------------

def sms(key: str, to: str = "+33612345678") -> OutgoingMessage:
    return OutgoingMessage(key, "sms", to, "EduConnect")


async def test_courier_counts_per_hour_and_per_day_and_never_refuses_a_retry(limited):
    from parcours.activities.dependencies import ActivityDependencies
    from parcours.testing import prepare_schema

    deps = ActivityDependencies.from_settings(limited)
    await prepare_schema(deps, fresh=True)
    courier = deps.courier
    try:
        assert await courier.send_once(sms("j/1"), "t", NOW)
        assert await courier.send_once(sms("j/2"), "t", NOW + timedelta(minutes=10))
        assert not await courier.send_once(sms("j/2"), "t", NOW + timedelta(minutes=50))  # a retry: never refused
        with pytest.raises(DestinationLimitReached) as hourly:
            await courier.send_once(sms("j/3"), "t", NOW + timedelta(minutes=30))
        assert hourly.value.retry_at == NOW + timedelta(hours=1)
        assert await courier.send_once(sms("k/1", to="+33700000000"), "t", NOW)  # another number
        assert await courier.send_once(OutgoingMessage("m/1", "mail", "+33612345678", "x"), "t", NOW)  # another channel
        assert await courier.send_once(sms("j/3"), "t", NOW + timedelta(hours=1, minutes=5))
        later = NOW + timedelta(hours=2)
        assert await courier.send_once(sms("n/1"), "notice", later, limited=False)  # notices always go…
        with pytest.raises(DestinationLimitReached) as daily:  # …but count: 4 today (3 allowed)
            await courier.send_once(sms("j/4"), "t", NOW + timedelta(hours=3))
        assert daily.value.retry_at == NOW + timedelta(minutes=10, days=1)
        async with deps.sessions() as session:
            keys = (await session.scalars(select(MessageDelivery.idempotency_key))).all()
        assert "j/4" not in keys  # a refused message leaves no ledger row
    finally:
        await deps.engine.dispose()
