"""The activation workflow: drives ActivationJourney, times codes and idleness, calls activities."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from parcours import messages
    from parcours.contracts.activation import (
        WORKFLOW_TYPE,
        ActivationData,
        ActivationOutcome,
        ActivationStart,
        ActivationStep,
        ChildAnswerInput,
        ChildToConfirm,
        IdentityInput,
        PasswordInput,
    )
    from parcours.contracts.activities import (
        AccountActivated,
        ActivateAccountRequest,
        ActivityName,
        AlreadyActiveNoticeRequest,
        ChildDecision,
        CodePurpose,
        IdentityMatch,
        MatchIdentityRequest,
    )
    from parcours.contracts.common import Channel, OutcomeStatus
    from parcours.people.contact_details import mask_email, mask_mobile
    from parcours.states.activation import ActivationJourney, next_deadline
    from parcours.states.activation_view import build_step, operator_details
    from parcours.workflows.children_step import ChildrenStep
    from parcours.workflows.code_step import CodeStep
    from parcours.workflows.common import (
        ActivityFailed,
        JourneyWorkflow,
        check_new_password,
        journey_workflow,
        rejection,
    )
    from parcours.workflows.updates import journey_update


@journey_workflow(WORKFLOW_TYPE, kind="activation")
class ActivationWorkflow(CodeStep, ChildrenStep, JourneyWorkflow):
    code_purpose = CodePurpose.ACTIVATION

    @workflow.init
    def __init__(self, start: ActivationStart) -> None:
        self._init_journey(ActivationData(policy=start.policy), ActivationJourney)
        self.superseded = False

    @workflow.run
    async def run(self, start: ActivationStart) -> ActivationStep:
        self.data.started_at = workflow.now()
        return await self._run_journey()

    def next_deadline(self, now: datetime) -> datetime | None:
        return next_deadline(self.data, now)

    def fire_due_events(self, now: datetime) -> None:
        if self.superseded:
            self._fire("newer_journey_started")
        elif self.data.state == ActivationJourney.code_sent.value and now >= self.data.code_expires_at:
            self._fire("code_expiry_reached")  # R-ACT-5
        elif now >= self.data.last_activity_at + self.data.policy.idle_lifetime:
            self._fire("idle_timeout")
        else:
            self._publish()  # e.g. the resend cooldown ended: refresh what operators see

    def operator_details(self) -> str:
        return operator_details(self.data)

    # -- query and signal ----------------------------------------------------------------------

    @workflow.query
    def current_step(self) -> ActivationStep:
        return build_step(workflow.info().workflow_id, self.data, workflow.now())

    @workflow.signal
    def supersede(self) -> None:
        """A newer activation journey for the same account has started: this one ends."""
        self.superseded = True
        self.woken = True

    # -- updates -------------------------------------------------------------------------------

    @property
    def code_decoy_when_limited(self) -> bool:
        return self.data.policy.uniform_identity_answers

    @journey_update()
    async def submit_identity(self, identity: IdentityInput) -> ActivationOutcome:
        now = self._touch()
        self.data.identity_attempts += 1
        if self.data.policy.uniform_identity_answers:  # answered before any lookup (do_pending_work)
            self.data.channel = identity.channel
            self.data.masked_destination = (mask_mobile(identity.destination) if identity.channel is Channel.SMS
                                            else mask_email(identity.destination))
            self.data.identity_request = identity.model_dump(mode="json")
            self._fire("identity_submitted")
            return self._outcome(OutcomeStatus.ACCEPTED, messages.IDENTITY_UNIFORM_ANSWER)
        match = await self._match(identity)
        if not match.matched:  # R-ACT-1
            self._fire("identity_rejected")
            message = (messages.IDENTITY_MISMATCH_SMS if identity.channel is Channel.SMS
                       else messages.IDENTITY_MISMATCH_MAIL)
            return self._outcome(OutcomeStatus.MISMATCH, message)
        self.data.channel = identity.channel
        self.data.account_ref = match.account_ref
        self.data.masked_destination = match.masked_destination
        self.data.account_already_active = match.already_active
        if match.already_active:  # R-ACT-2
            self._fire("identity_matched")
            return self._outcome(OutcomeStatus.ALREADY_ACTIVE, messages.ALREADY_ACTIVE)
        self.data.identifier = match.identifier
        self.data.children = [ChildToConfirm(**child.model_dump()) for child in match.children]
        sent = await self._send_code(now)
        if sent is None:  # the identity stands: the user asks a resend, not to type it again
            return self._code_not_sent()
        # Only once this one has its code out; the code's issuance displaced it (a history recorded
        # before that has it from the match, at the same point: the same commands on replay).
        older = match.superseded_journey_id or sent.displaced_journey_id
        if older:
            await self._end_older_journey(older)
        self._record_code(sent, now)
        self._fire("identity_matched")
        return self._outcome(OutcomeStatus.ACCEPTED, messages.CODE_SENT)

    async def _match(self, identity: IdentityInput, **options) -> IdentityMatch:
        return await self._activity(
            ActivityName.MATCH_IDENTITY, IdentityMatch,
            MatchIdentityRequest(**self._run_ref(), channel=identity.channel, last_name=identity.last_name,
                                 first_name=identity.first_name, destination=identity.destination),
            summary="match identity with school records", **options,
        )

    async def do_pending_work(self) -> None:
        """With uniform answers, after the answer: the lookup, then a code step alike for everyone —
        a real code for a match, a notice and a decoy for an active account, a decoy otherwise."""
        if self.data.state != ActivationJourney.identity_received.value:
            return
        identity = IdentityInput.model_validate(self.data.identity_request)
        self.data.identity_request = None  # no longer needed: do not carry the identity around
        now = workflow.now()
        background = dict(budget=self.data.policy.idle_lifetime, background=True)  # nobody waits on it
        match = await self._match(identity, **background)
        real = match.matched and not match.already_active
        if match.matched and match.already_active:
            await self._activity(ActivityName.SEND_ALREADY_ACTIVE_NOTICE, bool,
                                 AlreadyActiveNoticeRequest(**self._run_ref(), account_ref=match.account_ref,
                                                            channel=identity.channel, now=now),
                                 summary="tell the school's contact the account is active", **background)
        if real:
            self.data.account_ref, self.data.identifier = match.account_ref, match.identifier
            self.data.children = [ChildToConfirm(**child.model_dump()) for child in match.children]
        sent = await self._send_code(now, decoy=not real, background=True)
        if sent is None:  # the provider is down: the user sees the same step as anyone (a decoy) and may resend
            sent = await self._send_code(now, decoy=True, background=True)
        assert sent is not None, "a decoy's send failed too: the task is retried"
        self._record_code(sent, now)
        # as in submit_identity: the code's issuance displaced it, or the match did in older histories
        older = (match.superseded_journey_id if real else None) or sent.displaced_journey_id
        if older:
            await self._end_older_journey(older)
        self._fire("identity_processed")

    @journey_update(check=lambda self, answer: self._pending_child(answer.student_ref))
    async def answer_child(self, answer: ChildAnswerInput) -> ActivationOutcome:
        return await self._answer_child(answer)

    @journey_update(check=lambda self, choice: check_new_password(choice.password, choice.confirmation))
    async def choose_password(self, choice: PasswordInput) -> ActivationOutcome:
        now = self._touch()
        try:
            await self._activity(
                ActivityName.ACTIVATE_ACCOUNT, AccountActivated,
                ActivateAccountRequest(
                    **self._run_ref(), account_ref=self.data.account_ref, channel=self.data.channel,
                    password=choice.password, activated_at=now,
                    children=[ChildDecision(student_ref=c.student_ref, status=c.status.value)
                              for c in self.data.children],
                ),
                summary="activate the account",
            )
        except ActivityFailed as error:
            if error.type == "AccountAlreadyActive":
                raise rejection("already_active", messages.ALREADY_ACTIVE) from None
            raise
        self._fire("password_set")  # R-ACT-9
        return self._outcome(OutcomeStatus.ACCEPTED, messages.ACTIVATED)

    # -- helpers -------------------------------------------------------------------------------

    def _require(self, update: str) -> None:
        """Reject an update the machine does not allow now; the journey is unchanged."""
        self._require_code_state(update)
        super()._require(update)

    def code_accepted_message(self) -> str:
        return messages.CHILDREN_PROMPT if self.data.children else messages.NOTE_IDENTIFIER

    def birth_date_max_tries(self) -> int:
        return self.data.policy.birth_date_max_wrong_tries

    def _outcome(self, status: OutcomeStatus, message: str, *, tries_left: int | None = None,
                 retry_at: datetime | None = None) -> ActivationOutcome:
        return ActivationOutcome(status=status, message=message, tries_left=tries_left, retry_at=retry_at,
                                 step=self.current_step())
