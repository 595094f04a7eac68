"""The activation workflow on the time-skipping server: both channels, identity, codes and resends."""

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType

from parcours.client import JourneyActionRejected
from parcours.db.models import Account, AccountStudent, VerificationCode
from tests.activation_helpers import (
    CAMILLE_MAIL,
    CAMILLE_SMS,
    ELOISE_SMS,
    GOOD_PASSWORD,
    LEA,
    SOPHIE_SMS,
    at_code_step,
)

CONTRACT = Path(__file__).resolve().parents[1] / "docs" / "contract" / "temporal-contract.json"


async def account_of(dependencies, identifier):
    async with dependencies.sessions() as session:
        return await session.scalar(select(Account).where(Account.identifier == identifier))


async def test_happy_path_by_sms(harness, inbox):
    """R-ACT-3, R-ACT-7, R-ACT-8, R-ACT-9: code by SMS, child confirmed, password, account active."""
    parcours, dependencies = harness
    journey = await at_code_step(parcours)
    sms = inbox.messages()[-1]
    assert sms["channel"] == "sms" and sms["to"] == "+33612345678" and "30 min" in sms["body"]
    outcome = await journey.submit_code(inbox.last_code())
    assert outcome.step.state == "children_to_confirm"
    assert outcome.step.children[0].question == "Je confirme être le représentant légal de l'élève suivant"
    outcome = await journey.answer_child(LEA)
    assert outcome.status == "accepted" and outcome.step.state == "password_to_choose"
    assert outcome.step.identifier == "c.martin1"
    assert "Notez votre identifiant" in outcome.step.messages[0]
    outcome = await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    assert outcome.message == "Votre compte a été activé avec succès"
    assert (await journey.result()).state == "activated"
    account = await account_of(dependencies, "c.martin1")
    assert account.status == "active" and account.mobile == "+33612345678" and account.mobile_status == "confirmed"
    assert account.email_status == "none"
    assert account.password_hash.startswith("$argon2id$")
    async with dependencies.sessions() as session:
        links = (await session.scalars(select(AccountStudent))).all()
    assert [link.status for link in links] == ["confirmed"]


async def test_happy_path_by_mail(harness, inbox):
    """R-ACT-3, R-ACT-9: the mail channel; the address becomes confirmed contact data."""
    parcours, dependencies = harness
    journey = await at_code_step(parcours, CAMILLE_MAIL)
    mail = inbox.messages()[-1]
    assert mail["channel"] == "mail" and mail["to"] == "camille.martin@example.org"
    assert mail["subject"] == "EduConnect : votre code de sécurité"
    await journey.submit_code(inbox.last_code())
    await journey.answer_child(LEA)
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    account = await account_of(dependencies, "c.martin1")
    assert account.email == "camille.martin@example.org" and account.email_status == "confirmed"
    assert account.mobile_status == "none"


async def test_identity_mismatch_leaves_the_journey_for_a_corrected_retry(harness, inbox):
    """R-ACT-1: a number the school does not have for this person is refused; correct and retry."""
    parcours, _ = harness
    journey, outcome = await parcours.start_activation({**CAMILLE_SMS, "mobile": "06 99 99 99 99"})
    assert outcome.status == "mismatch"
    assert outcome.message == "Le numéro que vous avez renseigné ne vous a pas été attribué dans EduConnect"
    assert outcome.step.state == "identity_to_check" and inbox.messages() == []
    outcome = await journey.submit_identity({**CAMILLE_SMS, "first_name": "Camilo"})
    assert outcome.status == "mismatch"
    outcome = await journey.submit_identity(CAMILLE_SMS)
    assert outcome.status == "accepted" and outcome.step.state == "code_sent"


async def test_identity_matches_without_case_or_accents(harness):
    """R-ACT-1: names compared without case or accents; number in international form."""
    parcours, _ = harness
    journey = await at_code_step(parcours, ELOISE_SMS)
    assert (await journey.current_step()).state == "code_sent"


async def test_already_active_account_is_sent_to_sign_in(harness, inbox):
    """R-ACT-2"""
    parcours, _ = harness
    journey, outcome = await parcours.start_activation(SOPHIE_SMS)
    assert outcome.status == "already_active" and "Connectez-vous" in outcome.message
    assert (await journey.result()).state == "already_active"
    assert inbox.messages() == []


async def test_code_still_works_at_29_59(harness, inbox, time_env):
    """R-ACT-3: valid 30 min from its sending."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    await time_env.sleep(timedelta(minutes=29, seconds=59))
    outcome = await journey.submit_code(inbox.last_code())
    assert outcome.status == "accepted"


async def test_the_raw_step_is_what_the_contract_says_at_every_state(harness, inbox, time_env):
    """What an API layer without Python reads (the query's JSON, not a model) validates against the
    Temporal contract's schema of the step at each state: lists are lists, never null."""
    parcours, _ = harness
    schema = json.loads(CONTRACT.read_text(encoding="utf-8"))
    (activation,) = [w for w in schema["workflows"] if w["workflow_type"] == "Activation"]
    step_schema = activation["queries"]["current_step"]["result"]
    journey = await at_code_step(parcours)
    handle = time_env.client.get_workflow_handle(journey.journey_id)
    seen = []
    for act in (lambda: journey.submit_code(inbox.last_code()), lambda: journey.answer_child(LEA),
                lambda: journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD), None):
        raw = await handle.query("current_step", result_type=dict)
        jsonschema.validate(raw, step_schema)
        assert isinstance(raw["children"], list) and isinstance(raw["messages"], list)
        seen.append(raw["state"])
        if act is not None:
            await act()
    assert seen == ["code_sent", "children_to_confirm", "password_to_choose", "activated"]


async def timer_summaries(client, journey_id: str) -> list[str]:
    """What each timer of the journey's history says it waits for (its summary, decoded)."""
    history = await client.get_workflow_handle(journey_id).fetch_history()
    encoded = [event.user_metadata.summary for event in history.events
               if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    return await client.data_converter.decode(encoded, [str] * len(encoded)) if encoded else []


async def test_timers_say_which_deadline_they_wait_for(harness, inbox, time_env):
    """Operators read in the Temporal UI what a journey's timer waits for, not "next deadline"."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    await time_env.sleep(timedelta(minutes=30, seconds=1))
    assert (await journey.current_step()).state == "code_expired"
    summaries = await timer_summaries(time_env.client, journey.journey_id)
    assert "code expiry" in summaries and "end of the resend cooldown" in summaries, summaries
    assert set(summaries) <= {"code expiry", "end of the resend cooldown", "idle lifetime",
                              "JourneyState shown to operators"}, summaries


async def test_code_expires_after_30_minutes(harness, inbox, time_env):
    """R-ACT-5: expired code -> "Le code d'activation n'est plus valable", only a new code helps."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    code = inbox.last_code()
    await time_env.sleep(timedelta(minutes=30, seconds=1))
    step = await journey.current_step()
    assert step.state == "code_expired"
    assert step.messages[0] == "Le code d'activation n'est plus valable. Veuillez recommencer."
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.submit_code(code)
    assert refused.value.reason == "code_expired"
    outcome = await journey.resend_code()
    assert outcome.status == "accepted" and outcome.step.state == "code_sent"
    assert (await journey.submit_code(inbox.last_code())).status == "accepted"


async def test_code_is_usable_once(harness, inbox):
    """R-ACT-3: usable once — the same code cannot be consumed by a second check."""
    parcours, dependencies = harness
    journey = await at_code_step(parcours)
    code = inbox.last_code()
    await journey.submit_code(code)
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.submit_code(code)
    assert refused.value.reason == "not_now"
    async with dependencies.sessions() as session:
        record = (await session.scalars(select(VerificationCode))).one()
    assert record.consumed_at is not None


async def test_five_wrong_codes_void_the_code(harness, inbox):
    """R-ACT-4: "Le code est incorrect"; after 5 wrong tries the code is void, only a resend helps."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    good = inbox.last_code()
    wrong = "000000" if good != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        outcome = await journey.submit_code(wrong)
        assert outcome.status == "code_incorrect" and outcome.tries_left == tries_left
        assert outcome.message == "Le code est incorrect. Veuillez le saisir à nouveau."
    outcome = await journey.submit_code(wrong)
    assert outcome.status == "code_void" and outcome.step.state == "code_void"
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.submit_code(good)  # even the right code is refused now
    assert refused.value.reason == "code_void"
    assert (await journey.current_step()).expected_input == ["resend_code"]


async def test_resend_cooldown_then_new_code_voids_the_old(harness, inbox, time_env):
    """R-ACT-6 cooldown; R-ACT-3 a new code voids the previous one."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    first = inbox.last_code()
    outcome = await journey.resend_code()
    assert outcome.status == "resend_refused" and outcome.retry_at is not None
    assert "Veuillez patienter" in outcome.message
    paris = outcome.retry_at.astimezone(ZoneInfo("Europe/Paris"))  # the user's zone, to the second
    assert f"à partir de {paris:%H:%M:%S})" in outcome.message and "UTC" not in outcome.message
    assert len(inbox.messages()) == 1
    await time_env.sleep(timedelta(seconds=61))
    outcome = await journey.resend_code()
    assert outcome.status == "accepted" and len(inbox.messages()) == 2
    second = inbox.last_code()
    if first != second:  # 1 chance in a million they coincide
        outcome = await journey.submit_code(first)
        assert outcome.status in ("code_incorrect", "code_void")
    assert (await journey.submit_code(second)).status == "accepted"


async def test_resend_cap_per_journey(harness, inbox, time_env):
    """R-ACT-6: at most 5 codes per journey; the refusal says so."""
    parcours, _ = harness
    journey = await at_code_step(parcours)
    for _ in range(4):
        await time_env.sleep(timedelta(seconds=61))
        assert (await journey.resend_code()).status == "accepted"
    await time_env.sleep(timedelta(seconds=61))
    outcome = await journey.resend_code()
    assert outcome.status == "resend_refused" and outcome.retry_at is None
    assert len(inbox.messages()) == 5
