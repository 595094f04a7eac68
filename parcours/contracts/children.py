"""« Mes enfants » (SPEC R-KID-1 … R-KID-3): the view, link reports, new students, merges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from parcours.contracts.accounts import SignInPolicy
from parcours.contracts.activation import ChildToConfirm, ChildView
from parcours.contracts.common import (
    ActionStep,
    ChildStepStatus,
    CredentialStatus,
    JourneyOutcome,
    JourneyStep,
    JsonStrict,
    OpaqueRef,
    Password,
    StrictInput,
)
from parcours.contracts.fields import Identifier

CHILDREN_WORKFLOW = "ChildrenConfirmation"
CHILDREN_ID_PREFIX = "children-confirmation/"
LINK_REPORT_WORKFLOW = "LinkReport"
LINK_REPORT_ID_PREFIX = "link-report/"
MERGE_WORKFLOW = "AccountMerge"
MERGE_ID_PREFIX = "account-merge/"
ACCOUNT_VIEW_WORKFLOW = "AccountView"


class ChildOfAccount(BaseModel):
    """A student as « Mes enfants » shows it: initials and birth date (seed 004). The birth date
    only once the link is confirmed: it is what a guardian proves the link with (R-ACT-7, R-KID-2),
    so a new or unconfirmed child's would give the answer away."""

    student_ref: str
    initials: str
    birth_date: date | None = Field(default=None, description=(
        "Set only for a confirmed child: a new or unconfirmed link is proven with this date."))
    school: str
    class_name: str
    role: str
    # Defaults: a view read by a journey begun before labels existed (its history) still decodes.
    role_label: str = Field(default="", description="The role in French, as « Mes enfants » shows it.")
    status: str  # confirmed | unconfirmed | new (a reported student has left the account: R-KID-3)
    status_label: str = Field(default="", description="The link's state in French, as « Mes enfants » shows it.")


class AccountView(BaseModel):
    """« Mon compte / Mes informations » and « Mes enfants »."""

    account_ref: str
    identifier: str
    kind: str
    status: str
    email: str | None
    email_status: str
    pending_email: str | None = None  # « Vous devez confirmer votre adresse mail » until confirmed
    mobile: str | None
    mobile_status: str
    pending_mobile: str | None = None
    franceconnect: bool
    children: list[ChildOfAccount]
    session_generation: int = Field(default=0, description="Raised by a password change or a merge: a session "
                                    "token of an older generation no longer proves a sign-in")


class AccountViewRequest(JsonStrict):
    account_ref: str


class ChildrenStart(JsonStrict):
    account_ref: str
    birth_date_max_wrong_tries: int = 3
    idle_lifetime: timedelta = timedelta(hours=24)


class ChildrenData(BaseModel):
    state: str | None = None
    account_ref: str
    last_activity_at: datetime | None = None
    children: list[ChildToConfirm] = Field(default_factory=list)


class ChildrenConfirmationStep(ActionStep):
    children: list[ChildView] = Field(default_factory=list)


class ChildrenOutcome(JourneyOutcome):
    status: ChildStepStatus
    tries_left: int | None = None
    step: ChildrenConfirmationStep


class LinkReportStart(JsonStrict):
    account_ref: str
    student_ref: OpaqueRef


class LinkReportStep(JourneyStep):
    messages: list[str]


class LinkReportData(BaseModel):
    state: str | None = None
    account_ref: str
    student_ref: str
    last_activity_at: datetime | None = None


class MergeStart(JsonStrict):
    account_ref: str  # the account to keep, signed in
    sign_in_policy: SignInPolicy = Field(default_factory=SignInPolicy)
    idle_lifetime: timedelta = timedelta(hours=24)


class MergeInput(StrictInput):
    """ "Ajouter des élèves depuis un autre compte": the other account's identifier and password
    (provisional or current)."""

    identifier: Identifier
    password: Password


class MergeData(BaseModel):
    state: str | None = None
    account_ref: str
    last_activity_at: datetime | None = None
    merged_identifier: str | None = None
    moved_students: int = 0


class MergeStep(ActionStep):
    pass  # the shared fields only


class MergeOutcome(JourneyOutcome):
    status: Literal[CredentialStatus, "names_differ", "same_account"]
    retry_at: datetime | None = None
    step: MergeStep
