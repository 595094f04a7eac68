"""The children step (R-ACT-7, R-KID-2): each student linked in the school records is confirmed
with a birth date (3 tries, then left unconfirmed and proposed again later), or the link reported
(« Je ne suis pas le représentant légal »). Shared by activation and the sign-in confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activation import ChildAnswerInput, ChildStatus, ChildToConfirm
    from parcours.contracts.activities import ActivityName, CheckBirthDateRequest
    from parcours.contracts.common import FieldError, OutcomeStatus
    from parcours.workflows.common import JourneyWorkflow, rejection


class ChildrenStep(JourneyWorkflow):
    """Needs, from the journey workflow: `data.children`, `data.account_ref`,
    `birth_date_max_tries()`, `_activity`, `_fire`, `_touch`, `_outcome`; its machine fires
    `child_answered` after each answer."""

    # The journey's own (annotations only: the workflow's definitions come first in its MRO).
    _outcome: Callable[..., Any]
    birth_date_max_tries: Callable[[], int]

    async def _answer_child(self, answer: ChildAnswerInput):
        self._touch()
        child = self._pending_child(answer.student_ref)
        if not answer.is_guardian:  # "Je ne suis pas …" reports the link (R-KID-3)
            child.status = ChildStatus.REPORTED
            self._fire("child_answered")
            return self._outcome(OutcomeStatus.LINK_REPORTED, messages.LINK_REPORTED)
        correct: bool = await self._activity(
            ActivityName.CHECK_BIRTH_DATE, bool,
            CheckBirthDateRequest(account_ref=self.data.account_ref, student_ref=child.student_ref,
                                  birth_date=answer.birth_date),
            summary="check a birth date",
        )
        if correct:
            child.status = ChildStatus.CONFIRMED
            self._fire("child_answered")
            return self._outcome(OutcomeStatus.ACCEPTED, messages.CHILD_CONFIRMED)
        child.wrong_birth_dates += 1
        tries_left = self.birth_date_max_tries() - child.wrong_birth_dates
        if tries_left > 0:
            self._fire("child_answered")
            return self._outcome(OutcomeStatus.BIRTH_DATE_INCORRECT, messages.BIRTH_DATE_INCORRECT,
                                 tries_left=tries_left)
        child.status = ChildStatus.UNCONFIRMED  # "Continuez votre inscription cependant"
        self._fire("child_answered")
        return self._outcome(OutcomeStatus.CHILD_LEFT_UNCONFIRMED, messages.CHILD_LEFT_UNCONFIRMED, tries_left=0)

    def _pending_child(self, student_ref: str) -> ChildToConfirm:
        for child in self.data.children:
            if child.student_ref == student_ref and child.status is ChildStatus.TO_CONFIRM:
                return child
        raise rejection("unknown_student", messages.UNKNOWN_STUDENT,
                        [FieldError(field="student_ref", message=messages.UNKNOWN_STUDENT_FIELD)],
                        debug=f"{student_ref} is not a student waiting for confirmation")
