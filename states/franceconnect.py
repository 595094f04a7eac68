"""Activation through FranceConnect (SPEC R-ACT-11)."""

from __future__ import annotations

from statemachine import State

from parcours.contracts.activation import ChildStatus
from parcours.contracts.franceconnect import FranceConnectData
from parcours.states.journey import JourneyChart


class FranceConnectActivationJourney(JourneyChart[FranceConnectData]):
    user_updates = {"answer_child": ("child_answered",)}

    identity_to_match = State(initial=True)
    children_to_confirm = State()  # R-ACT-7, as in activation
    account_to_activate = State()
    activated = State(final=True)
    not_found = State(final=True)
    subject_taken = State(final=True)  # a second activation with the same FranceConnect identity
    already_active = State(final=True)  # R-ACT-2
    abandoned = State(final=True)

    identity_matched = identity_to_match.to(children_to_confirm, cond="has_children_to_confirm") | identity_to_match.to(
        account_to_activate
    )
    identity_not_found = identity_to_match.to(not_found)
    subject_already_linked = identity_to_match.to(subject_taken)
    account_already_active = identity_to_match.to(already_active)
    child_answered = (children_to_confirm.to(account_to_activate, cond="all_children_answered")
                      | children_to_confirm.to.itself(internal=True))
    account_activated = account_to_activate.to(activated)
    idle_timeout = children_to_confirm.to(abandoned)

    def has_children_to_confirm(self) -> bool:
        return any(child.status is ChildStatus.TO_CONFIRM for child in self.model.children)

    def all_children_answered(self) -> bool:
        return not self.has_children_to_confirm()
