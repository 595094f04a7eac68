"""The activation journey ("Je n'ai pas de compte", SPEC R-ACT-1 … R-ACT-9).

The single source of truth for its states, transitions and guards. The workflow fires the
events; time comes in as the `now` argument, never from a clock.
"""

from __future__ import annotations

from datetime import datetime

from statemachine import State

from parcours.contracts.activation import ActivationData, ChildStatus
from parcours.states.code_step import (
    CODE_STEP_STATES,
    CODE_STEP_UPDATES,
    CodeStepChart,
    code_step_deadline,
    code_step_states,
    code_step_transitions,
)


class ActivationJourney(CodeStepChart[ActivationData]):
    user_updates = {
        "submit_identity": ("identity_matched", "identity_rejected", "identity_submitted"),
        **CODE_STEP_UPDATES,
        "answer_child": ("child_answered",),
        "choose_password": ("password_set",),
    }

    identity_to_check = State(initial=True)
    identity_received = State()  # only with uniform answers: answered, the lookup follows
    code_sent, code_expired, code_void, code_not_sent = code_step_states()
    children_to_confirm = State()
    password_to_choose = State()
    activated = State(final=True)
    already_active = State(final=True)
    abandoned = State(final=True)
    superseded = State(final=True)

    # R-ACT-1: a mismatch leaves the journey where it is; the user corrects and retries.
    identity_rejected = identity_to_check.to.itself(internal=True)
    # R-ACT-2 / R-ACT-3
    identity_matched = identity_to_check.to(already_active, cond="account_already_active") | identity_to_check.to(
        code_sent
    )
    # With uniform answers (a setting): every identity gets the same answer before any lookup, then
    # a code step — a real code for a match, a decoy otherwise, so nothing tells a stranger.
    identity_submitted = identity_to_check.to(identity_received)
    identity_processed = identity_received.to(code_sent)
    code_rejected, code_voided, code_expiry_reached, code_resent, code_send_failed = code_step_transitions(
        code_sent, code_expired, code_void, code_not_sent, identity_to_check)
    code_accepted = code_sent.to(children_to_confirm, cond="has_children_to_confirm") | code_sent.to(
        password_to_choose
    )
    # R-ACT-7
    child_answered = (children_to_confirm.to(password_to_choose, cond="all_children_answered")
                      | children_to_confirm.to.itself(internal=True))
    # R-ACT-8 / R-ACT-9
    password_set = password_to_choose.to(activated)

    idle_timeout = abandoned.from_.any()
    newer_journey_started = superseded.from_.any()

    # -- guards: pure functions of the journey's data -----------------------------------------

    def account_already_active(self) -> bool:
        return self.model.account_already_active

    def has_children_to_confirm(self) -> bool:
        return any(child.status is ChildStatus.TO_CONFIRM for child in self.model.children)

    def all_children_answered(self) -> bool:
        return not self.has_children_to_confirm()


def next_deadline(data: ActivationData, now: datetime) -> datetime | None:
    return code_step_deadline(data, now, CODE_STEP_STATES)


