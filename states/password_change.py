"""Password change from « Mon compte » (SPEC R-CON-1): signed in, current password, new one twice."""

from __future__ import annotations

from statemachine import State, StateChart

from parcours.contracts.accounts import PasswordChangeData


class PasswordChangeJourney(StateChart[PasswordChangeData]):
    catch_errors_as_events = False
    allow_event_without_transition = False

    password_to_change = State(initial=True)
    changed = State(final=True)
    franceconnect_account = State(final=True)  # no password here: FranceConnect FAQ (R-REC-6)
    abandoned = State(final=True)

    current_password_rejected = password_to_change.to.itself(internal=True)
    password_changed = password_to_change.to(changed)
    franceconnect_detected = password_to_change.to(franceconnect_account)
    idle_timeout = password_to_change.to(abandoned)
