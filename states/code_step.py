"""The rules of a code step (SPEC R-ACT-3 … R-ACT-6, R-REC-4), shared by every journey that sends
a code: pure functions of a CodeChallenge and the journey's policy, time passed in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from statemachine import State
from statemachine.transition_list import TransitionList

from parcours.contracts.common import JourneyPolicy
from parcours.states.journey import JourneyChart

# Its states, by name: each chart with a code step has its own State objects (`code_step_states`).
CODE_STEP_STATES = frozenset({"code_sent", "code_expired", "code_void", "code_not_sent"})
# The updates of the step and the events each can fire (a chart's `user_updates`).
CODE_STEP_UPDATES = {
    "submit_code": ("code_accepted", "code_rejected", "code_voided"),
    "resend_code": ("code_resent",),
}


def code_step_states() -> tuple[State, State, State, State]:
    """code_sent, code_expired, code_void and code_not_sent (the provider was down past the send
    budget: the user asks a resend), new for the chart that declares them."""
    return State(), State(), State(), State()


def code_step_transitions(code_sent: State, code_expired: State, code_void: State, code_not_sent: State,
                          *before: State) -> tuple[TransitionList, ...]:
    """code_rejected, code_voided, code_expiry_reached, code_resent and code_send_failed between
    the code step's states; `before`: the states whose first send may fail too. The chart's
    `resend_allowed(now)` guards a resend (R-ACT-6: within the cooldown and the cap)."""
    code_rejected = code_sent.to.itself(internal=True)  # R-ACT-4
    code_voided = code_sent.to(code_void)
    code_expiry_reached = code_sent.to(code_expired)  # R-ACT-5
    code_resent = (  # a new code replaces the previous one
        code_sent.to.itself(cond="resend_allowed")
        | code_expired.to(code_sent, cond="resend_allowed")
        | code_void.to(code_sent, cond="resend_allowed")
        | code_not_sent.to(code_sent, cond="resend_allowed")
    )
    # A code that could not be sent keeps the user at the code step, « Renvoyer le code » allowed
    # (a resend voids the previous code before sending: it is gone too).
    code_send_failed = (code_not_sent.from_(*before, code_sent, code_expired, code_void)
                        | code_not_sent.to.itself(internal=True))
    return code_rejected, code_voided, code_expiry_reached, code_resent, code_send_failed




class CodeJourneyData(Protocol):
    state: str | None

    @property  # read-only: a journey's own policy (a subclass of JourneyPolicy) fits
    def policy(self) -> JourneyPolicy: ...

    last_activity_at: datetime | None
    code_id: str | None
    codes_sent: int
    code_sent_at: datetime | None
    code_expires_at: datetime | None
    wrong_code_tries: int


def _after(moment: datetime | None, delay: timedelta) -> datetime | None:
    return None if moment is None else moment + delay


def resend_available_at(data: CodeJourneyData) -> datetime | None:
    return _after(data.code_sent_at, data.policy.resend_cooldown)


def resends_left(data: CodeJourneyData) -> int:
    return max(data.policy.codes_per_journey - data.codes_sent, 0)


def resend_refusal(data: CodeJourneyData, now: datetime) -> tuple[str, datetime | None] | None:
    """Why a new code cannot be sent now ("cooldown" with the time it can, or "cap"); None if it can."""
    if resends_left(data) == 0:
        return ("cap", None)
    available_at = resend_available_at(data)
    if available_at is not None and now < available_at:
        return ("cooldown", available_at)
    return None


def idle_expires_at(data: CodeJourneyData) -> datetime | None:
    return _after(data.last_activity_at, data.policy.idle_lifetime)


def code_tries_left(data: CodeJourneyData) -> int:
    return max(data.policy.code_max_wrong_tries - data.wrong_code_tries, 0)


def code_step_deadline(data: CodeJourneyData, now: datetime, code_states: frozenset[str]) -> datetime | None:
    """The nearest moment the journey must wake up for. Code expiry and idleness fire events (and
    stay due until fired); the end of the resend cooldown only refreshes what the journey shows."""
    events = [idle_expires_at(data)]
    if data.state == "code_sent":
        events.append(data.code_expires_at)
    wake_ups = [resend_available_at(data)] if data.state in code_states else []
    moments = [m for m in events if m is not None] + [m for m in wake_ups if m is not None and m > now]
    return min(moments, default=None)


CodeData = TypeVar("CodeData", bound=CodeJourneyData)


class CodeStepChart(JourneyChart[CodeData]):
    """A journey's chart with a code step: its guard."""

    def resend_allowed(self, now: datetime) -> bool:
        return resend_refusal(self.model, now) is None
