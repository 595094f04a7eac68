"""The client module API layers import: start a journey (ParcoursClient), then act on it and read
its current step (JourneyClient, parcours/journey_client.py). Each start's workflow id, id policy
and summary come from the journey's registry entry (parcours/journeys.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from parcours.contracts.accounts import PasswordChangeStart, SignInInput, SignInPolicy, SignInResult, SignInStart
from parcours.contracts.activation import ActivationOutcome, ActivationStart, IdentityInput
from parcours.contracts.children import (
    AccountView,
    AccountViewRequest,
    ChildrenStart,
    LinkReportStart,
    LinkReportStep,
    MergeStart,
)
from parcours.contracts.common import JourneyPolicy
from parcours.contracts.contact import ContactPolicy, EmailChangeStart, MobileChangeStart
from parcours.contracts.franceconnect import FranceConnectIdentity, FranceConnectStart
from parcours.contracts.letter_activation import LetterActivationStart
from parcours.contracts.recovery import (
    IdentifierRequestInput,
    RecoveryOutcome,
    RecoveryPolicy,
    RecoveryStart,
    ResetRequestInput,
)
from parcours.journey_client import (  # noqa: F401 — the names API layers import from here
    JOURNEY_FINISHED,
    UNKNOWN_JOURNEY,
    ActivationJourneyClient,
    ChildrenJourneyClient,
    EmailChangeClient,
    FranceConnectClient,
    JourneyActionRejected,
    JourneyClient,
    LetterActivationClient,
    MergeJourneyClient,
    MobileChangeClient,
    PasswordChangeClient,
    RecoveryJourneyClient,
    execute,
    refusal_from,
)
from parcours.journeys import Journey, journey_of
from parcours.security.crypto import idempotent_reference, new_reference
from parcours.states.activation import ActivationJourney
from parcours.workflows.activation import ActivationWorkflow
from parcours.workflows.children import (
    AccountMergeWorkflow,
    AccountViewWorkflow,
    ChildrenConfirmationWorkflow,
    LinkReportWorkflow,
)
from parcours.workflows.common import JOURNEY_KIND, JOURNEY_STATE
from parcours.workflows.contact import EmailChangeWorkflow, MobileChangeWorkflow
from parcours.workflows.franceconnect import FranceConnectActivationWorkflow
from parcours.workflows.letter_activation import LetterActivationWorkflow
from parcours.workflows.password_change import PasswordChangeWorkflow
from parcours.workflows.recovery import IdentifierRecoveryWorkflow, PasswordResetWorkflow
from parcours.workflows.sign_in import SignInWorkflow

LOOKUP_POLLS, LOOKUP_POLL_INTERVAL_S = 200, 0.025
# A start with an idempotency key: the memo holds a digest of the request (so a reused key with
# another request is told apart), and the first step's update has a fixed id (so Temporal answers a
# repeated one with the first answer instead of running it again).
REQUEST_DIGEST_MEMO = "start_request_digest"
FIRST_STEP_UPDATE_ID = "first-step"


class IdempotencyKeyReused(Exception):
    """The idempotency key was already used to start a journey with a different request."""


async def _past_state(journey: JourneyClient, state: str) -> None:
    """Wait until a journey that starts with background work has left `state`, so callers get a
    ready journey; a journey that failed meanwhile (an unknown account) raises WorkflowFailureError."""
    closed = asyncio.ensure_future(journey.handle.result())
    try:
        for _ in range(LOOKUP_POLLS):
            if (await journey.current_step()).state != state:
                return
            done, _ = await asyncio.wait({closed}, timeout=LOOKUP_POLL_INTERVAL_S)
            if done:
                closed.result()
                return
    finally:
        closed.cancel()


class ParcoursClient:
    def __init__(self, client: Client, task_queue: str, policy: JourneyPolicy, *, update_with_start: bool = True,
                 sign_in_policy: SignInPolicy | None = None, recovery_policy: RecoveryPolicy | None = None,
                 contact_policy: ContactPolicy | None = None, reference_key: bytes | None = None):
        self.client = client
        self.reference_key = reference_key  # keys the digests of idempotency keys and requests
        self.task_queue = task_queue
        self.policy = policy
        self.sign_in_policy = sign_in_policy or SignInPolicy()
        self.recovery_policy = recovery_policy or RecoveryPolicy()
        self.contact_policy = contact_policy or ContactPolicy()
        # Update-with-start saves a round trip; the time-skipping test server lacks it.
        self.update_with_start = update_with_start

    @classmethod
    def from_settings(cls, client: Client, settings, *, update_with_start: bool = True) -> ParcoursClient:
        return cls(client, settings.task_queue, JourneyPolicy.from_settings(settings),
                   update_with_start=update_with_start, sign_in_policy=SignInPolicy.from_settings(settings),
                   recovery_policy=RecoveryPolicy.from_settings(settings),
                   contact_policy=ContactPolicy.from_settings(settings),
                   reference_key=settings.secret_key.get_secret_value().encode() if settings.secret_key else None)

    def journey(self, journey_id: str) -> JourneyClient:
        """A journey started earlier, by its workflow id."""
        return JourneyClient(self.client.get_workflow_handle(journey_id))

    activation = recovery = journey

    def _options(self, journey: Journey, key: str | None = None) -> dict[str, Any]:
        """Where a journey runs and under which id: `key` (an account_ref), else a fresh one."""
        return dict(id=f"{journey.id_prefix}{key or new_reference()}", task_queue=self.task_queue,
                    static_summary=journey.summary)

    async def _run(self, workflow_class: type[Any], argument: BaseModel) -> Any:
        """A journey that answers at once (no step to act on): its result."""
        return await self.client.execute_workflow(workflow_class.run, argument,
                                                  **self._options(journey_of(workflow_class)))

    async def _start_for_account(self, workflow_class: type[Any], start: BaseModel, account_ref: str) -> JourneyClient:
        """The account's live journey of that kind, or a new one: one live per account."""
        journey = journey_of(workflow_class)
        handle = await self.client.start_workflow(workflow_class.run, start, id_conflict_policy=journey.conflict_policy,
                                                  **self._options(journey, account_ref))
        return JourneyClient(handle)

    async def _start(self, workflow_class: type[Any], start: BaseModel, *, idempotency_key: str | None = None,
                     request: BaseModel | None = None, **options) -> tuple[WorkflowHandle, bool]:
        """Start a journey under a fresh opaque id; with an idempotency key, under the id the key
        stands for: (handle, replayed), replayed when that journey was started earlier by the same
        request. The same key with another request raises IdempotencyKeyReused."""
        journey = journey_of(workflow_class)
        options.update(self._options(journey))
        if idempotency_key is None:
            return await self.client.start_workflow(workflow_class.run, start, **options), False
        journey_id = options["id"] = f"{journey.id_prefix}{idempotent_reference(idempotency_key, self.reference_key)}"
        digest = self._request_digest(journey.id_prefix, request)
        try:
            handle = await self.client.start_workflow(
                workflow_class.run, start, memo={REQUEST_DIGEST_MEMO: digest},
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE, **options)
            return handle, False
        except WorkflowAlreadyStartedError:
            handle = self.client.get_workflow_handle(journey_id)
            memo = await (await handle.describe()).memo()
            if memo.get(REQUEST_DIGEST_MEMO) != digest:
                raise IdempotencyKeyReused() from None
            return handle, True

    def _request_digest(self, prefix: str, request: BaseModel | None) -> str:
        body = request.model_dump_json() if request is not None else ""
        return idempotent_reference(f"{prefix}{body}", self.reference_key)

    async def sign_in(self, identifier: str, password: str) -> SignInResult:
        """Identifier + password -> the account (status signed_in), or `invalid` (unknown identifier
        and wrong password alike), or `locked` with the time it can be tried again."""
        credentials = SignInInput(identifier=identifier, password=password)
        return await self._run(SignInWorkflow, SignInStart(credentials=credentials, policy=self.sign_in_policy))

    async def account_view(self, account_ref: str) -> AccountView:
        """« Mes informations » and « Mes enfants » of a signed-in account."""
        return await self._run(AccountViewWorkflow, AccountViewRequest(account_ref=account_ref))

    async def report_link(self, account_ref: str, student_ref: str) -> LinkReportStep:
        """R-KID-3: « Je ne suis pas le représentant légal de cet élève »."""
        return await self._run(LinkReportWorkflow, LinkReportStart(account_ref=account_ref, student_ref=student_ref))

    async def start_password_change(self, account_ref: str) -> JourneyClient:
        """For a signed-in account (its `account_ref` from `sign_in`); joins the live one if any."""
        start = PasswordChangeStart(account_ref=account_ref, sign_in_policy=self.sign_in_policy,
                                    idle_lifetime=self.policy.idle_lifetime)
        return await self._start_for_account(PasswordChangeWorkflow, start, account_ref)

    async def start_children_confirmation(self, account_ref: str) -> JourneyClient:
        """R-KID-2, at sign-in: the students to confirm (new, unconfirmed or reported earlier)."""
        start = ChildrenStart(account_ref=account_ref,
                              birth_date_max_wrong_tries=self.policy.birth_date_max_wrong_tries,
                              idle_lifetime=self.policy.idle_lifetime)
        journey = await self._start_for_account(ChildrenConfirmationWorkflow, start, account_ref)
        await _past_state(journey, "children_to_look_up")  # the students are looked up first
        return journey

    async def start_merge(self, account_ref: str) -> JourneyClient:
        """R-KID-1, for the signed-in account to keep; joins the live merge journey if any."""
        start = MergeStart(account_ref=account_ref, sign_in_policy=self.sign_in_policy,
                           idle_lifetime=self.policy.idle_lifetime)
        return await self._start_for_account(AccountMergeWorkflow, start, account_ref)

    async def email_change(self, account_ref: str) -> JourneyClient:
        """The account's email-change journey: the live one, or a new one (USE_EXISTING), so two
        requests never make two journeys; each request is an update to it."""
        start = EmailChangeStart(account_ref=account_ref, policy=self.contact_policy)
        return await self._start_for_account(EmailChangeWorkflow, start, account_ref)

    async def mobile_change(self, account_ref: str) -> JourneyClient:
        """The account's mobile-change journey: the live one, or a new one (USE_EXISTING)."""
        start = MobileChangeStart(account_ref=account_ref, policy=self.contact_policy)
        return await self._start_for_account(MobileChangeWorkflow, start, account_ref)

    async def start_letter_activation(self, idempotency_key: str | None = None) -> JourneyClient:
        """R-ACT-10: the page where the letter's identifier and provisional password are typed."""
        start = LetterActivationStart(sign_in_policy=self.sign_in_policy, contact_policy=self.contact_policy,
                                      idle_lifetime=self.policy.idle_lifetime)
        handle, replayed = await self._start(LetterActivationWorkflow, start, idempotency_key=idempotency_key)
        return JourneyClient(handle, replayed=replayed)

    async def start_franceconnect_activation(self, identity: FranceConnectIdentity | dict,
                                             idempotency_key: str | None = None) -> JourneyClient:
        """R-ACT-11, after the API layer's OpenID Connect exchange: the verified identity is matched
        (names and the school's address); the returned journey is past the match."""
        validated = FranceConnectIdentity.model_validate(identity)
        start = FranceConnectStart(identity=validated, policy=self.policy)
        handle, replayed = await self._start(FranceConnectActivationWorkflow, start, idempotency_key=idempotency_key,
                                             request=validated)
        journey = JourneyClient(handle, replayed=replayed)
        await _past_state(journey, "identity_to_match")  # the identity is matched first
        return journey

    async def start_identifier_recovery(self, request: IdentifierRequestInput | dict,
                                        idempotency_key: str | None = None) -> tuple[JourneyClient, RecoveryOutcome]:
        """« Identifiant oublié » (R-REC-1/2): the same answer whether or not an account matches."""
        return await self._start_recovery(IdentifierRecoveryWorkflow, "request_identifier",
                                          IdentifierRequestInput.model_validate(request), idempotency_key)

    async def start_password_reset(self, request: ResetRequestInput | dict, idempotency_key: str | None = None,
                                   ) -> tuple[JourneyClient, RecoveryOutcome]:
        """« Mot de passe oublié »: by mail a single-use link valid 1 h (R-REC-3), by SMS a code valid
        30 min (R-REC-4); the same answer whether or not the account exists (R-REC-7)."""
        return await self._start_recovery(PasswordResetWorkflow, "request_reset",
                                          ResetRequestInput.model_validate(request), idempotency_key)

    async def _start_recovery(self, workflow_class: type[Any], first_update: str, request: BaseModel,
                              idempotency_key: str | None) -> tuple[JourneyClient, RecoveryOutcome]:
        handle, replayed = await self._start(workflow_class, RecoveryStart(policy=self.recovery_policy),
                                             idempotency_key=idempotency_key, request=request)
        journey = JourneyClient(handle, replayed=replayed)
        return journey, await journey.act(first_update, request, update_id=FIRST_STEP_UPDATE_ID)

    async def start_activation(self, identity: IdentityInput | dict | None = None, idempotency_key: str | None = None,
                               ) -> tuple[JourneyClient, ActivationOutcome | None]:
        """Start a journey under a fresh opaque id; with an identity, submit it in the same round trip
        (update-with-start). A mismatch leaves the journey at the identity step for a corrected retry.
        With an idempotency key, a repeated request gets the same journey and the first answer."""
        start = ActivationStart(policy=self.policy)
        # Kind and first state given at start, where they cost no action (an upsert would).
        shown = TypedSearchAttributes([SearchAttributePair(JOURNEY_KIND, ActivationWorkflow.kind),
                                       SearchAttributePair(JOURNEY_STATE, ActivationJourney.identity_to_check.value)])
        validated = None if identity is None else IdentityInput.model_validate(identity)
        if idempotency_key is not None or validated is None or not self.update_with_start:
            handle, replayed = await self._start(ActivationWorkflow, start, idempotency_key=idempotency_key,
                                                 request=validated, search_attributes=shown)
            journey = JourneyClient(handle, replayed=replayed)
            if validated is None:
                return journey, None
            update_id = FIRST_STEP_UPDATE_ID if idempotency_key is not None else None
            return journey, await journey.act("submit_identity", validated, update_id=update_id)
        operation = WithStartWorkflowOperation(
            ActivationWorkflow.run, start, id_conflict_policy=journey_of(ActivationWorkflow).conflict_policy,
            search_attributes=shown, **self._options(journey_of(ActivationWorkflow)))
        try:
            outcome = await self.client.execute_update_with_start_workflow(
                ActivationWorkflow.submit_identity, validated, start_workflow_operation=operation
            )
        except WorkflowUpdateFailedError as error:
            raise JourneyActionRejected(refusal_from(error)) from None
        return JourneyClient(await operation.workflow_handle()), outcome
