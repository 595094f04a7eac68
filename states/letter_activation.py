"""Activation by notification letter (SPEC R-ACT-10)."""

from __future__ import annotations

from statemachine import State

from parcours.contracts.letter_activation import LetterActivationData
from parcours.states.journey import JourneyChart


class LetterActivationJourney(JourneyChart[LetterActivationData]):
    user_updates = {
        "submit_credentials": ("credentials_accepted", "credentials_rejected"),
        "submit_details": ("details_given",),
    }

    credentials_to_check = State(initial=True)
    details_to_give = State()  # email (mandatory for guardians) and the new password
    activated = State(final=True)  # the email then goes through the email-change confirmation
    abandoned = State(final=True)

    credentials_rejected = credentials_to_check.to.itself(internal=True)
    credentials_accepted = credentials_to_check.to(details_to_give)
    details_given = details_to_give.to(activated)
    idle_timeout = abandoned.from_.any()
