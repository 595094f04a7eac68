"""Recovery journeys (« auto-dépannage », SPEC R-REC-1 … R-REC-7).

Both start the same way: the request is received and answered at once, the same way whether or
not an account matches (R-REC-7); the lookup and the message follow. With the setting that
restores the explicit error, an unknown address is refused and the request can be corrected."""

from __future__ import annotations

from statemachine import State

from parcours.contracts.common import Channel
from parcours.contracts.recovery import RecoveryData
from parcours.states.code_step import (
    CODE_STEP_UPDATES,
    CodeStepChart,
    code_step_states,
    code_step_transitions,
)
from parcours.states.journey import JourneyChart


class IdentifierRecoveryJourney(JourneyChart[RecoveryData]):
    """R-REC-1 (mail), R-REC-2 (SMS): the identifier is sent; nothing else changes."""

    user_updates = {"request_identifier": ("request_submitted", "request_not_recognised")}

    request_to_receive = State(initial=True)
    request_received = State()
    answered = State(final=True)
    abandoned = State(final=True)

    request_not_recognised = request_to_receive.to.itself(internal=True)  # explicit-error setting only
    request_submitted = request_to_receive.to(request_received)
    request_processed = request_received.to(answered)
    idle_timeout = request_to_receive.to(abandoned)


class PasswordResetJourney(CodeStepChart[RecoveryData]):
    """R-REC-3: a single-use link by mail; opening it shows the identifier and the password form,
    only choosing the password consumes it. R-REC-4: a code by SMS (valid 30 min, tries and resends
    as in activation), then the password. A request matching no account goes the same way with a
    link or code that never arrives (R-REC-7)."""

    user_updates = {
        "request_reset": ("request_submitted", "request_not_recognised"),
        "open_link": ("link_opened",),
        **CODE_STEP_UPDATES,
        "choose_password": ("password_set",),
    }

    request_to_receive = State(initial=True)
    request_received = State()
    link_sent = State()
    code_sent, code_expired, code_void, code_not_sent = code_step_states()
    password_to_choose = State()
    password_reset = State(final=True)
    link_expired = State(final=True)
    abandoned = State(final=True)
    superseded = State(final=True)

    request_not_recognised = request_to_receive.to.itself(internal=True)  # explicit-error setting only
    request_submitted = request_to_receive.to(request_received)
    reset_prepared = request_received.to(link_sent, cond="by_mail") | request_received.to(code_sent)
    link_opened = link_sent.to(password_to_choose) | password_to_choose.to.itself(internal=True)
    link_expiry_reached = link_sent.to(link_expired) | password_to_choose.to(link_expired, cond="by_mail")
    code_rejected, code_voided, code_expiry_reached, code_resent, code_send_failed = code_step_transitions(
        code_sent, code_expired, code_void, code_not_sent)
    code_accepted = code_sent.to(password_to_choose)
    password_set = password_to_choose.to(password_reset)
    idle_timeout = abandoned.from_(request_to_receive, code_sent, code_expired, code_void, code_not_sent,
                                   password_to_choose)
    newer_journey_started = superseded.from_(link_sent, code_sent, code_expired, code_void, code_not_sent,
                                             password_to_choose)

    def by_mail(self) -> bool:
        return self.model.channel is Channel.MAIL

