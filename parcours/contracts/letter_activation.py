"""Activation by notification letter (SPEC R-ACT-10): the school's identifier and provisional
password; then a valid email (mandatory for guardians) and a new password."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field, field_validator

from parcours.contracts.accounts import SignInPolicy, clean_identifier
from parcours.contracts.common import ActionStep, CredentialStatus, JourneyOutcome, JsonStrict, Password, StrictInput
from parcours.contracts.contact import ContactPolicy
from parcours.people.contact_details import normalize_email

LETTER_ACTIVATION_WORKFLOW = "LetterActivation"
LETTER_ACTIVATION_ID_PREFIX = "letter-activation/"


class LetterActivationStart(JsonStrict):
    sign_in_policy: SignInPolicy = Field(default_factory=SignInPolicy)
    contact_policy: ContactPolicy = Field(default_factory=ContactPolicy)
    idle_lifetime: timedelta = timedelta(hours=24)


class LetterCredentialsInput(StrictInput):
    identifier: str = Field(max_length=120)
    provisional_password: Password

    _identifier = field_validator("identifier")(lambda cls, v: clean_identifier(v))


class LetterDetailsInput(StrictInput):
    email: str | None = Field(default=None, max_length=320)
    password: Password
    confirmation: Password

    _email = field_validator("email")(lambda cls, v: None if v is None else normalize_email(v))


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


class LetterActivationOutcome(JourneyOutcome):
    status: CredentialStatus
    retry_at: datetime | None = None
    step: LetterActivationStep
