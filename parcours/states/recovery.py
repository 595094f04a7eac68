"""Recovery journeys (« auto-dépannage », SPEC R-REC-1 … R-REC-7).

Both start the same way: the request is received and answered at once, the same way whether or
not an account matches (R-REC-7); the lookup and the message follow. With the setting that
restores the explicit error, an unknown address is refused and the request can be corrected."""

from __future__ import annotations

from statemachine import State, StateChart

from parcours.contracts.recovery import RecoveryData


class IdentifierRecoveryJourney(StateChart[RecoveryData]):
    """R-REC-1 (mail), R-REC-2 (SMS): the identifier is sent; nothing else changes."""

    catch_errors_as_events = False
    allow_event_without_transition = False

    request_to_receive = State(initial=True)
    request_received = State()
    answered = State(final=True)
    abandoned = State(final=True)

    request_not_recognised = request_to_receive.to.itself(internal=True)  # explicit-error setting only
    request_submitted = request_to_receive.to(request_received)
    request_processed = request_received.to(answered)
    idle_timeout = request_to_receive.to(abandoned)


class PasswordResetJourney(StateChart[RecoveryData]):
    """R-REC-3: a single-use link by mail. Opening the link shows the identifier and the password
    form; only choosing the password consumes it."""

    catch_errors_as_events = False
    allow_event_without_transition = False

    request_to_receive = State(initial=True)
    request_received = State()
    link_sent = State()
    password_to_choose = State()
    password_reset = State(final=True)
    link_expired = State(final=True)
    abandoned = State(final=True)
    superseded = State(final=True)

    request_not_recognised = request_to_receive.to.itself(internal=True)  # explicit-error setting only
    request_submitted = request_to_receive.to(request_received)
    reset_prepared = request_received.to(link_sent)
    link_opened = link_sent.to(password_to_choose) | password_to_choose.to.itself(internal=True)
    password_set = password_to_choose.to(password_reset)
    link_expiry_reached = link_sent.to(link_expired) | password_to_choose.to(link_expired)
    idle_timeout = request_to_receive.to(abandoned)
    newer_journey_started = link_sent.to(superseded) | password_to_choose.to(superseded)
