"""The activation journey ("Je n'ai pas de compte", SPEC R-ACT-1 … R-ACT-9).

The single source of truth for its states, transitions and guards. The workflow fires the
events; time comes in as the `now` argument, never from a clock.
"""

from __future__ import annotations

from datetime import datetime

from statemachine import State, StateChart

from parcours.contracts.activation import ActivationData, ChildStatus


class ActivationJourney(StateChart[ActivationData]):
    catch_errors_as_events = False  # a bug must fail loudly, not become an event
    allow_event_without_transition = False

    identity_to_check = State(initial=True)
    code_sent = State()
    code_expired = State()
    code_void = State()
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

    idle_timeout = (
        identity_to_check.to(abandoned)
        | code_sent.to(abandoned)
        | code_expired.to(abandoned)
        | code_void.to(abandoned)
        | children_to_confirm.to(abandoned)
        | password_to_choose.to(abandoned)
    )
    newer_journey_started = (
        identity_to_check.to(superseded)
        | code_sent.to(superseded)
        | code_expired.to(superseded)
        | code_void.to(superseded)
        | children_to_confirm.to(superseded)
        | password_to_choose.to(superseded)
    )

    # -- guards: pure functions of the journey's data -----------------------------------------

    def account_already_active(self) -> bool:
        return self.model.account_already_active

    def has_children_to_confirm(self) -> bool:
        return any(child.status is ChildStatus.TO_CONFIRM for child in self.model.children)

    def all_children_answered(self) -> bool:
        return not self.has_children_to_confirm()

    def resend_allowed(self, now: datetime) -> bool:
        return resend_refusal(self.model, now) is None


# -- pure rules the workflow also reports to the user ------------------------------------------

def resend_available_at(data: ActivationData) -> datetime | None:
    if data.code_sent_at is None:
        return None
    return data.code_sent_at + data.policy.resend_cooldown


def resends_left(data: ActivationData) -> int:
    return max(data.policy.codes_per_journey - data.codes_sent, 0)


def resend_refusal(data: ActivationData, now: datetime) -> tuple[str, datetime | None] | None:
    """Why a new code cannot be sent now ("cooldown" with the time it can, or "cap"); None if it can."""
    if resends_left(data) == 0:
        return ("cap", None)
    available_at = resend_available_at(data)
    if available_at is not None and now < available_at:
        return ("cooldown", available_at)
    return None


def idle_expires_at(data: ActivationData) -> datetime | None:
    if data.last_activity_at is None:
        return None
    return data.last_activity_at + data.policy.idle_lifetime


def code_tries_left(data: ActivationData) -> int:
    return max(data.policy.code_max_wrong_tries - data.wrong_code_tries, 0)


def next_deadline(data: ActivationData, now: datetime) -> datetime | None:
    """The nearest moment the journey must wake up for. Code expiry and idleness fire events (and
    stay due until fired); the end of the resend cooldown only refreshes what the journey shows."""
    events = [idle_expires_at(data)]
    if data.state == ActivationJourney.code_sent.value:
        events.append(data.code_expires_at)
    wake_ups = [resend_available_at(data)] if data.state in CODE_STATES else []
    moments = [m for m in events if m is not None] + [m for m in wake_ups if m is not None and m > now]
    return min(moments, default=None)


CODE_STATES = frozenset(
    state.value
    for state in (ActivationJourney.code_sent, ActivationJourney.code_expired, ActivationJourney.code_void)
)
