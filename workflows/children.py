"""« Mes enfants » workflows: the account view, link reports (R-KID-3), confirmation of new students
at sign-in (R-KID-2), merging accounts (R-KID-1)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activation import ChildAnswerInput, ChildToConfirm
    from parcours.contracts.activities import (
        ActivityName,
        ChildDecision,
        MatchedChild,
        MergeRequest,
        MergeResult,
        PendingChildrenRequest,
        RecordChildrenRequest,
        ReportLinkRequest,
    )
    from parcours.contracts.children import (
        ACCOUNT_VIEW_WORKFLOW,
        CHILDREN_WORKFLOW,
        LINK_REPORT_WORKFLOW,
        MERGE_WORKFLOW,
        AccountView,
        AccountViewRequest,
        ChildrenConfirmationStep,
        ChildrenData,
        ChildrenOutcome,
        ChildrenStart,
        LinkReportData,
        LinkReportStart,
        LinkReportStep,
        MergeData,
        MergeInput,
        MergeOutcome,
        MergeStart,
        MergeStep,
    )
    from parcours.refusals import sign_in_locked
    from parcours.states.children import AccountMergeJourney, ChildrenConfirmationJourney, LinkReportJourney
    from parcours.states.children_view import child_views
    from parcours.workflows.children_step import ChildrenStep
    from parcours.workflows.common import JourneyWorkflow, journey_workflow, local_activity_options
    from parcours.workflows.updates import journey_update

# The charts' states, e.g. `Merge.abandoned.value`, rather than their names spelt again.
Merge = AccountMergeJourney
Children = ChildrenConfirmationJourney


@journey_workflow(ACCOUNT_VIEW_WORKFLOW)
class AccountViewWorkflow:
    """« Mon compte / Mes informations » and « Mes enfants », read through Temporal like the rest."""

    @workflow.run
    async def run(self, request: AccountViewRequest) -> AccountView:
        return await workflow.execute_local_activity(ActivityName.ACCOUNT_VIEW.value, request, result_type=AccountView,
                                               summary="read the account", **local_activity_options())


@journey_workflow(LINK_REPORT_WORKFLOW, kind="link_report")
class LinkReportWorkflow(JourneyWorkflow):
    results = {"reported": ("link_reported", messages.LINK_REPORT_DONE),
               "only_link": ("sole_link_found", messages.LINK_REPORT_ONLY_LINK),
               "not_linked": ("unknown_student", messages.LINK_REPORT_NOT_LINKED)}

    @workflow.init
    def __init__(self, start: LinkReportStart) -> None:
        self._init_journey(LinkReportData(account_ref=start.account_ref, student_ref=start.student_ref),
                           LinkReportJourney)
        self.message = ""

    @workflow.run
    async def run(self, start: LinkReportStart) -> LinkReportStep:
        self.data.last_activity_at = workflow.now()
        self._publish()
        result: str = await self._activity(
            ActivityName.REPORT_LINK, str,
            ReportLinkRequest(**self._run_ref(), account_ref=start.account_ref, student_ref=start.student_ref,
                              now=workflow.now()),
            summary="report the link and tell the services",
        )
        event, self.message = self.results[result]
        self._fire(event)
        return self.current_step()

    @workflow.query
    def current_step(self) -> LinkReportStep:
        return LinkReportStep(journey_id=self._id, state=self.data.state, finished=self.finished,
                              messages=[self.message] if self.message else [])


@journey_workflow(CHILDREN_WORKFLOW, kind="children_confirmation")
class ChildrenConfirmationWorkflow(ChildrenStep, JourneyWorkflow):
    @workflow.init
    def __init__(self, start: ChildrenStart) -> None:
        self._init_journey(ChildrenData(account_ref=start.account_ref), ChildrenConfirmationJourney, start)

    @workflow.run
    async def run(self, start: ChildrenStart) -> ChildrenConfirmationStep:
        pending: list[MatchedChild] = await self._activity(
            ActivityName.PENDING_CHILDREN, list[MatchedChild], PendingChildrenRequest(account_ref=start.account_ref),
            summary="students to confirm",
        )
        self.data.children = [ChildToConfirm(**child.model_dump()) for child in pending]
        self._fire("children_found")
        return await self._run_journey()

    def birth_date_max_tries(self) -> int:
        return self.start.birth_date_max_wrong_tries

    def operator_details(self) -> str:
        return f"**{self.data.state}** — {sum(c.status == 'to_confirm' for c in self.data.children)} to confirm"

    @workflow.query
    def current_step(self) -> ChildrenConfirmationStep:
        text = {Children.children_to_confirm.value: messages.NEW_CHILDREN_PROMPT,
                Children.nothing_to_confirm.value: messages.NOTHING_TO_CONFIRM,
                Children.confirmed.value: messages.CHILDREN_CONFIRMED,
                Children.abandoned.value: messages.RECOVERY_ABANDONED}
        return ChildrenConfirmationStep(
            **self._step_basics(), messages=[text.get(self.data.state, "")],
            children=child_views(self.data.children, self.birth_date_max_tries())
            if self.data.state == Children.children_to_confirm.value else [],
        )

    @journey_update(check=lambda self, answer: self._pending_child(answer.student_ref))
    async def answer_child(self, answer: ChildAnswerInput) -> ChildrenOutcome:
        outcome = await self._answer_child(answer)
        if self.data.state == Children.confirmed.value:
            await self._activity(
                ActivityName.RECORD_CHILDREN, bool,
                RecordChildrenRequest(**self._run_ref(), account_ref=self.data.account_ref, now=workflow.now(),
                                      children=[ChildDecision(student_ref=c.student_ref, status=c.status.value)
                                                for c in self.data.children]),
                summary="record the answers and tell the services",
            )
        return outcome

    def _outcome(self, status: str, message: str, *, tries_left: int | None = None) -> ChildrenOutcome:
        return ChildrenOutcome(status=status, message=message, tries_left=tries_left, step=self.current_step())


@journey_workflow(MERGE_WORKFLOW, kind="account_merge")
class AccountMergeWorkflow(JourneyWorkflow):
    """R-KID-1, one per account: another account's students moved into this one, all or nothing."""

    @workflow.init
    def __init__(self, start: MergeStart) -> None:
        self._init_journey(MergeData(account_ref=start.account_ref), AccountMergeJourney, start)

    @workflow.run
    async def run(self, start: MergeStart) -> MergeStep:
        return await self._run_journey()

    @workflow.query
    def current_step(self) -> MergeStep:
        text = {Merge.merged.value: messages.MERGE_DONE, Merge.abandoned.value: messages.RECOVERY_ABANDONED}
        return MergeStep(**self._step_basics(), messages=[text.get(self.data.state, messages.MERGE_PROMPT)])

    @journey_update()
    async def merge(self, other: MergeInput) -> MergeOutcome:
        now = self._touch()
        result: MergeResult = await self._activity(
            ActivityName.MERGE_ACCOUNTS, MergeResult,
            MergeRequest(**self._run_ref(), account_ref=self.data.account_ref,
                         other_identifier=other.identifier, other_password=other.password, now=now,
                         max_failures=self.start.sign_in_policy.max_failures,
                         lockout=self.start.sign_in_policy.lockout, attempt_key=self._update_key()),
            summary="check the other account and merge, all or nothing",
        )
        if result.status == "merged":
            self.data.merged_identifier, self.data.moved_students = result.identifier, result.moved_students
            self._fire("accounts_merged")
            return self._outcome("accepted", messages.MERGE_DONE)
        self._fire("merge_refused")
        if result.status == "locked":
            return self._outcome("locked", sign_in_locked(result.locked_until, self.start.sign_in_policy.time_zone),
                                 retry_at=result.locked_until)
        message = {"invalid": messages.SIGN_IN_INVALID, "names_differ": messages.MERGE_NAMES_DIFFER,
                   "same_account": messages.MERGE_SAME_ACCOUNT}[result.status]
        return self._outcome(result.status, message)

    def _outcome(self, status: str, message: str, *, retry_at=None) -> MergeOutcome:
        return MergeOutcome(status=status, message=message, retry_at=retry_at, step=self.current_step())
