"""Recovery journeys (« auto-dépannage », SPEC R-REC-1 … R-REC-7): lost identifier, lost password."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from parcours.contracts.common import (
    ActionStep,
    Channel,
    Choice,
    CodeChallenge,
    CodeStepStatus,
    Deadlines,
    JourneyOutcome,
    JourneyPolicy,
    JsonStrict,
    Password,
    PasswordPolicyView,
    StrictInput,
    destination_of,
)
from parcours.contracts.fields import Email, Identifier, Mobile, required_when

IDENTIFIER_RECOVERY_WORKFLOW = "IdentifierRecovery"
IDENTIFIER_RECOVERY_ID_PREFIX = "identifier-recovery/"
PASSWORD_RESET_WORKFLOW = "PasswordReset"
PASSWORD_RESET_ID_PREFIX = "password-reset/"
MAX_TOKEN_LENGTH = 200


class RecoveryPolicy(JourneyPolicy):
    """The code numbers of JourneyPolicy (R-REC-4), plus the link's and R-REC-7's setting."""

    reveals_unknown: bool = False
    link_validity: timedelta = timedelta(hours=1)
    public_base_url: str = "http://localhost:8000"

    @classmethod
    def from_settings(cls, settings) -> RecoveryPolicy:
        return cls(**JourneyPolicy.from_settings(settings).model_dump(),
                   reveals_unknown=settings.recovery_reveals_unknown,
                   link_validity=settings.password_reset_link_validity, public_base_url=settings.public_base_url)


class RecoveryStart(JsonStrict):
    policy: RecoveryPolicy = Field(default_factory=RecoveryPolicy)


class IdentifierRequestInput(StrictInput):
    """ "Identifiant oublié": by mail (guardians and students) or by SMS (guardians)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [required_when("channel", "sms", "mobile"),
                                                           required_when("channel", "mail", "email")]})

    channel: Annotated[Channel, Choice]
    email: Email | None = Field(default=None, validate_default=True, description="Required by mail.")
    mobile: Mobile | None = Field(default=None, validate_default=True, description="Required by SMS.")

    _email = field_validator("email")(destination_of(Channel.MAIL, "requis pour une récupération par mail"))
    _mobile = field_validator("mobile")(destination_of(Channel.SMS, "requis pour une récupération par SMS"))

    @property
    def destination(self) -> str:
        return self.email if self.channel is Channel.MAIL else self.mobile  # type: ignore[return-value]


class ResetRequestInput(StrictInput):
    """ "Mot de passe oublié": the identifier, and by mail the account's address too (R-REC-3)."""

    model_config = ConfigDict(json_schema_extra=required_when("channel", "mail", "email"))

    channel: Annotated[Channel, Choice]
    identifier: Identifier
    email: Email | None = Field(default=None, validate_default=True, description="Required by mail.")

    _email = field_validator("email")(destination_of(Channel.MAIL, "l'adresse du compte est requise par mail"))


class LinkInput(StrictInput):
    token: str = Field(min_length=16, max_length=MAX_TOKEN_LENGTH, pattern=r"^[A-Za-z0-9_\-.]+$", repr=False)


class LinkPasswordInput(StrictInput):
    """The new password, with the link's token (mail) or none (after the SMS code)."""

    token: str | None = Field(default=None, min_length=16, max_length=MAX_TOKEN_LENGTH,
                              pattern=r"^[A-Za-z0-9_\-.]+$", repr=False)
    password: Password
    confirmation: Password


class RecoveryData(CodeChallenge):
    """A recovery journey's data. Whether an account matched is kept for operators only: the
    steps and answers the user gets are the same either way (R-REC-7)."""

    state: str | None = None
    policy: RecoveryPolicy = Field(default_factory=RecoveryPolicy)
    last_activity_at: datetime | None = None
    channel: Channel | None = None
    request: dict | None = None  # the submitted request, kept until processed
    requests: int = 0
    account_ref: str | None = None
    matched: bool | None = None
    link_id: str | None = None
    link_expires_at: datetime | None = None
    identifier: str | None = None  # shown once a valid link is opened


class RecoveryStep(ActionStep):
    deadlines: Deadlines = Field(default_factory=Deadlines)
    identifier: str | None = None
    code_tries_left: int | None = None
    resends_left: int | None = None
    password_policy: PasswordPolicyView | None = Field(
        default=None, description="At the new password's step: the criteria to show (R-ACT-8).")


class RecoveryOutcome(JourneyOutcome):
    status: Literal[CodeStepStatus, "not_recognised", "link_invalid"]
    tries_left: int | None = None
    retry_at: datetime | None = None
    step: RecoveryStep
