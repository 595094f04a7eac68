"""Activation by notification letter (R-ACT-10)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_PROVISIONAL_PASSWORD
from tests.waiting import settled

NEW_PASSWORD = "Cartable-Neuf-2026!"
EMAIL = "sophie.lycee@example.org"


async def test_letter_then_email_and_password(parcours, inbox):
    """R-ACT-10: identifier + provisional password; a valid email is mandatory for a guardian and
    goes through the email-change confirmation; the new password replaces the provisional one."""
    journey = await parcours.start_letter_activation()
    outcome = await journey.submit_credentials("s.bernard2", DEMO_PROVISIONAL_PASSWORD)
    assert outcome.step.state == "details_to_give" and outcome.step.identifier == "s.bernard2"
    assert outcome.step.email_required is True and outcome.step.password_policy.min_length == 8  # the criteria
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.submit_details(None, NEW_PASSWORD, NEW_PASSWORD)
    assert refused.value.reason == "email_required" and refused.value.errors[0].field == "email"
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.submit_details(EMAIL, "faible", "faible")
    assert refused.value.reason == "password_policy"
    outcome = await journey.submit_details(EMAIL, NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.step.state == "activated" and "Un courriel de validation" in outcome.message
    signed_in = await parcours.sign_in("s.bernard2", NEW_PASSWORD)
    assert signed_in.status == "signed_in"
    email_change = await parcours.email_change(signed_in.account_ref)
    assert email_change.journey_id == outcome.step.email_change_journey
    step = await settled(email_change, leaving="change_to_request")
    assert step.state == "link_sent"
    mail = [m for m in inbox.messages() if m["to"] == EMAIL][-1]
    token = parse_qs(urlparse(re.search(r"http\S+", mail["body"]).group(0)).query)["jeton"][0]
    await email_change.confirm(token, signed_in.account_ref)
    view = await parcours.account_view(signed_in.account_ref)
    assert (view.email, view.email_status, view.status) == (EMAIL, "confirmed", "active")


async def test_provisional_password_works_once(parcours, inbox):
    journey = await parcours.start_letter_activation()
    await journey.submit_credentials("s.bernard2", DEMO_PROVISIONAL_PASSWORD)
    await journey.submit_details(EMAIL, NEW_PASSWORD, NEW_PASSWORD)
    again = await parcours.start_letter_activation()
    outcome = await again.submit_credentials("s.bernard2", DEMO_PROVISIONAL_PASSWORD)
    assert outcome.status == "invalid" and outcome.step.state == "credentials_to_check"


async def test_wrong_provisional_password_is_a_failed_sign_in(parcours):
    """R-ACT-10: the same error as any failed sign-in, and it counts against the cap."""
    journey = await parcours.start_letter_activation()
    wrong = await journey.submit_credentials("s.bernard2", "Pas-Le-Bon-1!")
    unknown = await journey.submit_credentials("z.nobody1", DEMO_PROVISIONAL_PASSWORD)
    assert wrong.status == unknown.status == "invalid"
    assert wrong.message == unknown.message == (await parcours.sign_in("z.nobody1", "x")).message
