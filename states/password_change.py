"""Password change from « Mon compte » (SPEC R-CON-1): signed in, current password, new one twice."""

from __future__ import annotations

from statemachine import State

from parcours.contracts.accounts import PasswordChangeData
from parcours.states.journey import JourneyChart


class PasswordChangeJourney(JourneyChart[PasswordChangeData]):
    user_updates = {
        "change_password": ("password_changed", "current_password_rejected", "franceconnect_detected"),
    }

    password_to_change = State(initial=True)
    changed = State(final=True)
    franceconnect_account = State(final=True)  # no password here: FranceConnect FAQ (R-REC-6)
    abandoned = State(final=True)

    current_password_rejected = password_to_change.to.itself(internal=True)
    password_changed = password_to_change.to(changed)
    franceconnect_detected = password_to_change.to(franceconnect_account)
    idle_timeout = password_to_change.to(abandoned)
