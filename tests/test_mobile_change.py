"""Mobile change from « Mon compte » (R-CON-7, R-CON-8, R-CON-9)."""

import re
from datetime import timedelta

import pytest
from pydantic import ValidationError

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_ACTIVE_PASSWORD

NEW = "07 81 22 33 44"


def code_sent_to(inbox, number: str) -> str:
    sms = [m for m in inbox.messages() if m["to"] == number][-1]
    return re.search(r"\b(\d{6})\b", sms["body"]).group(1)


async def sophie(parcours) -> str:
    return (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).account_ref


async def test_mobile_change_with_the_sms_code(parcours, inbox):
    """R-CON-7: the new number, a code sent to it, pending on the account until confirmed."""
    account_ref = await sophie(parcours)
    journey = await parcours.mobile_change(account_ref)
    outcome = await journey.request_change(NEW)
    assert outcome.step.state == "code_sent" and "Vous devez confirmer votre numéro" in outcome.message
    view = await parcours.account_view(account_ref)
    assert (view.mobile, view.pending_mobile) == ("+33655443322", "+33781223344")
    with pytest.raises(JourneyActionRejected) as refused:  # its own submit_code: the same input rule
        await journey.submit_code("12 34")
    assert refused.value.reason == "invalid_input" and refused.value.errors[0].field == "code"
    outcome = await journey.submit_code(code_sent_to(inbox, "+33781223344"))
    assert outcome.step.state == "confirmed"
    view = await parcours.account_view(account_ref)
    assert (view.mobile, view.mobile_status, view.pending_mobile) == ("+33781223344", "confirmed", None)


async def test_code_expires_after_30_minutes_and_resend(parcours, inbox, time_env):
    """R-CON-7: 30 min; « Je n'ai pas reçu le code par SMS » sends a new one (cooldown, cap)."""
    account_ref = await sophie(parcours)
    journey = await parcours.mobile_change(account_ref)
    await journey.request_change(NEW)
    assert (await journey.resend_code()).status == "resend_refused"
    await time_env.sleep(timedelta(minutes=30, seconds=1))
    assert (await journey.current_step()).state == "code_expired"
    assert (await journey.resend_code()).step.state == "code_sent"
    assert (await journey.submit_code(code_sent_to(inbox, "+33781223344"))).step.state == "confirmed"


async def test_abandoned_change_leaves_the_confirmed_number(parcours, inbox, time_env):
    """R-CON-8: the pending number is dropped; the confirmed one stays."""
    account_ref = await sophie(parcours)
    journey = await parcours.mobile_change(account_ref)
    await journey.request_change(NEW)
    await time_env.sleep(timedelta(hours=24, minutes=1))
    view = await parcours.account_view(account_ref)
    assert (view.mobile, view.pending_mobile) == ("+33655443322", None)
    assert (await journey.current_step()).state == "abandoned"


async def test_a_newer_number_replaces_the_pending_one(parcours, inbox):
    account_ref = await sophie(parcours)
    journey = await parcours.mobile_change(account_ref)
    await journey.request_change(NEW)
    first_code = code_sent_to(inbox, "+33781223344")
    again = await parcours.mobile_change(account_ref)
    assert again.journey_id == journey.journey_id
    await again.request_change("07 55 66 77 88")
    assert (await parcours.account_view(account_ref)).pending_mobile == "+33755667788"
    second_code = code_sent_to(inbox, "+33755667788")
    if first_code != second_code:
        assert (await again.submit_code(first_code)).status == "code_incorrect"
    assert (await again.submit_code(second_code)).step.state == "confirmed"


async def test_bad_numbers_are_refused_naming_the_field(parcours, inbox):
    account_ref = await sophie(parcours)
    journey = await parcours.mobile_change(account_ref)
    with pytest.raises(ValidationError, match="new_mobile"):
        await journey.request_change("01 23 45 67 89")  # a landline
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.request_change("06 55 44 33 22")
    assert refused.value.reason == "same_as_current" and refused.value.errors[0].field == "new_mobile"
    student = (await parcours.sign_in("l.martin1", DEMO_ACTIVE_PASSWORD)).account_ref
    with pytest.raises(JourneyActionRejected) as refused:
        await (await parcours.mobile_change(student)).request_change(NEW)
    assert refused.value.reason == "not_a_guardian"
    assert inbox.messages() == []


async def test_new_numbers_count_against_the_cap(parcours, inbox, settings):
    """R-CON-7 resend cap per journey: asking for other numbers does not get around it."""
    journey = await parcours.mobile_change(await sophie(parcours))
    numbers = ["07 81 22 33 44", "07 55 66 77 88", "06 21 22 33 44", "07 81 22 33 45", "07 81 22 33 46"]
    for number in numbers[: settings.codes_per_journey]:
        assert (await journey.request_change(number)).status == "accepted"
    assert (await journey.request_change("07 81 22 33 47")).status == "resend_refused"
    assert len(inbox.messages()) == settings.codes_per_journey
