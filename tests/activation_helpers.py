"""Shortcuts for driving activation journeys in tests."""

from __future__ import annotations

from parcours.client import ActivationJourneyClient, ParcoursClient

CAMILLE_SMS = {"channel": "sms", "last_name": "Martin", "first_name": "Camille", "mobile": "06 12 34 56 78"}
CAMILLE_MAIL = {"channel": "mail", "last_name": "MARTIN", "first_name": "camille",
                "email": "Camille.Martin@example.org"}
ELOISE_SMS = {"channel": "sms", "last_name": "DUPONT-LEFEVRE", "first_name": "Eloise", "mobile": "+33798765432"}
SOPHIE_SMS = {"channel": "sms", "last_name": "Bernard", "first_name": "Sophie", "mobile": "0655443322"}
LEA = {"student_ref": "stu-lea-martin", "is_guardian": True, "birth_date": "02 03 2014"}
GOOD_PASSWORD = "Cartable-2026!"


async def at_code_step(parcours: ParcoursClient, identity=CAMILLE_SMS) -> ActivationJourneyClient:
    journey, outcome = await parcours.start_activation(identity)
    assert outcome.status == "accepted", outcome
    return journey


async def at_password_step(parcours: ParcoursClient, inbox, identity=CAMILLE_SMS) -> ActivationJourneyClient:
    journey = await at_code_step(parcours, identity)
    await journey.submit_code(inbox.last_code())
    outcome = await journey.answer_child(LEA)
    assert outcome.step.state == "password_to_choose"
    return journey
