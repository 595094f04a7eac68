"""Lost identifier journeys (R-REC-1, R-REC-2, R-REC-5 … R-REC-7) on the time-skipping server."""

import statistics
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr, ValidationError
from temporalio.api.enums.v1 import EventType

from parcours.testing import running_parcours
from tests.receivers import SmsGateway, SmtpServer
from tests.recovery_helpers import SOPHIE
from tests.waiting import settled

# -- lost identifier ----------------------------------------------------------------------------

async def test_identifier_by_mail_for_a_guardian(parcours, inbox):
    """R-REC-1: a confirmed email gets a mail carrying the identifier."""
    journey, outcome = await parcours.start_identifier_recovery(
        {"channel": "mail", "email": "Sophie.Bernard@example.org"})
    assert outcome.status == "accepted"
    assert (await settled(journey)).state == "answered"
    [mail] = inbox.messages()
    assert mail["to"] == "sophie.bernard@example.org" and "s.bernard1" in mail["body"]


async def test_identifier_by_mail_for_a_student(parcours, inbox):
    """R-REC-1: students too."""
    journey, _ = await parcours.start_identifier_recovery({"channel": "mail", "email": "lea.martin@example.org"})
    await settled(journey)
    assert "l.martin1" in inbox.messages()[-1]["body"]


async def test_identifier_by_sms_for_a_guardian(parcours, inbox):
    """R-REC-2: guardians with a confirmed mobile get an SMS."""
    journey, _ = await parcours.start_identifier_recovery({"channel": "sms", "mobile": "06 55 44 33 22"})
    await settled(journey)
    [sms] = inbox.messages()
    assert sms["channel"] == "sms" and sms["to"] == "+33655443322" and "s.bernard1" in sms["body"]


async def test_unconfirmed_or_unknown_contact_gets_the_same_answer_and_nothing_sent(parcours, inbox):
    """R-REC-5 (no confirmed contact: the answer says to contact the school) and R-REC-7 (the same
    answer as for a known address). Camille's school email is not a confirmed account email."""
    known_journey, known = await parcours.start_identifier_recovery(
        {"channel": "mail", "email": "sophie.bernard@example.org"})
    for email in ("camille.martin@example.org", "nobody@example.org"):
        journey, outcome = await parcours.start_identifier_recovery({"channel": "mail", "email": email})
        assert outcome.status == known.status and outcome.message == known.message
        assert outcome.step.model_dump(exclude={"journey_id"}) == known.step.model_dump(exclude={"journey_id"})
        step = await settled(journey)
        known_step = await settled(known_journey)
        assert step.model_dump(exclude={"journey_id"}) == known_step.model_dump(exclude={"journey_id"})
        assert "contactez la direction de l'établissement" in " ".join(step.messages)
    assert len(inbox.messages()) == 1


async def test_franceconnect_account_is_pointed_to_franceconnect(parcours, inbox):
    """R-REC-6: the message tells the account signs in through FranceConnect, with the FAQ."""
    journey, _ = await parcours.start_identifier_recovery({"channel": "mail", "email": "marc.petit@example.org"})
    await settled(journey)
    assert "https://franceconnect.gouv.fr/faq" in inbox.messages()[-1]["body"]


async def test_malformed_requests_name_the_field(parcours):
    with pytest.raises(ValidationError, match="email"):
        await parcours.start_identifier_recovery({"channel": "mail", "email": "pas une adresse"})
    with pytest.raises(ValidationError, match="mobile"):
        await parcours.start_identifier_recovery({"channel": "sms", "mobile": "12"})
    with pytest.raises(ValidationError, match="identifier"):
        await parcours.start_password_reset({"channel": "mail", "identifier": "../admin", "email": "a@b.fr"})


async def test_answer_time_does_not_tell_whether_an_account_exists(parcours, time_env):
    """R-REC-7: the answer is given before any lookup — no activity runs inside the update — and
    the two cases' response times overlap."""
    timings = {"known": [], "unknown": []}
    journeys = {}
    for round_ in range(12):
        for case, email in (("known", "sophie.bernard@example.org"), ("unknown", f"nobody{round_}@example.org")):
            started = time.perf_counter()
            journey, _ = await parcours.start_identifier_recovery({"channel": "mail", "email": email})
            timings[case].append(time.perf_counter() - started)
            journeys[case] = journey
    for journey in journeys.values():
        history = await time_env.client.get_workflow_handle(journey.journey_id).fetch_history()
        kinds = [event.event_type for event in history.events]
        completed = kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
        assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds[:completed]
    known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    quartiles = statistics.quantiles(timings["known"] + timings["unknown"], n=4)
    spread = quartiles[2] - quartiles[0]
    print(f"\nR-REC-7 answer time, median: known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms, "
          f"pooled interquartile range {spread * 1000:.1f} ms")
    # Not separable: the medians differ by less than the ordinary spread of the answers (or 5 ms).
    assert abs(known - unknown) <= max(spread, 0.005)


SLOW_SEND = 1.5  # seconds a slow mail server or SMS gateway takes per message
ANSWER_WELL_BEFORE_THE_SEND = SLOW_SEND / 2
ROUNDS = 2

SLOW_SEND_CASES = {  # (start, known request, unknown request, where the known request's message goes)
    "identifier by mail": ("start_identifier_recovery", {"channel": "mail", "email": SOPHIE["email"]},
                           {"channel": "mail", "email": "nobody@example.org"}, "mail"),
    "identifier by SMS": ("start_identifier_recovery", {"channel": "sms", "mobile": "06 55 44 33 22"},
                          {"channel": "sms", "mobile": "06 99 88 77 66"}, "sms"),
    "password by mail": ("start_password_reset", {"channel": "mail", **SOPHIE},
                         {"channel": "mail", "identifier": "z.nobody1", "email": SOPHIE["email"]}, "mail"),
    "password by SMS": ("start_password_reset", {"channel": "sms", "identifier": "s.bernard1"},
                        {"channel": "sms", "identifier": "z.nobody1"}, "sms"),
}


@pytest.mark.parametrize("case", SLOW_SEND_CASES)
async def test_a_slow_send_is_not_on_the_answer_path(time_env, settings, case):
    """R-REC-7: with a mail server and an SMS gateway taking 1.5 s a message, a known and an unknown
    identifier are answered alike, well before any send could finish (the send follows the answer,
    it does not delay it), and the known account's message still arrives afterwards."""
    start, known, unknown, channel = SLOW_SEND_CASES[case]
    with SmtpServer(delay_seconds=SLOW_SEND) as smtp, SmsGateway(delay_seconds=SLOW_SEND) as gateway:
        slow = settings.model_copy(update={
            "mail_provider": "smtp", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
            "sms_provider": "http", "sms_gateway_url": gateway.url, "sms_gateway_token": SecretStr(gateway.token),
            "provider_timeout": timedelta(seconds=SLOW_SEND * 4)})
        async with running_parcours(time_env.client, slow, update_with_start=False) as (parcours, _):
            await getattr(parcours, start)(unknown)  # a first journey warms the worker up
            answers, journeys, answer_times = {}, {}, {"known": [], "unknown": []}
            for _ in range(ROUNDS):  # the best of a few: a loaded machine's pauses are not the send
                for name, request in (("known", known), ("unknown", unknown)):
                    started = time.perf_counter()
                    journeys[name], answers[name] = await getattr(parcours, start)(request)
                    answer_times[name].append(time.perf_counter() - started)
            assert all(min(times) < ANSWER_WELL_BEFORE_THE_SEND for times in answer_times.values()), answer_times
            assert answers["known"].message == answers["unknown"].message
            apart_from_times = {"journey_id", "deadlines"}  # the two were started a moment apart
            assert (await settled(journeys["known"])).model_dump(exclude=apart_from_times) == (
                await settled(journeys["unknown"])).model_dump(exclude=apart_from_times)
        delivered = [m["To"] for m in smtp.messages] if channel == "mail" else [m["to"] for m in gateway.received]
        assert delivered == [SOPHIE["email"] if channel == "mail" else "+33655443322"] * ROUNDS


async def test_explicit_error_setting_restores_not_recognised(time_env, settings, inbox):
    """R-REC-7's setting: the seeds' explicit "adresse non reconnue"; the user may correct it."""
    explicit = settings.model_copy(update={"recovery_reveals_unknown": True})
    async with running_parcours(time_env.client, explicit, update_with_start=False) as (parcours, _):
        journey, outcome = await parcours.start_identifier_recovery({"channel": "mail", "email": "nobody@example.org"})
        assert outcome.status == "not_recognised" and outcome.message == "L'adresse mail n'est pas reconnue."
        outcome = await journey.request_identifier({"channel": "mail", "email": "sophie.bernard@example.org"})
        assert outcome.status == "accepted" and outcome.step.state == "answered"
        assert len(inbox.messages()) == 1
