"""Activation through FranceConnect (R-ACT-11), and what FranceConnect accounts get afterwards."""

from parcours.contracts.franceconnect import FranceConnectIdentity

CAMILLE = {"subject": "fc-sub-camille-0001", "family_name": "MARTIN", "given_name": "Camille",
           "birth_date": "1985-04-12", "email": "Camille.Martin@example.org"}


async def test_activation_with_a_franceconnect_identity(parcours, inbox):
    """R-ACT-11: names and the school's address match; the children are confirmed as in R-ACT-7;
    the account is active with no password of its own, its email confirmed."""
    journey = await parcours.start_franceconnect_activation(CAMILLE)
    step = await journey.current_step()
    assert step.state == "children_to_confirm" and [c.student_ref for c in step.children] == ["stu-lea-martin"]
    outcome = await journey.answer_child(
        {"student_ref": "stu-lea-martin", "is_guardian": True, "birth_date": "02 03 2014"})
    assert outcome.step.state == "activated" and outcome.step.identifier == "c.martin1"
    # No local password: recovery and password change refer to FranceConnect (R-REC-6, R-CON-1).
    reset, _ = await parcours.start_password_reset({"channel": "mail", "identifier": "c.martin1",
                                                    "email": "camille.martin@example.org"})
    from tests.waiting import settled

    await settled(reset)
    assert "https://franceconnect.gouv.fr/faq" in inbox.messages()[-1]["body"]


async def test_second_activation_with_the_same_subject_is_refused(parcours):
    first = await parcours.start_franceconnect_activation(CAMILLE)
    await first.answer_child({"student_ref": "stu-lea-martin", "is_guardian": True, "birth_date": "2014-03-02"})
    second = await parcours.start_franceconnect_activation({**CAMILLE, "email": "eloise.dupont@example.org",
                                                            "family_name": "Dupont-Lefèvre", "given_name": "Éloïse"})
    step = await second.current_step()
    assert step.state == "subject_taken" and "déjà rattaché" in step.messages[0]


async def test_identity_not_in_the_school_records(parcours):
    """R-ACT-1 as applied to FranceConnect: the address must be the school's for these names."""
    journey = await parcours.start_franceconnect_activation({**CAMILLE, "email": "camille@ailleurs.example.org"})
    assert (await journey.current_step()).state == "not_found"


async def test_already_active_account(parcours):
    """R-ACT-2"""
    journey = await parcours.start_franceconnect_activation(
        {**CAMILLE, "subject": "fc-sub-sophie", "family_name": "Bernard", "given_name": "Sophie",
         "email": "sophie.bernard@example.org"})
    assert (await journey.current_step()).state == "already_active"


def test_the_identity_is_validated_at_the_edge():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="email"):
        FranceConnectIdentity(**{**CAMILLE, "email": "pas-une-adresse"})
    with pytest.raises(ValidationError, match="subject"):
        FranceConnectIdentity(**{**CAMILLE, "subject": "a b/c"})
