"""« Mes enfants »: the view, link reports with their outbox event, confirmations at sign-in, and
merging two accounts in one transaction (R-KID-1 … R-KID-3)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio import activity

from parcours import messages
from parcours.activities.accounts import account_by_ref
from parcours.activities.credentials import check_credentials
from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.activities import (
    ActivityName,
    MatchedChild,
    MergeRequest,
    MergeResult,
    PendingChildrenRequest,
    RecordChildrenRequest,
    ReportLinkRequest,
)
from parcours.contracts.children import AccountView, AccountViewRequest, ChildOfAccount
from parcours.db.models import (
    Account,
    AccountMerge,
    AccountStatus,
    AccountStudent,
    AccountStudentStatus,
    GuardianRecord,
    LinkEvent,
    StudentRecord,
)
from parcours.db.queries import (
    answers_of,
    linked_students,
    must_get,
    only_guardian_link,
    record_answers,
    record_event,
    set_answer,
)
from parcours.people.names import comparable_name


def initials(student: StudentRecord) -> str:
    return f"{student.first_name[:1]}. {student.last_name[:1]}."


class ChildrenActivities:
    def __init__(self, dependencies: ActivityDependencies):
        self.deps = dependencies

    @activity.defn(name=ActivityName.ACCOUNT_VIEW)
    async def account_view(self, request: AccountViewRequest) -> AccountView:
        """« Mes informations » and « Mes enfants » (students with initials and birth dates). A
        reported student has left the account (R-KID-3) and is not listed; it comes back when the
        link is confirmed again at a later sign-in (R-KID-2)."""
        async with self.deps.sessions() as session:
            account = await account_by_ref(session, request.account_ref)
            answers = await answers_of(session, account)
            children = [
                ChildOfAccount(student_ref=student.ref, initials=initials(student),
                               birth_date=student.birth_date if status == AccountStudentStatus.CONFIRMED else None,
                               school=student.school, class_name=student.class_name, role=link.role,
                               role_label=messages.ROLE_LABELS.get(link.role, link.role),
                               status=status, status_label=messages.LINK_STATUS_LABELS[status])
                for link, student in (await linked_students(session, account) if account.guardian_id else [])
                if (status := answers.get(student.id, "new")) != AccountStudentStatus.REPORTED
            ]
        return AccountView(account_ref=account.ref, identifier=account.identifier, kind=account.kind,
                           status=account.status, email=account.email, email_status=account.email_status,
                           pending_email=account.pending_email, mobile=account.mobile,
                           mobile_status=account.mobile_status, pending_mobile=account.pending_mobile,
                           franceconnect=account.franceconnect_subject is not None, children=children,
                           session_generation=account.session_generation)

    @activity.defn(name=ActivityName.REPORT_LINK)
    async def report_link(self, request: ReportLinkRequest) -> str:
        """R-KID-3: "reported", "only_link" (nothing changes) or "not_linked" (not a student of the
        account, or one reported already: it has left the account); the event is written with the
        change, once per journey."""
        key = f"{request.key_scope}/reported"
        try:
            async with self.deps.sessions.begin() as session:
                if await session.scalar(select(LinkEvent.id).where(LinkEvent.idempotency_key == key)) is not None:
                    return "reported"  # a retry after the commit
                account = await account_by_ref(session, request.account_ref)
                answers = await answers_of(session, account)
                student = next((s for _, s in await linked_students(session, account)
                                if s.ref == request.student_ref and answers.get(s.id) != AccountStudentStatus.REPORTED),
                               None)
                if student is None:
                    return "not_linked"
                if await only_guardian_link(session, student):
                    return "only_link"
                await set_answer(session, account, student, AccountStudentStatus.REPORTED, request.now)
                record_event(session, key, "link_reported", account, student, request.now)
                record_event(session, f"{request.key_scope}/left", "student_left", account, student, request.now)
                return "reported"
        except IntegrityError:  # the event of this journey is there already: a retry after the commit
            return "reported"

    @activity.defn(name=ActivityName.PENDING_CHILDREN)
    async def pending_children(self, request: PendingChildrenRequest) -> list[MatchedChild]:
        """R-KID-2: students newly linked in the school records, left unconfirmed, or reported."""
        async with self.deps.sessions() as session:
            account = await account_by_ref(session, request.account_ref)
            answers = await answers_of(session, account)
            return [
                MatchedChild(student_ref=student.ref, display_name=f"{student.first_name} {student.last_name[:1]}.",
                             school=student.school, role=link.role)
                for link, student in await linked_students(session, account)
                if answers.get(student.id) != AccountStudentStatus.CONFIRMED
            ]

    @activity.defn(name=ActivityName.RECORD_CHILDREN)
    async def record_children(self, request: RecordChildrenRequest) -> bool:
        """The answers of a confirmation at sign-in, with their events, in one transaction."""
        try:
            async with self.deps.sessions.begin() as session:
                account = await account_by_ref(session, request.account_ref)
                students = {s.ref: s for _, s in await linked_students(session, account)}
                await record_answers(session, request.key_scope, account, students, request.children, request.now)
            return True
        except IntegrityError:  # a retry after the commit
            return True

    @activity.defn(name=ActivityName.MERGE_ACCOUNTS)
    async def merge_accounts(self, request: MergeRequest) -> MergeResult:
        """R-KID-1 in one transaction: the other account's password (provisional or current; a wrong
        one counts against its sign-in cap), identical names, then its students' answers move over
        and it is closed as merged. Any failure rolls everything back."""
        key = f"{request.key_scope}/merged"
        async with self.deps.sessions.begin() as session:
            done = await session.get(AccountMerge, key)
            if done is not None:  # a retry after the commit: the other account is merged already, by us
                merged = await must_get(session, Account, done.merged_account_id)
                return MergeResult(status="merged", identifier=merged.identifier, moved_students=done.moved_students)
            keep = await account_by_ref(session, request.account_ref)
            other = await session.scalar(select(Account).where(Account.identifier == request.other_identifier)
                                         .with_for_update())
            if other is not None and other.id == keep.id:
                return MergeResult(status="same_account")
            check = await check_credentials(other, request.other_password, request.now, request.max_failures,
                                            request.lockout, allow_provisional=True,
                                            tries_per_hour=self.deps.account_failed_tries_per_hour,
                                            attempt_key=request.attempt_key)
            if check.locked_until is not None:
                return MergeResult(status="locked", locked_until=check.locked_until)
            if other is None or not check.valid:  # an unknown identifier is never valid
                return MergeResult(status="invalid")
            if not await same_person(session, keep, other):
                return MergeResult(status="names_differ")
            moved = await self.move_students(session, keep, other, request)
            other.status = AccountStatus.MERGED
            other.merged_into_id = keep.id
            keep.session_generation += 1  # both accounts' sessions end (the kept one has new students)
            other.session_generation += 1
            session.add(AccountMerge(idempotency_key=key, kept_account_id=keep.id, merged_account_id=other.id,
                                     moved_students=moved, merged_at=request.now))
            record_event(session, key, "links_merged", keep, None, request.now, other=other)
            return MergeResult(status="merged", identifier=other.identifier, moved_students=moved)

    async def move_students(self, session: AsyncSession, keep: Account, other: Account, request: MergeRequest) -> int:
        """The other account's answers become the kept account's (a confirmation wins over none)."""
        kept_answers = await answers_of(session, keep)
        moved = 0
        for row in (await session.scalars(select(AccountStudent).where(AccountStudent.account_id == other.id))).all():
            if kept_answers.get(row.student_id) != AccountStudentStatus.CONFIRMED:
                await session.merge(AccountStudent(account_id=keep.id, student_id=row.student_id, status=row.status,
                                                   updated_at=request.now))
            await session.delete(row)
            await session.flush()
            moved += 1
        return moved


async def same_person(session: AsyncSession, keep: Account, other: Account) -> bool:
    """Seed 004: "le nom et le prénom des comptes à regrouper [doivent être] identiques" — compared
    as R-ACT-1 compares names: without case, accents or extra spaces."""
    first = await session.get(GuardianRecord, keep.guardian_id) if keep.guardian_id else None
    second = await session.get(GuardianRecord, other.guardian_id) if other.guardian_id else None
    if first is None or second is None:
        return False
    return (comparable_name(first.last_name), comparable_name(first.first_name)) == (
        comparable_name(second.last_name), comparable_name(second.first_name))
