"""How students to confirm are shown (R-ACT-7, R-KID-2): pure."""

from __future__ import annotations

from parcours import messages
from parcours.contracts.activation import ChildToConfirm, ChildView


def child_views(children: list[ChildToConfirm], max_tries: int) -> list[ChildView]:
    return [
        ChildView(student_ref=child.student_ref, display_name=child.display_name, school=child.school,
                  question=messages.CHILD_QUESTION[child.role], confirm_label=messages.CHILD_ANSWERS[child.role][0],
                  deny_label=messages.CHILD_ANSWERS[child.role][1], status=child.status,
                  birth_date_tries_left=max(max_tries - child.wrong_birth_dates, 0))
        for child in children
    ]
