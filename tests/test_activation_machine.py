"""The activation machine alone: no Temporal, no I/O, time passed in."""

from datetime import UTC, datetime, timedelta

import pytest
from statemachine.exceptions import TransitionNotAllowed

from parcours.contracts.activation import ActivationData, ChildStatus, ChildToConfirm
from parcours.states.activation import ActivationJourney, next_deadline
from parcours.states.activation_view import build_step
from parcours.states.code_step import resend_refusal
from parcours.states.journey import expected_updates, utc_text

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def journey(**data) -> tuple[ActivationJourney, ActivationData]:
    model = ActivationData(**data)
    return ActivationJourney(model), model


def at_code_sent(**data) -> tuple[ActivationJourney, ActivationData]:
    machine, model = journey(last_activity_at=T0, code_sent_at=T0, code_expires_at=T0 + timedelta(minutes=30),
                             codes_sent=1, **data)
    machine.send("identity_matched")
    return machine, model


def child(ref="s1", status=ChildStatus.TO_CONFIRM) -> ChildToConfirm:
    return ChildToConfirm(student_ref=ref, display_name="Léa M.", school="École", role="legal_representative",
                          status=status)


def test_starts_at_identity_and_expects_only_identity():
    machine, model = journey()
    assert model.state == "identity_to_check"
    assert expected_updates(machine) == ["submit_identity"]


@pytest.mark.parametrize(("start", "event", "state"), [
    # R-ACT-1: the user may correct and retry; the journey does not move
    pytest.param(journey, "identity_rejected", "identity_to_check", id="identity_mismatch_does_not_move"),
    pytest.param(lambda: at_code_sent(children=[child()]), "code_accepted", "children_to_confirm",
                 id="code_accepted_goes_to_children_when_there_are_some"),
    pytest.param(at_code_sent, "code_accepted", "password_to_choose",
                 id="code_accepted_goes_to_password_without_children"),
])
def test_one_event_moves_the_journey(start, event, state):
    machine, model = start()
    machine.send(event)
    assert model.state == state


def test_already_active_account_ends_the_journey():
    """R-ACT-2"""
    machine, model = journey(account_already_active=True)
    machine.send("identity_matched")
    assert model.state == "already_active"
    assert machine.is_terminated


def test_matched_identity_goes_to_code_sent():
    """R-ACT-3"""
    machine, model = at_code_sent()
    assert model.state == "code_sent"
    assert set(expected_updates(machine)) == {"submit_code", "resend_code"}


def test_wrong_code_stays_then_void():
    """R-ACT-4"""
    machine, model = at_code_sent()
    machine.send("code_rejected")
    assert model.state == "code_sent"
    machine.send("code_voided")
    assert model.state == "code_void"
    assert expected_updates(machine) == ["resend_code"]


def test_expired_code_can_only_be_replaced():
    """R-ACT-5"""
    machine, model = at_code_sent()
    machine.send("code_expiry_reached")
    assert model.state == "code_expired"
    with pytest.raises(TransitionNotAllowed):
        machine.send("code_accepted")
    machine.send("code_resent", now=T0 + timedelta(minutes=31))
    assert model.state == "code_sent"


def test_resend_guard_applies_cooldown_and_cap():
    """R-ACT-6"""
    machine, model = at_code_sent()
    too_soon = T0 + timedelta(seconds=59)
    assert resend_refusal(model, too_soon) == ("cooldown", T0 + timedelta(seconds=60))
    with pytest.raises(TransitionNotAllowed):
        machine.send("code_resent", now=too_soon)
    assert resend_refusal(model, T0 + timedelta(seconds=60)) is None
    model.codes_sent = model.policy.codes_per_journey
    assert resend_refusal(model, T0 + timedelta(hours=1)) == ("cap", None)


def test_children_answered_one_by_one_then_password():
    """R-ACT-7: the step stays until every child is answered (confirmed, reported or given up)."""
    machine, model = at_code_sent(children=[child("s1"), child("s2")])
    machine.send("code_accepted")
    model.children[0].status = ChildStatus.CONFIRMED
    machine.send("child_answered")
    assert model.state == "children_to_confirm"
    model.children[1].status = ChildStatus.UNCONFIRMED
    machine.send("child_answered")
    assert model.state == "password_to_choose"


def test_password_set_activates():
    """R-ACT-9"""
    machine, model = at_code_sent()
    machine.send("code_accepted")
    machine.send("password_set")
    assert model.state == "activated" and machine.is_terminated


@pytest.mark.parametrize("event,final", [("idle_timeout", "abandoned"), ("newer_journey_started", "superseded")])
def test_every_open_state_can_be_abandoned_or_superseded(event, final):
    for steps in ([], ["identity_matched"], ["identity_matched", "code_expiry_reached"],
                  ["identity_matched", "code_voided"], ["identity_matched", "code_accepted"]):
        machine, model = journey(last_activity_at=T0, children=[child()])
        for step in steps:
            machine.send(step)
        machine.send(event)
        assert model.state == final


def test_final_states_accept_nothing():
    machine, model = journey(account_already_active=True)
    machine.send("identity_matched")
    assert expected_updates(machine) == []
    with pytest.raises(TransitionNotAllowed):
        machine.send("idle_timeout")


def test_next_deadline_is_the_nearest_of_cooldown_expiry_and_idleness():
    machine, model = at_code_sent()
    assert next_deadline(model, T0) == T0 + timedelta(seconds=60)
    assert next_deadline(model, T0 + timedelta(seconds=61)) == T0 + timedelta(minutes=30)
    machine.send("code_accepted")
    assert next_deadline(model, T0 + timedelta(minutes=1)) == T0 + timedelta(hours=24)


def test_restored_machine_resumes_from_its_data():
    machine, model = at_code_sent()
    restored = ActivationJourney(ActivationData.model_validate(model.model_dump()))
    assert restored.model.state == "code_sent"
    restored.send("code_accepted")
    assert restored.model.state == "password_to_choose"


def test_step_shows_identifier_only_once_the_code_is_accepted():
    """R-ACT-8: the identifier is shown at the password step, not before."""
    machine, model = at_code_sent(identifier="c.martin1")
    assert build_step("activation/x", model, T0).identifier is None
    machine.send("code_accepted")
    step = build_step("activation/x", model, T0)
    assert step.identifier == "c.martin1"
    assert step.expected_input == ["choose_password"]


def test_a_code_that_could_not_be_sent_keeps_the_user_at_the_code_step():
    """After an outage past the send budget the identity stands: « Renvoyer le code » is expected
    and allowed at once (no code went out: no cooldown, nothing counted against the cap)."""
    machine, model = journey(last_activity_at=T0)
    machine.send("code_send_failed")
    assert model.state == "code_not_sent"
    assert expected_updates(machine) == ["resend_code"]
    assert resend_refusal(model, T0) is None
    step = build_step("j", model, T0)
    assert step.deadlines.resend_available_at is None and step.resends_left == model.policy.codes_per_journey
    assert step.messages[0] == "Le code n'a pas pu être envoyé. Réessayez avec « Renvoyer le code »."
    machine.send("code_resent", now=T0)
    assert model.state == "code_sent"


def test_a_resend_that_could_not_be_sent_keeps_the_code_step_without_a_new_cooldown():
    machine, model = at_code_sent()
    after_cooldown = T0 + model.policy.resend_cooldown
    machine.send("code_send_failed")  # the resend voided the previous code before its send failed
    assert model.state == "code_not_sent" and expected_updates(machine) == ["resend_code"]
    assert resend_refusal(model, after_cooldown) is None
    machine.send("code_resent", now=after_cooldown)
    assert model.state == "code_sent"


@pytest.mark.parametrize("moment", [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(999, 12, 31, 23, 59, 59)])
def test_operators_read_times_as_strftime_would_write_them(moment):
    """utc_text writes what `%Y-%m-%d %H:%M:%S` writes, without strftime's import of `time` (one
    more restricted module in each journey's sandbox)."""
    assert utc_text(moment) == f"{moment.year:04d}-" + moment.strftime("%m-%d %H:%M:%S")
    assert utc_text(moment, seconds=False) == utc_text(moment)[:-3]
