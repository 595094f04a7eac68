"""The client module API layers import: start a journey, act on it, read its current step.

Inputs are validated here first (pydantic: a bad field raises ValidationError naming it), then
again by the workflow's update validators, so a journey never sees a bad action."""

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
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from parcours.contracts.accounts import (
    PASSWORD_CHANGE_ID_PREFIX,
    SIGN_IN_ID_PREFIX,
    PasswordChangeInput,
    PasswordChangeOutcome,
    PasswordChangeStart,
    PasswordChangeStep,
    SignInInput,
    SignInPolicy,
    SignInResult,
    SignInStart,
)
from parcours.contracts.activation import (
    ID_PREFIX,
    ActivationOutcome,
    ActivationStart,
    ActivationStep,
    ChildAnswerInput,
    IdentityInput,
    PasswordInput,
)
from parcours.contracts.children import (
    CHILDREN_ID_PREFIX,
    LINK_REPORT_ID_PREFIX,
    MERGE_ID_PREFIX,
    AccountView,
    AccountViewRequest,
    ChildrenConfirmationStep,
    ChildrenOutcome,
    ChildrenStart,
    LinkReportStart,
    LinkReportStep,
    MergeInput,
    MergeOutcome,
    MergeStart,
    MergeStep,
)
from parcours.contracts.common import INPUT_ERRORS_DETAIL, CodeInput, FieldError, JourneyPolicy, Refusal, ResendInput
from parcours.contracts.contact import (
    EMAIL_CHANGE_ID_PREFIX,
    MOBILE_CHANGE_ID_PREFIX,
    ContactPolicy,
    EmailChangeInput,
    EmailChangeOutcome,
    EmailChangeStart,
    EmailChangeStep,
    EmailConfirmInput,
    EmailLinkInput,
    MobileChangeInput,
    MobileChangeOutcome,
    MobileChangeStart,
    MobileChangeStep,
)
from parcours.contracts.franceconnect import (
    FRANCECONNECT_ID_PREFIX,
    FranceConnectIdentity,
    FranceConnectOutcome,
    FranceConnectStart,
    FranceConnectStep,
)
from parcours.contracts.letter_activation import (
    LETTER_ACTIVATION_ID_PREFIX,
    LetterActivationOutcome,
    LetterActivationStart,
    LetterActivationStep,
    LetterCredentialsInput,
    LetterDetailsInput,
)
from parcours.contracts.recovery import (
    IDENTIFIER_RECOVERY_ID_PREFIX,
    PASSWORD_RESET_ID_PREFIX,
    IdentifierRequestInput,
    LinkInput,
    LinkPasswordInput,
    RecoveryOutcome,
    RecoveryPolicy,
    RecoveryStart,
    RecoveryStep,
    ResetRequestInput,
)
from parcours.refusals import refusal_of
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
ACTIVATION_SUMMARY = "Activation d'un compte responsable (Je n'ai pas de compte)"


class JourneyActionRejected(Exception):
    """The journey refused the action and did not change: `reason`, a French `message`, and the
    field errors when the input was at fault."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.reason = refusal.reason
        self.message = refusal.message
        self.errors = refusal.errors
        self.retry_at = refusal.retry_at


def _input_errors(invalid: ApplicationError) -> list[FieldError]:
    """The field errors an input the workflow could not decode carries (parcours/temporal/codec.py)."""
    carried = invalid.details[0] if invalid.details and isinstance(invalid.details[0], dict) else {}
    return [FieldError.model_validate(error) for error in carried.get(INPUT_ERRORS_DETAIL, [])]


def _refusal_from(error: WorkflowUpdateFailedError) -> Refusal:
    cause = error.cause
    refusal = refusal_of(cause)
    if refusal is not None:
        return refusal
    invalid = cause
    while isinstance(invalid, ApplicationError) and invalid.type != "ValidationError":
        invalid = invalid.cause
    if isinstance(invalid, ApplicationError):  # the workflow could not decode the input
        return Refusal(reason="invalid_input", message=invalid.message, errors=_input_errors(invalid))
    message = str(cause.message if isinstance(cause, ApplicationError) else cause or error)
    return Refusal(reason="failed", message=message)


class IdempotencyKeyReused(Exception):
    """The idempotency key was already used to start a journey with a different request."""


JOURNEY_NOT_OPEN = Refusal(reason="journey_not_open", message="Ce parcours est terminé ou n'existe pas. Veuillez recommencer.")


async def _act(handle: WorkflowHandle, update, argument, update_id: str | None = None) -> Any:
    try:
        return await handle.execute_update(update, argument, id=update_id)
    except WorkflowUpdateFailedError as error:
        raise JourneyActionRejected(_refusal_from(error)) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:  # finished, or never existed
            raise JourneyActionRejected(JOURNEY_NOT_OPEN) from None
        raise


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


class JourneyClient:
    """One journey, by its id. `replayed`: it was started earlier with the same idempotency key."""

    def __init__(self, handle: WorkflowHandle, *, replayed: bool = False):
        self.handle = handle
        self.replayed = replayed

    @property
    def journey_id(self) -> str:
        return self.handle.id


class ActivationJourneyClient(JourneyClient):
    """One activation journey, by its id."""

    async def current_step(self) -> ActivationStep:
        return await self.handle.query(ActivationWorkflow.current_step)

    async def submit_identity(self, identity: IdentityInput | dict) -> ActivationOutcome:
        return await _act(self.handle, ActivationWorkflow.submit_identity, IdentityInput.model_validate(identity))

    async def submit_code(self, code: str) -> ActivationOutcome:
        return await _act(self.handle, ActivationWorkflow.submit_code, CodeInput(code=code))

    async def resend_code(self) -> ActivationOutcome:
        return await _act(self.handle, ActivationWorkflow.resend_code, ResendInput())

    async def answer_child(self, answer: ChildAnswerInput | dict) -> ActivationOutcome:
        return await _act(self.handle, ActivationWorkflow.answer_child, ChildAnswerInput.model_validate(answer))

    async def choose_password(self, password: str, confirmation: str) -> ActivationOutcome:
        choice = PasswordInput(password=password, confirmation=confirmation)
        return await _act(self.handle, ActivationWorkflow.choose_password, choice)

    async def result(self) -> ActivationStep:
        return await self.handle.result()


class PasswordChangeClient(JourneyClient):
    async def current_step(self) -> PasswordChangeStep:
        return await self.handle.query(PasswordChangeWorkflow.current_step)

    async def change_password(self, current_password: str, new_password: str, confirmation: str) -> PasswordChangeOutcome:
        change = PasswordChangeInput(current_password=current_password, new_password=new_password,
                                     confirmation=confirmation)
        return await _act(self.handle, PasswordChangeWorkflow.change_password, change)


class RecoveryJourneyClient(JourneyClient):
    """A lost-identifier or lost-password journey, by its id."""

    async def current_step(self) -> RecoveryStep:
        return await self.handle.query("current_step", result_type=RecoveryStep)

    async def request_identifier(self, request: IdentifierRequestInput | dict) -> RecoveryOutcome:
        return await _act(self.handle, IdentifierRecoveryWorkflow.request_identifier,
                          IdentifierRequestInput.model_validate(request))

    async def request_reset(self, request: ResetRequestInput | dict) -> RecoveryOutcome:
        return await _act(self.handle, PasswordResetWorkflow.request_reset, ResetRequestInput.model_validate(request))

    async def open_link(self, token: str) -> RecoveryOutcome:
        """What the page behind the mailed link calls first: shows the identifier, consumes nothing."""
        return await _act(self.handle, PasswordResetWorkflow.open_link, LinkInput(token=token))

    async def choose_password(self, token: str | None, password: str, confirmation: str) -> RecoveryOutcome:
        """The new password: with the link's token (mail), or None after the SMS code."""
        choice = LinkPasswordInput(token=token, password=password, confirmation=confirmation)
        return await _act(self.handle, PasswordResetWorkflow.choose_password, choice)

    async def submit_code(self, code: str) -> RecoveryOutcome:
        return await _act(self.handle, PasswordResetWorkflow.submit_code, CodeInput(code=code))

    async def resend_code(self) -> RecoveryOutcome:
        return await _act(self.handle, PasswordResetWorkflow.resend_code, ResendInput())

    async def result(self) -> RecoveryStep:
        return RecoveryStep.model_validate(await self.handle.result())


class ChildrenJourneyClient(JourneyClient):
    async def current_step(self) -> ChildrenConfirmationStep:
        return await self.handle.query(ChildrenConfirmationWorkflow.current_step)

    async def answer_child(self, answer: ChildAnswerInput | dict) -> ChildrenOutcome:
        return await _act(self.handle, ChildrenConfirmationWorkflow.answer_child, ChildAnswerInput.model_validate(answer))


class MergeJourneyClient(JourneyClient):
    async def current_step(self) -> MergeStep:
        return await self.handle.query(AccountMergeWorkflow.current_step)

    async def merge(self, identifier: str, password: str) -> MergeOutcome:
        return await _act(self.handle, AccountMergeWorkflow.merge, MergeInput(identifier=identifier, password=password))


class EmailChangeClient(JourneyClient):
    """« Modifier mon adresse mail » of one account (R-CON-2 … R-CON-6)."""

    async def current_step(self) -> EmailChangeStep:
        return await self.handle.query(EmailChangeWorkflow.current_step)

    async def request_change(self, new_email: str, confirmation: str) -> EmailChangeOutcome:
        change = EmailChangeInput(new_email=new_email, confirmation=confirmation)
        return await _act(self.handle, EmailChangeWorkflow.request_change, change)

    async def resend_link(self) -> EmailChangeOutcome:
        return await _act(self.handle, EmailChangeWorkflow.resend_link, ResendInput())

    async def open_link(self, token: str) -> EmailChangeOutcome:
        return await _act(self.handle, EmailChangeWorkflow.open_link, EmailLinkInput(token=token))

    async def confirm(self, token: str, signed_in_account_ref: str) -> EmailChangeOutcome:
        confirmation = EmailConfirmInput(token=token, signed_in_account_ref=signed_in_account_ref)
        return await _act(self.handle, EmailChangeWorkflow.confirm, confirmation)


class MobileChangeClient(JourneyClient):
    """« Modifier mon numéro de portable » of one guardian account (R-CON-7)."""

    async def current_step(self) -> MobileChangeStep:
        return await self.handle.query(MobileChangeWorkflow.current_step)

    async def request_change(self, new_mobile: str) -> MobileChangeOutcome:
        return await _act(self.handle, MobileChangeWorkflow.request_change, MobileChangeInput(new_mobile=new_mobile))

    async def submit_code(self, code: str) -> MobileChangeOutcome:
        return await _act(self.handle, MobileChangeWorkflow.submit_code, CodeInput(code=code))

    async def resend_code(self) -> MobileChangeOutcome:
        return await _act(self.handle, MobileChangeWorkflow.resend_code, ResendInput())


class LetterActivationClient(JourneyClient):
    """Activation by notification letter (R-ACT-10)."""

    async def current_step(self) -> LetterActivationStep:
        return await self.handle.query(LetterActivationWorkflow.current_step)

    async def submit_credentials(self, identifier: str, provisional_password: str) -> LetterActivationOutcome:
        credentials = LetterCredentialsInput(identifier=identifier, provisional_password=provisional_password)
        return await _act(self.handle, LetterActivationWorkflow.submit_credentials, credentials)

    async def submit_details(self, email: str | None, password: str, confirmation: str) -> LetterActivationOutcome:
        details = LetterDetailsInput(email=email, password=password, confirmation=confirmation)
        return await _act(self.handle, LetterActivationWorkflow.submit_details, details)


class FranceConnectClient(JourneyClient):
    """Activation through FranceConnect (R-ACT-11)."""

    async def current_step(self) -> FranceConnectStep:
        return await self.handle.query(FranceConnectActivationWorkflow.current_step)

    async def answer_child(self, answer: ChildAnswerInput | dict) -> FranceConnectOutcome:
        return await _act(self.handle, FranceConnectActivationWorkflow.answer_child, ChildAnswerInput.model_validate(answer))


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

    async def sign_in(self, identifier: str, password: str) -> SignInResult:
        """Identifier + password -> the account (status signed_in), or `invalid` (unknown identifier
        and wrong password alike), or `locked` with the time it can be tried again."""
        credentials = SignInInput(identifier=identifier, password=password)
        return await self.client.execute_workflow(
            SignInWorkflow.run, SignInStart(credentials=credentials, policy=self.sign_in_policy),
            id=f"{SIGN_IN_ID_PREFIX}{new_reference()}", task_queue=self.task_queue,
        )

    async def start_password_change(self, account_ref: str) -> PasswordChangeClient:
        """For a signed-in account (its `account_ref` from `sign_in`); joins the live one if any."""
        start = PasswordChangeStart(account_ref=account_ref, sign_in_policy=self.sign_in_policy,
                                    idle_lifetime=self.policy.idle_lifetime)
        handle = await self.client.start_workflow(
            PasswordChangeWorkflow.run, start, id=f"{PASSWORD_CHANGE_ID_PREFIX}{account_ref}",
            task_queue=self.task_queue, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary="Changement de mot de passe (Mon compte)",
        )
        return PasswordChangeClient(handle)

    @classmethod
    def from_settings(cls, client: Client, settings, *, update_with_start: bool = True) -> ParcoursClient:
        return cls(client, settings.task_queue, JourneyPolicy.from_settings(settings),
                   update_with_start=update_with_start, sign_in_policy=SignInPolicy.from_settings(settings),
                   recovery_policy=RecoveryPolicy.from_settings(settings),
                   contact_policy=ContactPolicy.from_settings(settings),
                   reference_key=settings.secret_key.get_secret_value().encode() if settings.secret_key else None)

    async def _start(self, run, start, prefix: str, summary: str, *, idempotency_key: str | None = None,
                     request: BaseModel | None = None, **options) -> tuple[WorkflowHandle, bool]:
        """Start a journey under a fresh opaque id; with an idempotency key, under the id the key
        stands for: (handle, replayed), replayed when that journey was started earlier by the same
        request. The same key with another request raises IdempotencyKeyReused."""
        options.update(task_queue=self.task_queue, static_summary=summary)
        if idempotency_key is None:
            return await self.client.start_workflow(run, start, id=f"{prefix}{new_reference()}", **options), False
        journey_id = f"{prefix}{idempotent_reference(idempotency_key, self.reference_key)}"
        digest = self._request_digest(prefix, request)
        try:
            handle = await self.client.start_workflow(
                run, start, id=journey_id, memo={REQUEST_DIGEST_MEMO: digest},
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

    async def account_view(self, account_ref: str) -> AccountView:
        """« Mes informations » and « Mes enfants » of a signed-in account."""
        return await self.client.execute_workflow(
            AccountViewWorkflow.run, AccountViewRequest(account_ref=account_ref),
            id=f"account-view/{new_reference()}", task_queue=self.task_queue)

    async def report_link(self, account_ref: str, student_ref: str) -> LinkReportStep:
        """R-KID-3: « Je ne suis pas le représentant légal de cet élève »."""
        start = LinkReportStart(account_ref=account_ref, student_ref=student_ref)
        return await self.client.execute_workflow(
            LinkReportWorkflow.run, start, id=f"{LINK_REPORT_ID_PREFIX}{new_reference()}", task_queue=self.task_queue,
            static_summary="Signalement d'un lien responsable-élève")

    async def start_children_confirmation(self, account_ref: str) -> ChildrenJourneyClient:
        """R-KID-2, at sign-in: the students to confirm (new, unconfirmed or reported earlier)."""
        start = ChildrenStart(account_ref=account_ref,
                              birth_date_max_wrong_tries=self.policy.birth_date_max_wrong_tries,
                              idle_lifetime=self.policy.idle_lifetime)
        handle = await self.client.start_workflow(
            ChildrenConfirmationWorkflow.run, start, id=f"{CHILDREN_ID_PREFIX}{account_ref}",
            task_queue=self.task_queue, id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary="Confirmation de nouveaux élèves à la connexion")
        journey = ChildrenJourneyClient(handle)
        await _past_state(journey, "children_to_look_up")  # the students are looked up first
        return journey

    async def start_merge(self, account_ref: str) -> MergeJourneyClient:
        """R-KID-1, for the signed-in account to keep; joins the live merge journey if any."""
        start = MergeStart(account_ref=account_ref, sign_in_policy=self.sign_in_policy,
                           idle_lifetime=self.policy.idle_lifetime)
        handle = await self.client.start_workflow(
            AccountMergeWorkflow.run, start, id=f"{MERGE_ID_PREFIX}{account_ref}", task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            static_summary="Ajouter des élèves depuis un autre compte")
        return MergeJourneyClient(handle)

    async def email_change(self, account_ref: str) -> EmailChangeClient:
        """The account's email-change journey: the live one, or a new one (USE_EXISTING), so two
        requests never make two journeys; each request is an update to it."""
        start = EmailChangeStart(account_ref=account_ref, policy=self.contact_policy)
        handle = await self.client.start_workflow(
            EmailChangeWorkflow.run, start, id=f"{EMAIL_CHANGE_ID_PREFIX}{account_ref}", task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, static_summary="Changement d'adresse mail")
        return EmailChangeClient(handle)

    async def mobile_change(self, account_ref: str) -> MobileChangeClient:
        """The account's mobile-change journey: the live one, or a new one (USE_EXISTING)."""
        start = MobileChangeStart(account_ref=account_ref, policy=self.contact_policy)
        handle = await self.client.start_workflow(
            MobileChangeWorkflow.run, start, id=f"{MOBILE_CHANGE_ID_PREFIX}{account_ref}", task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, static_summary="Changement de numéro de portable")
        return MobileChangeClient(handle)

    async def start_letter_activation(self, idempotency_key: str | None = None) -> LetterActivationClient:
        """R-ACT-10: the page where the letter's identifier and provisional password are typed."""
        start = LetterActivationStart(sign_in_policy=self.sign_in_policy, contact_policy=self.contact_policy,
                                      idle_lifetime=self.policy.idle_lifetime)
        handle, replayed = await self._start(LetterActivationWorkflow.run, start, LETTER_ACTIVATION_ID_PREFIX,
                                             "Activation par notification", idempotency_key=idempotency_key)
        return LetterActivationClient(handle, replayed=replayed)

    async def start_franceconnect_activation(self, identity: FranceConnectIdentity | dict,
                                             idempotency_key: str | None = None) -> FranceConnectClient:
        """R-ACT-11, after the API layer's OpenID Connect exchange: the verified identity is matched
        (names and the school's address); the returned journey is past the match."""
        validated = FranceConnectIdentity.model_validate(identity)
        start = FranceConnectStart(identity=validated, policy=self.policy)
        handle, replayed = await self._start(FranceConnectActivationWorkflow.run, start, FRANCECONNECT_ID_PREFIX,
                                             "Activation par FranceConnect", idempotency_key=idempotency_key,
                                             request=validated)
        journey = FranceConnectClient(handle, replayed=replayed)
        await _past_state(journey, "identity_to_match")  # the identity is matched first
        return journey

    def recovery(self, journey_id: str) -> RecoveryJourneyClient:
        return RecoveryJourneyClient(self.client.get_workflow_handle(journey_id))

    async def start_identifier_recovery(self, request: IdentifierRequestInput | dict, idempotency_key: str | None = None,
                                        ) -> tuple[RecoveryJourneyClient, RecoveryOutcome]:
        """« Identifiant oublié » (R-REC-1/2): the same answer whether or not an account matches."""
        validated = IdentifierRequestInput.model_validate(request)
        journey = await self._start_recovery(IdentifierRecoveryWorkflow.run, IDENTIFIER_RECOVERY_ID_PREFIX,
                                             "Identifiant oublié", idempotency_key, validated)
        return journey, await _act(journey.handle, IdentifierRecoveryWorkflow.request_identifier, validated,
                                   FIRST_STEP_UPDATE_ID)

    async def start_password_reset(self, request: ResetRequestInput | dict, idempotency_key: str | None = None,
                                   ) -> tuple[RecoveryJourneyClient, RecoveryOutcome]:
        """« Mot de passe oublié »: by mail a single-use link valid 1 h (R-REC-3), by SMS a code valid
        30 min (R-REC-4); the same answer whether or not the account exists (R-REC-7)."""
        validated = ResetRequestInput.model_validate(request)
        journey = await self._start_recovery(PasswordResetWorkflow.run, PASSWORD_RESET_ID_PREFIX, "Mot de passe oublié",
                                             idempotency_key, validated)
        return journey, await _act(journey.handle, PasswordResetWorkflow.request_reset, validated, FIRST_STEP_UPDATE_ID)

    async def _start_recovery(self, run, prefix: str, summary: str, idempotency_key: str | None,
                              request: BaseModel) -> RecoveryJourneyClient:
        handle, replayed = await self._start(run, RecoveryStart(policy=self.recovery_policy), prefix, summary,
                                             idempotency_key=idempotency_key, request=request)
        return RecoveryJourneyClient(handle, replayed=replayed)

    def activation(self, journey_id: str) -> ActivationJourneyClient:
        return ActivationJourneyClient(self.client.get_workflow_handle(journey_id))

    async def start_activation(self, identity: IdentityInput | dict | None = None, idempotency_key: str | None = None,
                               ) -> tuple[ActivationJourneyClient, ActivationOutcome | None]:
        """Start a journey under a fresh opaque id; with an identity, submit it in the same round trip
        (update-with-start). A mismatch leaves the journey at the identity step for a corrected retry.
        With an idempotency key, a repeated request gets the same journey and the first answer."""
        start = ActivationStart(policy=self.policy)
        # Kind and first state given at start, where they cost no action (an upsert would).
        shown = TypedSearchAttributes([SearchAttributePair(JOURNEY_KIND, ActivationWorkflow.kind),
                                       SearchAttributePair(JOURNEY_STATE, ActivationJourney.identity_to_check.value)])
        validated = None if identity is None else IdentityInput.model_validate(identity)
        if idempotency_key is not None:
            handle, replayed = await self._start(ActivationWorkflow.run, start, ID_PREFIX, ACTIVATION_SUMMARY,
                                                 idempotency_key=idempotency_key, request=validated,
                                                 search_attributes=shown)
            journey = ActivationJourneyClient(handle, replayed=replayed)
            if validated is None:
                return journey, None
            return journey, await _act(handle, ActivationWorkflow.submit_identity, validated, FIRST_STEP_UPDATE_ID)
        options = dict(id=f"{ID_PREFIX}{new_reference()}", task_queue=self.task_queue,
                       static_summary=ACTIVATION_SUMMARY, search_attributes=shown)
        if validated is None:
            handle = await self.client.start_workflow(ActivationWorkflow.run, start, **options)
            return ActivationJourneyClient(handle), None
        if not self.update_with_start:
            journey = ActivationJourneyClient(await self.client.start_workflow(ActivationWorkflow.run, start, **options))
            return journey, await journey.submit_identity(validated)
        operation = WithStartWorkflowOperation(
            ActivationWorkflow.run, start, id_conflict_policy=WorkflowIDConflictPolicy.FAIL, **options
        )
        try:
            outcome = await self.client.execute_update_with_start_workflow(
                ActivationWorkflow.submit_identity, validated, start_workflow_operation=operation
            )
        except WorkflowUpdateFailedError as error:
            raise JourneyActionRejected(_refusal_from(error)) from None
        return ActivationJourneyClient(await operation.workflow_handle()), outcome
