"""Sign-in and password change: what the API layer sends and gets back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from parcours.contracts.common import ActionStep, JourneyOutcome, JsonStrict, PasswordPolicyView, StrictInput
from parcours.contracts.fields import Identifier, Password

SIGN_IN_WORKFLOW = "SignIn"
SIGN_IN_ID_PREFIX = "sign-in/"
PASSWORD_CHANGE_WORKFLOW = "PasswordChange"
PASSWORD_CHANGE_ID_PREFIX = "password-change/"

IDENTIFIER_PATTERN = re.compile(r"^[a-z]\.[a-z]{1,100}\d{1,6}$")


def clean_identifier(value: str) -> str:
    """`p.nomXX`, compared in lower case."""
    identifier = value.strip().lower()
    if not IDENTIFIER_PATTERN.match(identifier):
        raise ValueError("identifiant au format p.nomXX")
    return identifier


class SignInPolicy(JsonStrict):
    max_failures: int = 10
    lockout: timedelta = timedelta(minutes=15)
    time_zone: str = "Europe/Paris"  # of the lock's end told to the user; journeys started before it had none

    @classmethod
    def from_settings(cls, settings) -> SignInPolicy:
        return cls(max_failures=settings.sign_in_max_failures, lockout=settings.sign_in_lockout,
                   time_zone=settings.user_time_zone)


class SignInInput(StrictInput):
    identifier: Identifier
    password: Password


class SignInStart(JsonStrict):
    credentials: SignInInput
    policy: SignInPolicy = Field(default_factory=SignInPolicy)


class SignInStatus(StrEnum):
    SIGNED_IN = "signed_in"
    INVALID = "invalid"  # unknown identifier and wrong password alike
    LOCKED = "locked"
    MERGED = "merged"  # the account was merged into another (R-KID-1): sign in with that one


class SignInResult(BaseModel):
    status: SignInStatus
    message: str
    account_ref: str | None = None
    kind: str | None = None
    identifier: str | None = None
    retry_at: datetime | None = None
    session_generation: int | None = Field(default=None, description="Signed in: the account's session "
                                           "generation, which the session token carries (the HTTP API signs it)")


class PasswordChangeStart(JsonStrict):
    account_ref: str
    sign_in_policy: SignInPolicy = Field(default_factory=SignInPolicy)
    idle_lifetime: timedelta = timedelta(hours=24)


class PasswordChangeInput(StrictInput):
    """ "Modifier mon mot de passe": the current one, the new one twice."""

    current_password: Password
    new_password: Password
    confirmation: Password


class PasswordChangeData(BaseModel):
    state: str | None = None
    account_ref: str
    last_activity_at: datetime | None = None
    wrong_current_passwords: int = 0


class PasswordChangeStep(ActionStep):
    password_policy: PasswordPolicyView | None = Field(
        default=None, description="While the change is expected: the new password's criteria to show (R-ACT-8).")


class PasswordChangeOutcome(JourneyOutcome):
    status: Literal["accepted", "wrong_password", "locked", "franceconnect"]
    retry_at: datetime | None = None
    step: PasswordChangeStep
