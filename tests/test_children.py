"""« Mes enfants »: merge (R-KID-1), new students at sign-in (R-KID-2), link reports (R-KID-3)."""

from datetime import UTC

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from temporalio.testing import ActivityEnvironment

from parcours.activities.children import ChildrenActivities
from parcours.contracts.activities import MergeRequest
from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_PROVISIONAL_PASSWORD
from parcours.db.models import Account, AccountStudent, LinkEvent

SOPHIE = "s.bernard1"
SOPHIE_AT_ANOTHER_SCHOOL = "s.bernard2"


async def signed_in(parcours, identifier=SOPHIE, password=DEMO_ACTIVE_PASSWORD) -> str:
    result = await parcours.sign_in(identifier, password)
    assert result.status == "signed_in", result
    return result.account_ref


async def snapshot(dependencies) -> tuple:
    """Both Bernard accounts and every answer row, to compare before and after."""
    async with dependencies.sessions() as session:
        sophies = (await session.scalars(select(Account).where(Account.identifier.like("s.bernard%")))).all()
        accounts = sorted((a.identifier, a.status, a.merged_into_id, a.failed_sign_ins) for a in sophies)
        links = (await session.scalars(select(AccountStudent))).all()
        answers = sorted((r.account_id, r.student_id, r.status) for r in links)
    return accounts, answers


async def events(dependencies) -> list[tuple]:
    async with dependencies.sessions() as session:
        events = (await session.scalars(select(LinkEvent).order_by(LinkEvent.id))).all()
        return [(e.kind, e.student_ref) for e in events]


async def test_children_view_shows_initials_and_no_birth_date_before_the_link_is_confirmed(parcours):
    """The birth date proves the link (R-ACT-7, R-KID-2): « Mes enfants » shows it once confirmed."""
    view = await parcours.account_view(await signed_in(parcours))
    assert view.identifier == SOPHIE and view.email_status == "confirmed" and view.mobile_status == "confirmed"
    [tom] = view.children
    assert tom.initials == "T. B." and tom.birth_date is None and tom.status == "new"
    assert tom.status_label == "Lien à confirmer" and tom.role_label == "Représentant légal"


async def test_new_students_are_confirmed_at_sign_in(parcours, harness):
    """R-KID-2 (with R-ACT-7's birth-date check): a student linked in the school records and not yet
    confirmed is proposed; once confirmed, nothing is left to confirm."""
    _, dependencies = harness
    account_ref = await signed_in(parcours)
    journey = await parcours.start_children_confirmation(account_ref)
    step = await journey.current_step()
    assert step.state == "children_to_confirm" and [c.student_ref for c in step.children] == ["stu-tom-bernard"]
    outcome = await journey.answer_child(
        {"student_ref": "stu-tom-bernard", "is_guardian": True, "birth_date": "01 01 2015"})
    assert outcome.status == "birth_date_incorrect" and outcome.tries_left == 2
    outcome = await journey.answer_child(
        {"student_ref": "stu-tom-bernard", "is_guardian": True, "birth_date": "05 11 2015"})
    assert outcome.step.state == "confirmed"
    [tom] = (await parcours.account_view(account_ref)).children
    assert tom.status == "confirmed" and str(tom.birth_date) == "2015-11-05"
    assert await events(dependencies) == [("link_confirmed", "stu-tom-bernard")]
    again = await parcours.start_children_confirmation(account_ref)
    assert (await again.current_step()).state in ("nothing_to_confirm", "confirmed")


async def test_report_then_confirm_again_at_a_later_sign_in(parcours, harness):
    """R-KID-3: the link is reported, the student leaves the list, the services get one event; the
    guardian can confirm the link again later."""
    _, dependencies = harness
    account_ref = await signed_in(parcours)
    step = await parcours.report_link(account_ref, "stu-tom-bernard")
    assert step.state == "reported" and "les services sont prévenus" in step.messages[0]
    # « cet élève n'apparaît plus dans votre compte »: « Mes enfants » agrees.
    assert "n'apparaît plus dans votre compte" in step.messages[0]
    assert (await parcours.account_view(account_ref)).children == []
    assert await events(dependencies) == [("link_reported", "stu-tom-bernard"), ("student_left", "stu-tom-bernard")]
    journey = await parcours.start_children_confirmation(account_ref)
    assert [c.student_ref for c in (await journey.current_step()).children] == ["stu-tom-bernard"]
    await journey.answer_child({"student_ref": "stu-tom-bernard", "is_guardian": True, "birth_date": "2015-11-05"})
    assert [c.status for c in (await parcours.account_view(account_ref)).children] == ["confirmed"]


async def test_report_of_the_only_guardian_link_changes_nothing(parcours, harness):
    """R-KID-3: "S'il y a un seul lien responsable-élève, l'action ne sera pas prise en compte"."""
    _, dependencies = harness
    async with dependencies.sessions() as session:
        hugo_guardian = await session.scalar(select(Account.ref).where(Account.identifier == "e.dupontlefevre1"))
    before = await snapshot(dependencies)
    step = await parcours.report_link(hugo_guardian, "stu-hugo-dupont")
    assert step.state == "only_link_kept"
    assert step.messages == ["S'il y a un seul lien responsable-élève, l'action ne sera pas prise en compte."]
    assert await snapshot(dependencies) == before and await events(dependencies) == []


async def test_report_is_recorded_once_even_when_the_activity_is_retried(harness):
    """The event is written with the change, keyed by the journey: a retry adds nothing."""
    parcours, dependencies = harness
    from datetime import datetime

    from parcours.contracts.activities import ReportLinkRequest

    account_ref = await signed_in(parcours)
    request = ReportLinkRequest(journey_id="link-report/retried", account_ref=account_ref,
                                student_ref="stu-tom-bernard", now=datetime.now(UTC))
    activities = ChildrenActivities(dependencies)
    assert await ActivityEnvironment().run(activities.report_link, request) == "reported"
    assert await ActivityEnvironment().run(activities.report_link, request) == "reported"
    assert await events(dependencies) == [("link_reported", "stu-tom-bernard"), ("student_left", "stu-tom-bernard")]


async def test_merge_moves_the_students_and_closes_the_other_account(parcours, harness):
    """R-KID-1: signed in with the account to keep, the other's identifier and provisional password;
    its students move over, it is closed as merged and says so at sign-in."""
    _, dependencies = harness
    account_ref = await signed_in(parcours)
    journey = await parcours.start_merge(account_ref)
    outcome = await journey.merge(SOPHIE_AT_ANOTHER_SCHOOL, DEMO_PROVISIONAL_PASSWORD)
    assert outcome.status == "accepted" and outcome.step.state == "merged"
    children = {c.student_ref for c in (await parcours.account_view(account_ref)).children}
    assert children == {"stu-tom-bernard", "stu-zoe-bernard"}
    merged = await parcours.sign_in(SOPHIE_AT_ANOTHER_SCHOOL, DEMO_PROVISIONAL_PASSWORD)
    assert merged.status == "invalid"  # a provisioned account never signs in with its letter password here
    assert ("links_merged", None) in await events(dependencies)
    async with dependencies.sessions() as session:
        other = await session.scalar(select(Account).where(Account.identifier == SOPHIE_AT_ANOTHER_SCHOOL))
    assert other.status == "merged" and other.merged_into_id is not None


async def test_merge_of_two_active_accounts(parcours, harness):
    """R-KID-1: works with two active accounts too; the merged one, signing in, is told where to go."""
    _, dependencies = harness
    async with dependencies.sessions.begin() as session:
        other = await session.scalar(select(Account).where(Account.identifier == SOPHIE_AT_ANOTHER_SCHOOL))
        other.status, other.password_hash = "active", (await session.scalar(
            select(Account.password_hash).where(Account.identifier == SOPHIE)))
    journey = await parcours.start_merge(await signed_in(parcours))
    assert (await journey.merge(SOPHIE_AT_ANOTHER_SCHOOL, DEMO_ACTIVE_PASSWORD)).status == "accepted"
    merged = await parcours.sign_in(SOPHIE_AT_ANOTHER_SCHOOL, DEMO_ACTIVE_PASSWORD)
    assert merged.status == "merged" and "regroupé" in merged.message


async def test_merge_refuses_different_names(parcours, harness):
    """R-KID-1: last and first names must be identical (compared without case or accents)."""
    _, dependencies = harness
    async with dependencies.sessions.begin() as session:
        camille = await session.scalar(select(Account).where(Account.identifier == "c.martin1"))
        camille.provisional_password_hash = (await session.scalar(
            select(Account.provisional_password_hash).where(Account.identifier == SOPHIE_AT_ANOTHER_SCHOOL)))
    before = await snapshot(dependencies)
    journey = await parcours.start_merge(await signed_in(parcours))
    outcome = await journey.merge("c.martin1", DEMO_PROVISIONAL_PASSWORD)
    assert outcome.status == "names_differ" and outcome.step.state == "other_account_to_give"
    assert await snapshot(dependencies) == before


async def test_merge_wrong_password_counts_against_the_other_account(parcours, harness):
    _, dependencies = harness
    journey = await parcours.start_merge(await signed_in(parcours))
    outcome = await journey.merge(SOPHIE_AT_ANOTHER_SCHOOL, "Pas-Le-Bon-1!")
    assert outcome.status == "invalid" and outcome.message == "Identifiant ou mot de passe incorrect."
    async with dependencies.sessions() as session:
        other = await session.scalar(select(Account).where(Account.identifier == SOPHIE_AT_ANOTHER_SCHOOL))
    assert other.failed_sign_ins == 1 and other.status == "provisioned"
    with pytest.raises(ValidationError, match="identifier"):
        await journey.merge("not an identifier", "x")


async def test_merge_failure_half_way_leaves_both_accounts_as_they_were(harness, monkeypatch):
    """R-KID-1: all or nothing — the database failing after some students moved changes nothing."""
    parcours, dependencies = harness
    from datetime import datetime, timedelta

    keep_ref = await signed_in(parcours)
    async with dependencies.sessions.begin() as session:  # give the other account two answers to move
        other = await session.scalar(select(Account).where(Account.identifier == SOPHIE_AT_ANOTHER_SCHOOL))
        for student_id in (1, 2):
            session.add(AccountStudent(account_id=other.id, student_id=student_id, status="confirmed",
                                       updated_at=datetime.now(UTC)))
    before = await snapshot(dependencies)
    activities = ChildrenActivities(dependencies)
    moved = []
    original_merge = type(activities).move_students

    async def fail_half_way(self, session, keep, other_account, request):
        rows = (await session.scalars(
            select(AccountStudent).where(AccountStudent.account_id == other_account.id))).all()
        await session.merge(AccountStudent(account_id=keep.id, student_id=rows[0].student_id, status="confirmed",
                                           updated_at=request.now))
        await session.delete(rows[0])
        await session.flush()  # one student has moved…
        moved.append(rows[0].student_id)
        raise ConnectionError("database gone")  # …and the database fails

    monkeypatch.setattr(type(activities), "move_students", fail_half_way)
    request = MergeRequest(journey_id="account-merge/test", account_ref=keep_ref,
                           other_identifier=SOPHIE_AT_ANOTHER_SCHOOL, other_password=DEMO_PROVISIONAL_PASSWORD,
                           now=datetime.now(UTC), max_failures=10, lockout=timedelta(minutes=15))
    with pytest.raises(ConnectionError):
        await ActivityEnvironment().run(activities.merge_accounts, request)
    assert moved and await snapshot(dependencies) == before
    monkeypatch.setattr(type(activities), "move_students", original_merge)
    assert (await ActivityEnvironment().run(activities.merge_accounts, request)).status == "merged"


async def test_merge_retried_after_its_commit_answers_as_the_first_attempt(harness):
    """R-KID-1: the merge committed but its answer was lost (the connection dropped): the retried
    activity finds its own merge, by the journey's key, and answers « merged » again, not a failed
    sign-in on the account it has just merged; nothing is merged or counted twice."""
    parcours, dependencies = harness
    from datetime import datetime, timedelta

    request = MergeRequest(journey_id="account-merge/retried", account_ref=await signed_in(parcours),
                           other_identifier=SOPHIE_AT_ANOTHER_SCHOOL, other_password=DEMO_PROVISIONAL_PASSWORD,
                           now=datetime.now(UTC), max_failures=10, lockout=timedelta(minutes=15))
    activities = ChildrenActivities(dependencies)
    first = await ActivityEnvironment().run(activities.merge_accounts, request)
    after_first = await snapshot(dependencies)
    retried = await ActivityEnvironment().run(activities.merge_accounts, request)
    assert first.status == "merged" and retried == first
    assert await snapshot(dependencies) == after_first
    assert [kind for kind, _ in await events(dependencies)].count("links_merged") == 1


async def test_activation_report_of_a_shared_student_is_recorded_with_its_event(parcours, harness, inbox):
    """R-ACT-7 « Je ne suis pas … » reports the link as R-KID-3 does when the student has another
    guardian: the link is reported and the services get the event."""
    _, dependencies = harness
    journey, _ = await parcours.start_activation({"channel": "sms", "last_name": "Bernard", "first_name": "Paul",
                                                  "mobile": "0677889900"})
    await journey.submit_code(inbox.last_code())
    outcome = await journey.answer_child({"student_ref": "stu-tom-bernard", "is_guardian": False})
    assert outcome.status == "link_reported"
    await journey.choose_password("Cartable-2026!", "Cartable-2026!")
    view = await parcours.account_view((await parcours.sign_in("p.bernard1", "Cartable-2026!")).account_ref)
    assert view.children == []  # the reported student has left the account (R-KID-3)
    assert await events(dependencies) == [("account_activated", None), ("contact_confirmed", None),
                                          ("link_reported", "stu-tom-bernard"), ("student_left", "stu-tom-bernard")]


async def test_a_student_reported_already_cannot_be_reported_again(parcours, harness):
    """R-KID-3: once reported the student has left the account: a second report answers as for a
    student not in it, and the services get one event, not two."""
    _, dependencies = harness
    account_ref = await signed_in(parcours)
    assert (await parcours.report_link(account_ref, "stu-tom-bernard")).state == "reported"
    again = await parcours.report_link(account_ref, "stu-tom-bernard")
    assert again.state != "reported"
    assert await events(dependencies) == [("link_reported", "stu-tom-bernard"), ("student_left", "stu-tom-bernard")]
