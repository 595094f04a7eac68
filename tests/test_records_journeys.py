"""School records in, through the real journeys: two guardians named Jean Dupont loaded from a CSV
both activate, with distinct identifiers; a birth date the school corrects and re-imports lets the
child that failed its tries be confirmed at the next sign-in (R-ACT-7, R-KID-2)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from parcours.db.models import StudentRecord
from parcours.records.importer import import_records
from parcours.records.rows import COLUMNS
from tests.activation_helpers import GOOD_PASSWORD

UAI = "0751234A"
JEAN_1 = {"mobile": "06 21 00 00 01", "e164": "+33621000001", "student": "E1", "first": "Lucas", "born": "12/03/2013"}
JEAN_2 = {"mobile": "06 21 00 00 02", "e164": "+33621000002", "student": "E2", "first": "Emma", "born": "05/09/2011"}


def row(jean: dict, guardian_id: str, born: str | None = None) -> str:
    return ";".join([UAI, "Collège Exemple", "6e A", jean["student"], "Dupont", jean["first"], born or jean["born"],
                     guardian_id, "Dupont", "Jean", "représentant légal", jean["mobile"], ""])


async def load(dependencies, tmp_path, *rows: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text("\n".join([";".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    report = await import_records(dependencies.sessions, path, "csv", dry_run=False, now=datetime.now(UTC))
    assert not report.errors and all(school.applied for school in report.schools), report


async def activate(parcours, inbox, jean: dict, born: str) -> tuple[str, str]:
    """The guardian's activation by SMS; (identifier, the child's ref)."""
    journey, outcome = await parcours.start_activation(
        {"channel": "sms", "last_name": "Dupont", "first_name": "Jean", "mobile": jean["mobile"]})
    assert outcome.status == "accepted", outcome
    outcome = await journey.submit_code(inbox.code_sent_to(jean["e164"]))
    [child] = outcome.step.children
    for _ in range(3):  # the right date, or the tries run out and the guardian goes on
        outcome = await journey.answer_child({"student_ref": child.student_ref, "is_guardian": True,
                                              "birth_date": born.replace("/", " ")})
        if outcome.step.state == "password_to_choose":
            break
    identifier = outcome.step.identifier
    outcome = await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    assert outcome.message == "Votre compte a été activé avec succès"
    return identifier, child.student_ref


async def test_two_guardians_named_jean_dupont_both_activate_with_distinct_identifiers(harness, inbox, tmp_path):
    parcours, dependencies = harness
    await load(dependencies, tmp_path, row(JEAN_1, "R1"), row(JEAN_2, "R2"))
    first, lucas = await activate(parcours, inbox, JEAN_1, JEAN_1["born"])
    second, emma = await activate(parcours, inbox, JEAN_2, JEAN_2["born"])
    assert {first, second} == {"j.dupont1", "j.dupont2"} and lucas != emma
    for identifier, student_ref in ((first, lucas), (second, emma)):
        signed_in = await parcours.sign_in(identifier, GOOD_PASSWORD)
        view = await parcours.account_view(signed_in.account_ref)
        assert [(c.student_ref, c.status) for c in view.children] == [(student_ref, "confirmed")]


async def test_a_corrected_birth_date_lets_the_child_be_confirmed_at_the_next_sign_in(harness, inbox, tmp_path):
    parcours, dependencies = harness
    await load(dependencies, tmp_path, row(JEAN_1, "R1", born="21/03/2013"))  # the school's typo
    identifier, lucas = await activate(parcours, inbox, JEAN_1, JEAN_1["born"])  # the tries run out
    signed_in = await parcours.sign_in(identifier, GOOD_PASSWORD)
    assert [c.status for c in (await parcours.account_view(signed_in.account_ref)).children] == ["unconfirmed"]
    await load(dependencies, tmp_path, row(JEAN_1, "R1"))  # corrected by the school
    async with dependencies.sessions() as session:
        assert f"{await session.scalar(select(StudentRecord.birth_date).where(StudentRecord.ref == lucas)):%d/%m/%Y}" \
               == JEAN_1["born"]
    signed_in = await parcours.sign_in(identifier, GOOD_PASSWORD)
    journey = await parcours.start_children_confirmation(signed_in.account_ref)
    step = await journey.current_step()
    assert step.state == "children_to_confirm" and [c.student_ref for c in step.children] == [lucas]
    outcome = await journey.answer_child({"student_ref": lucas, "is_guardian": True, "birth_date": "12 03 2013"})
    assert outcome.step.state == "confirmed"
    assert [c.status for c in (await parcours.account_view(signed_in.account_ref)).children] == ["confirmed"]


async def test_a_new_link_is_proposed_at_the_next_sign_in(harness, inbox, tmp_path):
    """R-KID-2: a student the school links to an active guardian later is proposed at sign-in."""
    parcours, dependencies = harness
    await load(dependencies, tmp_path, row(JEAN_1, "R1"))
    identifier, _ = await activate(parcours, inbox, JEAN_1, JEAN_1["born"])
    sibling = {**JEAN_2, "mobile": JEAN_1["mobile"]}  # Emma, now also Jean's child as the school has it
    await load(dependencies, tmp_path, row(JEAN_1, "R1"), row(sibling, "R1"))
    signed_in = await parcours.sign_in(identifier, GOOD_PASSWORD)
    journey = await parcours.start_children_confirmation(signed_in.account_ref)
    step = await journey.current_step()
    assert step.state == "children_to_confirm" and [c.display_name for c in step.children] == ["Emma D."]
