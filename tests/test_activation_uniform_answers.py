"""Activation with uniform answers (setting `activation_uniform_answers`): R-ACT-1's mismatch and
R-ACT-2's "already active" are not said on screen; every identity gets the same answer, before
any lookup, and the same code step — so the answer tells a stranger nothing."""

import pytest
from temporalio.api.enums.v1 import EventType

from parcours import messages
from parcours.testing import running_parcours
from tests.activation_helpers import CAMILLE_SMS, GOOD_PASSWORD, LEA, SOPHIE_SMS
from tests.waiting import settled

STRANGER_SMS = {**CAMILLE_SMS, "mobile": "06 00 00 00 01"}  # Camille's name, not the school's number


@pytest.fixture
def uniform(settings):
    return settings.model_copy(update={"activation_uniform_answers": True})


def comparable(step) -> dict:
    shown = step.model_dump(exclude={"journey_id", "deadlines", "masked_destination"})
    shown["messages"] = [m for m in shown["messages"] if "0" not in m]  # the detail line quotes the masked number
    return shown


async def test_match_mismatch_and_active_account_look_alike(time_env, uniform, inbox):
    async with running_parcours(time_env.client, uniform, update_with_start=False) as (parcours, _):
        journeys, outcomes, steps = {}, {}, {}
        for case, identity in (("match", CAMILLE_SMS), ("mismatch", STRANGER_SMS), ("active", SOPHIE_SMS)):
            journeys[case], outcomes[case] = await parcours.start_activation(identity)
            steps[case] = await settled(journeys[case], leaving="identity_received")
        assert {(o.status, o.message) for o in outcomes.values()} == {("accepted", messages.IDENTITY_UNIFORM_ANSWER)}
        assert {o.step.state for o in outcomes.values()} == {"identity_received"}
        assert comparable(steps["match"]) == comparable(steps["mismatch"]) == comparable(steps["active"])
        assert steps["match"].state == "code_sent" and steps["match"].messages[0] == messages.IDENTITY_UNIFORM_ANSWER
        for journey in journeys.values():  # the answer came before any lookup
            history = await time_env.client.get_workflow_handle(journey.journey_id).fetch_history()
            kinds = [event.event_type for event in history.events]
            completed = kinds.index(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
            assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in kinds[:completed]
        sent = {message["to"]: message["body"] for message in inbox.messages()}
        assert set(sent) == {"+33612345678", "+33655443322"}  # nothing to the stranger's number
        assert "déjà activé" in sent["+33655443322"] and "s.bernard1" in sent["+33655443322"]
        # The stranger's code step behaves as a real one, and no code can pass it.
        assert (await journeys["mismatch"].submit_code("123456")).status == "code_incorrect"
        assert (await journeys["active"].submit_code("123456")).status == "code_incorrect"
        # The real one goes on as ever.
        camille = journeys["match"]
        assert (await camille.submit_code(inbox.code_sent_to("+33612345678"))).step.state == "children_to_confirm"
        await camille.answer_child(LEA)
        assert (await camille.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)).step.state == "activated"
