"""« Mes enfants » journeys (SPEC R-KID-1 … R-KID-3)."""

from __future__ import annotations

from statemachine import State

from parcours.contracts.activation import ChildStatus
from parcours.contracts.children import ChildrenData, LinkReportData, MergeData
from parcours.states.journey import JourneyChart


class ChildrenConfirmationJourney(JourneyChart[ChildrenData]):
    """R-KID-2 at sign-in: students newly linked in the school records, left unconfirmed or reported
    earlier, confirmed with their birth date as in activation (R-ACT-7)."""

    user_updates = {"answer_child": ("child_answered",)}

    children_to_look_up = State(initial=True)
    children_to_confirm = State()
    nothing_to_confirm = State(final=True)
    confirmed = State(final=True)
    abandoned = State(final=True)

    children_found = (children_to_look_up.to(children_to_confirm, cond="has_children_to_confirm")
                      | children_to_look_up.to(nothing_to_confirm))
    child_answered = children_to_confirm.to(confirmed, cond="all_children_answered") | children_to_confirm.to.itself(
        internal=True
    )
    idle_timeout = children_to_confirm.to(abandoned)

    def has_children_to_confirm(self) -> bool:
        return any(child.status is ChildStatus.TO_CONFIRM for child in self.model.children)

    def all_children_answered(self) -> bool:
        return not self.has_children_to_confirm()


class LinkReportJourney(JourneyChart[LinkReportData]):
    """R-KID-3: « Je ne suis pas le représentant légal de cet élève »."""

    report_received = State(initial=True)
    reported = State(final=True)
    only_link_kept = State(final=True)  # the student's only guardian link: nothing changes
    not_linked = State(final=True)

    link_reported = report_received.to(reported)
    sole_link_found = report_received.to(only_link_kept)
    unknown_student = report_received.to(not_linked)


class AccountMergeJourney(JourneyChart[MergeData]):
    """R-KID-1: « Ajouter des élèves depuis un autre compte », all or nothing."""

    user_updates = {"merge": ("accounts_merged", "merge_refused")}

    other_account_to_give = State(initial=True)
    merged = State(final=True)
    abandoned = State(final=True)

    merge_refused = other_account_to_give.to.itself(internal=True)
    accounts_merged = other_account_to_give.to(merged)
    idle_timeout = other_account_to_give.to(abandoned)
