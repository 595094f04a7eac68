"""The activation journey ("Je n'ai pas de compte", SPEC R-ACT-1 … R-ACT-9).

The single source of truth for its states, transitions and guards. The workflow fires the
events; time comes in as the `now` argument, never from a clock.
"""

from __future__ import annotations

from datetime import datetime

from statemachine import State

from parcours.contracts.activation import ActivationData, ChildStatus
from parcours.states.code_step import code_step_deadline, resend_refusal
from parcours.states.journey import JourneyChart


class ActivationJourney(JourneyChart[ActivationData]):
    user_updates = {
        "submit_identity": ("identity_matched", "identity_rejected", "identity_submitted"),
        "submit_code": ("code_accepted", "code_rejected", "code_voided"),
        "resend_code": ("code_resent",),
        "answer_child": ("child_answered",),
        "choose_password": ("password_set",),
    }

    identity_to_check = State(initial=True)
    identity_received = State()  # only with uniform answers: answered, the lookup follows
    code_sent = State()
    code_expired = State()
    code_void = State()
    code_not_sent = State()  # the provider was down past the send budget: the user asks a resend
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
    # R-ACT-4
    code_rejected = code_sent.to.itself(internal=True)
    code_voided = code_sent.to(code_void)
    # R-ACT-5
    code_expiry_reached = code_sent.to(code_expired)
    # R-ACT-6: a new code replaces the previous one, within cooldown and cap.
    code_resent = (
        code_sent.to.itself(cond="resend_allowed")
        | code_expired.to(code_sent, cond="resend_allowed")
        | code_void.to(code_sent, cond="resend_allowed")
        | code_not_sent.to(code_sent, cond="resend_allowed")
    )
    # A code that could not be sent keeps the user at the code step, « Renvoyer le code » allowed
    # (a resend voids the previous code before sending: it is gone too).
    code_send_failed = (
        identity_to_check.to(code_not_sent) | code_sent.to(code_not_sent) | code_expired.to(code_not_sent)
        | code_void.to(code_not_sent) | code_not_sent.to.itself(internal=True)
    )
    code_accepted = code_sent.to(children_to_confirm, cond="has_children_to_confirm") | code_sent.to(
        password_to_choose
    )
    # R-ACT-7
    child_answered = children_to_confirm.to(password_to_choose, cond="all_children_answered") | children_to_confirm.to.itself(
        internal=True
    )
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

    def resend_allowed(self, now: datetime) -> bool:
        return resend_refusal(self.model, now) is None


CODE_STATES = frozenset(
    state.value
    for state in (ActivationJourney.code_sent, ActivationJourney.code_expired, ActivationJourney.code_void,
                  ActivationJourney.code_not_sent)
)


def next_deadline(data: ActivationData, now: datetime) -> datetime | None:
    return code_step_deadline(data, now, CODE_STATES)


