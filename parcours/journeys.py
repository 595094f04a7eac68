"""One entry per journey: its workflow, its chart, its id and the id's policy, its summary in the
Temporal UI. The worker's workflows, the Temporal contract, the docs' diagrams, the client's
starts and the HTTP routes are derived from it, so adding a journey adds an entry here (with its
chart, its workflow and its activities), not a line in each of those lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio.common import WorkflowIDConflictPolicy

from parcours.contracts.accounts import PASSWORD_CHANGE_ID_PREFIX, SIGN_IN_ID_PREFIX
from parcours.contracts.activation import ID_PREFIX as ACTIVATION_ID_PREFIX
from parcours.contracts.children import CHILDREN_ID_PREFIX, LINK_REPORT_ID_PREFIX, MERGE_ID_PREFIX
from parcours.contracts.contact import EMAIL_CHANGE_ID_PREFIX, MOBILE_CHANGE_ID_PREFIX
from parcours.contracts.franceconnect import FRANCECONNECT_ID_PREFIX
from parcours.contracts.letter_activation import LETTER_ACTIVATION_ID_PREFIX
from parcours.contracts.recovery import IDENTIFIER_RECOVERY_ID_PREFIX, PASSWORD_RESET_ID_PREFIX
from parcours.states.activation import ActivationJourney
from parcours.states.children import AccountMergeJourney, ChildrenConfirmationJourney, LinkReportJourney
from parcours.states.contact import EmailChangeJourney, MobileChangeJourney
from parcours.states.franceconnect import FranceConnectActivationJourney
from parcours.states.letter_activation import LetterActivationJourney
from parcours.states.password_change import PasswordChangeJourney
from parcours.states.recovery import IdentifierRecoveryJourney, PasswordResetJourney
from parcours.workflows.activation import ActivationWorkflow
from parcours.workflows.children import (
    AccountMergeWorkflow,
    AccountViewWorkflow,
    ChildrenConfirmationWorkflow,
    LinkReportWorkflow,
)
from parcours.workflows.contact import EmailChangeWorkflow, MobileChangeWorkflow
from parcours.workflows.franceconnect import FranceConnectActivationWorkflow
from parcours.workflows.letter_activation import LetterActivationWorkflow
from parcours.workflows.password_change import PasswordChangeWorkflow
from parcours.workflows.recovery import IdentifierRecoveryWorkflow, PasswordResetWorkflow
from parcours.workflows.sign_in import SignInWorkflow

OPAQUE, PER_ACCOUNT = "<opaque random>", "<account_ref>"


@dataclass(frozen=True)
class Journey:
    """`name` names the journey in the docs (its diagram's block); `id_key` what follows the
    prefix in its workflow id; `id_policy` that id's policy, as the contract tells it."""

    name: str
    workflow: type[Any]
    chart: type | None
    id_prefix: str
    id_key: str
    id_policy: str
    summary: str | None = None

    @property
    def kind(self) -> str | None:
        """The journey kind shown in the JourneyKind search attribute (None: it sets none)."""
        return getattr(self.workflow, "kind", None)

    @property
    def id_scheme(self) -> str:
        return f"{self.id_prefix}{self.id_key}"

    @property
    def conflict_policy(self) -> WorkflowIDConflictPolicy:
        """One live journey per account: a second start joins it."""
        if self.id_key == PER_ACCOUNT:
            return WorkflowIDConflictPolicy.USE_EXISTING
        return WorkflowIDConflictPolicy.FAIL


ONE_PER_ACCOUNT = "USE_EXISTING: one live per account"
JOURNEYS = (
    Journey("activation", ActivationWorkflow, ActivationJourney, ACTIVATION_ID_PREFIX, OPAQUE,
            "FAIL on conflict (a fresh id per start)",
            "Activation d'un compte responsable (Je n'ai pas de compte)"),
    Journey("sign-in", SignInWorkflow, None, SIGN_IN_ID_PREFIX, OPAQUE, "a fresh id per sign-in"),
    Journey("password-change", PasswordChangeWorkflow, PasswordChangeJourney, PASSWORD_CHANGE_ID_PREFIX,
            PER_ACCOUNT, ONE_PER_ACCOUNT, "Changement de mot de passe (Mon compte)"),
    Journey("identifier-recovery", IdentifierRecoveryWorkflow, IdentifierRecoveryJourney,
            IDENTIFIER_RECOVERY_ID_PREFIX, OPAQUE, "a fresh id per request", "Identifiant oublié"),
    Journey("password-reset", PasswordResetWorkflow, PasswordResetJourney, PASSWORD_RESET_ID_PREFIX, OPAQUE,
            "a fresh id per request; a newer one for the same account supersedes the older", "Mot de passe oublié"),
    Journey("account-view", AccountViewWorkflow, None, "account-view/", OPAQUE, "a fresh id per read"),
    Journey("link-report", LinkReportWorkflow, LinkReportJourney, LINK_REPORT_ID_PREFIX, OPAQUE,
            "a fresh id per report", "Signalement d'un lien responsable-élève"),
    Journey("children-confirmation", ChildrenConfirmationWorkflow, ChildrenConfirmationJourney, CHILDREN_ID_PREFIX,
            PER_ACCOUNT, ONE_PER_ACCOUNT, "Confirmation de nouveaux élèves à la connexion"),
    Journey("account-merge", AccountMergeWorkflow, AccountMergeJourney, MERGE_ID_PREFIX, PER_ACCOUNT,
            ONE_PER_ACCOUNT, "Ajouter des élèves depuis un autre compte"),
    Journey("email-change", EmailChangeWorkflow, EmailChangeJourney, EMAIL_CHANGE_ID_PREFIX, PER_ACCOUNT,
            f"{ONE_PER_ACCOUNT}; a new request is an update to it", "Changement d'adresse mail"),
    Journey("mobile-change", MobileChangeWorkflow, MobileChangeJourney, MOBILE_CHANGE_ID_PREFIX, PER_ACCOUNT,
            f"{ONE_PER_ACCOUNT}; a new number is an update to it", "Changement de numéro de portable"),
    Journey("letter-activation", LetterActivationWorkflow, LetterActivationJourney, LETTER_ACTIVATION_ID_PREFIX,
            OPAQUE, "a fresh id per start", "Activation par notification"),
    Journey("franceconnect-activation", FranceConnectActivationWorkflow, FranceConnectActivationJourney,
            FRANCECONNECT_ID_PREFIX, OPAQUE,
            "a fresh id per start; a FranceConnect subject activates one account once", "Activation par FranceConnect"),
)
BY_WORKFLOW = {journey.workflow: journey for journey in JOURNEYS}
WORKFLOWS = [journey.workflow for journey in JOURNEYS]
CHARTS = {journey.name: journey.chart for journey in JOURNEYS if journey.chart is not None}


def journey_of(workflow_class: type[Any]) -> Journey:
    return BY_WORKFLOW[workflow_class]


def journey_by_id(journey_id: str) -> Journey:
    """The registry entry a workflow id belongs to, by its prefix (each journey has its own)."""
    for journey in JOURNEYS:
        if journey_id.startswith(journey.id_prefix):
            return journey
    raise ValueError(f"no journey has the id {journey_id!r}")
