"""Contact changes from « Mon compte » (SPEC R-CON-2 … R-CON-9)."""

from __future__ import annotations

from datetime import datetime

from statemachine import State

from parcours.contracts.contact import EmailChangeData, MobileChangeData
from parcours.states.code_step import (
    CODE_STEP_UPDATES,
    CodeStepChart,
    code_step_states,
    code_step_transitions,
    resend_refusal,
)
from parcours.states.journey import JourneyChart


class EmailChangeJourney(JourneyChart[EmailChangeData]):
    """R-CON-2 … R-CON-6, R-CON-8: one per account. A new request, or « Renvoyer le mail », sends a
    new link that voids the previous one; the link confirms only for the signed-in account."""

    user_updates = {
        "request_change": ("change_requested",),
        "resend_link": ("link_resent",),  # not link_send_failed: a request's too, before any link
        "open_link": ("link_opened",),
        "confirm": ("address_confirmed",),
    }

    change_to_request = State(initial=True)
    link_sent = State()
    link_not_sent = State()  # the mail server was down past the send budget: the user asks a resend
    confirmed = State(final=True)
    expired = State(final=True)
    abandoned = State(final=True)

    change_requested = (  # R-CON-6: replaces
        change_to_request.to(link_sent) | link_sent.to.itself() | link_not_sent.to(link_sent))
    link_resent = link_sent.to.itself(cond="resend_allowed") | link_not_sent.to(link_sent, cond="resend_allowed")
    link_send_failed = (  # the previous link was voided before the send: it is gone too
        change_to_request.to(link_not_sent) | link_sent.to(link_not_sent) | link_not_sent.to.itself(internal=True))
    link_opened = link_sent.to.itself(internal=True)
    address_confirmed = link_sent.to(confirmed)
    link_expiry_reached = link_sent.to(expired)  # R-CON-8: the confirmed address stays
    idle_timeout = abandoned.from_(change_to_request, link_not_sent)

    def resend_allowed(self, now: datetime) -> bool:
        return resend_refusal(self.model, now) is None


class MobileChangeJourney(CodeStepChart[MobileChangeData]):
    """R-CON-7: the new number, a code by SMS (30 min; tries, cooldown and cap as in activation),
    pending on the account until confirmed; a newer number replaces the pending one."""

    user_updates = {
        "request_change": ("change_requested",),
        **CODE_STEP_UPDATES,
    }

    number_to_request = State(initial=True)
    code_sent, code_expired, code_void, code_not_sent = code_step_states()
    number_to_save = State()
    confirmed = State(final=True)
    abandoned = State(final=True)

    change_requested = (
        number_to_request.to(code_sent) | code_sent.to.itself() | code_expired.to(code_sent) | code_void.to(code_sent)
        | code_not_sent.to(code_sent)
    )
    code_rejected, code_voided, code_expiry_reached, code_resent, code_send_failed = code_step_transitions(
        code_sent, code_expired, code_void, code_not_sent, number_to_request)
    code_accepted = code_sent.to(number_to_save)
    number_saved = number_to_save.to(confirmed)
    idle_timeout = abandoned.from_.any()

