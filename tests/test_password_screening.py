"""New passwords: the seed-003 policy, plus no common password and nothing built on the account's
identifier or names (NIST SP 800-63B), in every journey that sets one."""

import re

import pytest
from sqlalchemy import select

from parcours.client import JourneyActionRejected
from parcours.db.models import Account
from parcours.security.password_policy import COMMON_PASSWORDS, CRITERIA, personal_words, unmet_criteria
from tests.activation_helpers import GOOD_PASSWORD, at_password_step
from tests.waiting import settled

COMMON = CRITERIA["common"]
PERSONAL = CRITERIA["personal"]


def test_the_shipped_list_holds_the_most_common_passwords():
    assert len(COMMON_PASSWORDS) >= 10_000
    assert {"123456", "password", "azerty", "motdepasse", "soleil"} <= COMMON_PASSWORDS


@pytest.mark.parametrize("password", ["Password1!", "P@ssw0rd2024!", "Azerty123!", "!!Soleil2024", "Motdepasse-1",
                                      "Bonjour75011?"])
def test_common_passwords_are_refused_even_dressed_up(password):
    """Leet letters, digits and symbols around a listed word do not make it a new password."""
    assert COMMON in unmet_criteria(password)


@pytest.mark.parametrize("password", [GOOD_PASSWORD, "Zq8!mP2#kL", "Second-Nouveau-2!", "Cheval-Orange-Piano-4"])
def test_uncommon_passwords_pass(password):
    assert unmet_criteria(password) == []


def test_names_and_identifier_are_compared_without_case_accents_or_number():
    words = personal_words("e.dupontlefevre1", "Éloïse", "Dupont-Lefèvre")
    assert {"eloise", "dupont", "lefevre", "e.dupontlefevre"} <= set(words)
    for password in ["Eloise-2026!", "LEFEVRE-chat-9!", "X-e.dupontlefevre-1!", "Dup0nt-Rose-9!"]:
        assert PERSONAL in unmet_criteria(password, words), password
    assert PERSONAL not in unmet_criteria("Cheval-Orange-Piano-4", words)


async def test_activation_refuses_a_password_naming_the_guardian(harness, inbox):
    """Only the database knows the names: the activity refuses, the update fails with every unmet
    criterion named, and nothing changes (still provisioned, still at the password step)."""
    parcours, dependencies = harness
    journey = await at_password_step(parcours, inbox)
    for password in ["Camille-Ecole-7!", "c.martin1-Ecole!"]:
        with pytest.raises(JourneyActionRejected) as refused:
            await journey.choose_password(password, password)
        assert refused.value.reason == "password_policy"
        assert [(e.field, e.message) for e in refused.value.errors] == [("password", PERSONAL)]
    assert (await journey.current_step()).state == "password_to_choose"
    async with dependencies.sessions() as session:
        account = await session.scalar(select(Account).where(Account.identifier == "c.martin1"))
    assert account.status == "provisioned" and account.password_hash is None
    assert (await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)).step.state == "activated"


async def test_common_password_is_refused_by_the_validator(harness, inbox):
    """A listed password never reaches an activity: the validator refuses it (no history written)."""
    parcours, _ = harness
    journey = await at_password_step(parcours, inbox)
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password("Azerty123!", "Azerty123!")
    assert [e.message for e in refused.value.errors] == [COMMON]
    handle = parcours.client.get_workflow_handle(journey.journey_id)
    history = await handle.fetch_history()
    accepted = [e.workflow_execution_update_accepted_event_attributes for e in history.events
                if e.HasField("workflow_execution_update_accepted_event_attributes")]
    assert not any(update.accepted_request.input.name == "choose_password" for update in accepted)


async def test_password_reset_link_survives_a_refused_password(parcours, inbox):
    """The link is checked, the password refused before the link is used up: a better one works."""
    journey, _ = await parcours.start_password_reset({"channel": "mail", "identifier": "s.bernard1",
                                                      "email": "sophie.bernard@example.org"})
    await settled(journey)
    token = re.search(r"jeton=(\w+)", inbox.messages()[-1]["body"]).group(1)
    await journey.open_link(token)
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password(token, "Bernard-Sophie-1!", "Bernard-Sophie-1!")
    assert [e.message for e in refused.value.errors] == [PERSONAL]
    assert (await journey.choose_password(token, "Cheval-Orange-Piano-4", "Cheval-Orange-Piano-4")).step.state \
        == "password_reset"
