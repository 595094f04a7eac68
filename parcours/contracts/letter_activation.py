"""Activation by notification letter (SPEC R-ACT-10): the school's identifier and provisional
password; then a valid email (mandatory for guardians) and a new password."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from parcours.contracts.accounts import SignInPolicy
from parcours.contracts.common import (
    ActionStep,
    CredentialStatus,
    JourneyOutcome,
    JsonStrict,
    Password,
    PasswordPolicyView,
    StrictInput,
)
from parcours.contracts.contact import ContactPolicy
from parcours.contracts.fields import Email, Identifier

LETTER_ACTIVATION_WORKFLOW = "LetterActivation"
LETTER_ACTIVATION_ID_PREFIX = "letter-activation/"


class LetterActivationStart(JsonStrict):
    sign_in_policy: SignInPolicy = Field(default_factory=SignInPolicy)
    contact_policy: ContactPolicy = Field(default_factory=ContactPolicy)
    idle_lifetime: timedelta = timedelta(hours=24)


class LetterCredentialsInput(StrictInput):
    identifier: Identifier
    provisional_password: Password


class LetterDetailsInput(StrictInput):
    email: Email | None = None
    password: Password
    confirmation: Password


class LetterActivationData(BaseModel):
    state: str | None = None
    last_activity_at: datetime | None = None
    account_ref: str | None = None
    kind: str | None = None
    identifier: str | None = None


class LetterActivationStep(ActionStep):
    identifier: str | None = None
    email_required: bool | None = None
    email_change_journey: str | None = None
    password_policy: PasswordPolicyView | None = Field(
        default=None, description="At the details' step: the new password's criteria to show (R-ACT-8).")


class LetterActivationOutcome(JourneyOutcome):
    status: CredentialStatus
    retry_at: datetime | None = None
    step: LetterActivationStep
