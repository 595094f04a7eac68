"""The activation journey's contract: what the API layer sends, what it gets back."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from parcours.contracts.common import (  # noqa: F401 — CodeInput, ResendInput: part of this contract
    Channel,
    Choice,
    CodeChallenge,
    CodeInput,
    Deadlines,
    FormDate,
    JourneyOutcome,
    JourneyPolicy,
    JourneyStep,
    JsonStrict,
    OpaqueRef,
    OutcomeStatus,
    Password,
    PasswordPolicyView,
    ResendInput,
    StrictInput,
    destination_of,
)
from parcours.contracts.fields import Email, Mobile, PersonName, required_when

WORKFLOW_TYPE = "Activation"
ID_PREFIX = "activation/"
MIN_BIRTH_DATE, MAX_BIRTH_DATE = date(1900, 1, 1), date(2100, 1, 1)


# -- inputs (updates) ------------------------------------------------------------------------

class ActivationStart(JsonStrict):
    """The workflow's start argument: only the policy; nothing about the person."""

    policy: JourneyPolicy = Field(default_factory=JourneyPolicy)


class IdentityInput(StrictInput):
    """ "Je confirme mon identité": names and the mobile or address given to the school."""

    model_config = ConfigDict(json_schema_extra={"allOf": [required_when("channel", "sms", "mobile"),
                                                           required_when("channel", "mail", "email")]})

    channel: Annotated[Channel, Choice]
    last_name: PersonName
    first_name: PersonName
    mobile: Mobile | None = Field(default=None, validate_default=True, description="Required by SMS.")
    email: Email | None = Field(default=None, validate_default=True, description="Required by mail.")

    _mobile = field_validator("mobile")(destination_of(Channel.SMS, "requis pour une activation par SMS"))
    _email = field_validator("email")(destination_of(Channel.MAIL, "requis pour une activation par mail"))

    @property
    def destination(self) -> str:
        return self.mobile if self.channel is Channel.SMS else self.email  # type: ignore[return-value]


class ChildAnswerInput(StrictInput):
    """One student of "Je confirme être le représentant légal de l'élève suivant"."""

    model_config = ConfigDict(json_schema_extra=required_when("is_guardian", True, "birth_date"))

    student_ref: OpaqueRef
    is_guardian: bool
    birth_date: FormDate | None = Field(
        default=None, validate_default=True, examples=["2014-03-02", "02 03 2014", "2/3/2014"],
        description=f"Required when confirming (is_guardian), from {MIN_BIRTH_DATE} to {MAX_BIRTH_DATE}.")

    @field_validator("birth_date")
    @classmethod
    def _date_when_confirming(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None and info.data.get("is_guardian"):
            raise ValueError("requise pour confirmer le lien")
        if value is not None and not MIN_BIRTH_DATE <= value <= MAX_BIRTH_DATE:
            raise ValueError("date hors limites")
        return value


class PasswordInput(StrictInput):
    password: Password
    confirmation: Password


# -- journey data (the state machine's model) -------------------------------------------------

class ChildStatus(StrEnum):
    TO_CONFIRM = "to_confirm"
    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"  # wrong birth date too often: proposed again later
    REPORTED = "reported"  # "Je ne suis pas le représentant légal"


class ChildToConfirm(BaseModel):
    student_ref: str
    display_name: str  # first name and last initial, as the screens show them
    school: str
    role: Literal["legal_representative", "person_in_charge"]
    status: ChildStatus = ChildStatus.TO_CONFIRM
    wrong_birth_dates: int = 0


class ActivationData(CodeChallenge):
    """Everything the activation machine decides on. No code, no password, ever."""

    state: str | None = None
    policy: JourneyPolicy = Field(default_factory=JourneyPolicy)
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    channel: Channel | None = None
    masked_destination: str | None = None
    account_ref: str | None = None
    identifier: str | None = None
    identity_attempts: int = 0
    account_already_active: bool = False
    children: list[ChildToConfirm] = Field(default_factory=list)
    # With uniform answers: the identity between the answer and the lookup (dropped after it).
    identity_request: dict | None = Field(default=None, repr=False)


# -- outputs ---------------------------------------------------------------------------------

class ChildView(BaseModel):
    student_ref: str
    display_name: str
    school: str
    question: str
    confirm_label: str = Field(description="The answer that confirms the link (is_guardian true), in French.")
    deny_label: str = Field(description="The answer that reports it (is_guardian false): « Je ne suis pas … ».")
    status: ChildStatus
    birth_date_tries_left: int


class ActivationStep(JourneyStep):
    """What a front end needs to draw the current screen."""

    expected_input: list[str]
    deadlines: Deadlines
    messages: list[str]
    channel: Channel | None = None
    masked_destination: str | None = None
    code_tries_left: int | None = None
    resends_left: int | None = None
    children: list[ChildView] = Field(default_factory=list)
    identifier: str | None = None
    password_policy: PasswordPolicyView | None = Field(
        default=None, description="At the password step: the criteria to show (R-ACT-8).")


class ActivationOutcome(JourneyOutcome):
    """The answer to one action, with the step the journey is now at."""

    status: OutcomeStatus
    tries_left: int | None = None
    retry_at: datetime | None = None
    step: ActivationStep
