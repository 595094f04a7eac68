"""Contact changes from « Mon compte » (SPEC R-CON-2 … R-CON-9)."""

from __future__ import annotations

from datetime import datetime

from statemachine import State, StateChart

from parcours.contracts.contact import EmailChangeData
from parcours.states.code_step import resend_refusal


class EmailChangeJourney(StateChart[EmailChangeData]):
    """R-CON-2 … R-CON-6, R-CON-8: one per account. A new request, or « Renvoyer le mail », sends a
    new link that voids the previous one; the link confirms only for the signed-in account."""

    catch_errors_as_events = False
    allow_event_without_transition = False

    change_to_request = State(initial=True)
    link_sent = State()
    confirmed = State(final=True)
    expired = State(final=True)
    abandoned = State(final=True)

    change_requested = change_to_request.to(link_sent) | link_sent.to.itself()  # R-CON-6: replaces
    link_resent = link_sent.to.itself(cond="resend_allowed")
    link_opened = link_sent.to.itself(internal=True)
    address_confirmed = link_sent.to(confirmed)
    link_expiry_reached = link_sent.to(expired)  # R-CON-8: the confirmed address stays
    idle_timeout = change_to_request.to(abandoned)

    def resend_allowed(self, now: datetime) -> bool:
        return resend_refusal(self.model, now) is None
