"""Contact changes from « Mon compte » (SPEC R-CON-2 … R-CON-9): email (and later mobile)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from parcours.contracts.common import (
    ActionStep,
    Channel,
    CodeChallenge,
    CodeStepStatus,
    Deadlines,
    JourneyOutcome,
    JourneyPolicy,
    JsonStrict,
    OpaqueRef,
    StrictInput,
)
from parcours.contracts.fields import Email, Mobile, same_as
from parcours.contracts.recovery import MAX_TOKEN_LENGTH

EMAIL_CHANGE_WORKFLOW = "EmailChange"
EMAIL_CHANGE_ID_PREFIX = "email-change/"
MOBILE_CHANGE_WORKFLOW = "MobileChange"
MOBILE_CHANGE_ID_PREFIX = "mobile-change/"


class ContactPolicy(JourneyPolicy):
    """Cooldown and cap of JourneyPolicy apply to "Renvoyer le mail" too (R-CON-4)."""

    link_validity: timedelta = timedelta(hours=24)
    public_base_url: str = "http://localhost:8000"

    @classmethod
    def from_settings(cls, settings) -> ContactPolicy:
        return cls(**JourneyPolicy.from_settings(settings).model_dump(), link_validity=settings.email_link_validity,
                   public_base_url=settings.public_base_url)


class EmailChangeStart(JsonStrict):
    account_ref: str
    policy: ContactPolicy = Field(default_factory=ContactPolicy)
    initial_email: str | None = None  # a request made elsewhere (activation by letter, R-ACT-10)


class EmailChangeInput(StrictInput):
    """R-CON-2: the new address twice."""

    new_email: Email
    confirmation: Annotated[Email, same_as("new_email", "The same address as new_email.")]

    @field_validator("confirmation")
    @classmethod
    def _twice_the_same(cls, confirmation: str, info: ValidationInfo) -> str:
        if "new_email" in info.data and confirmation != info.data["new_email"]:
            raise ValueError("les deux adresses saisies ne sont pas identiques")
        return confirmation


class EmailLinkInput(StrictInput):
    token: str = Field(min_length=16, max_length=MAX_TOKEN_LENGTH, pattern=r"^[A-Za-z0-9_\-.]+$", repr=False)


class EmailConfirmInput(StrictInput):
    """R-CON-5: confirming needs the signed-in account (its ref, from the API layer's session)."""

    token: str = Field(min_length=16, max_length=MAX_TOKEN_LENGTH, pattern=r"^[A-Za-z0-9_\-.]+$", repr=False)
    signed_in_account_ref: OpaqueRef


class EmailChangeData(CodeChallenge):
    """The link plays the code's part for cooldown and cap: `codes_sent` counts links sent."""

    state: str | None = None
    account_ref: str
    policy: ContactPolicy = Field(default_factory=ContactPolicy)
    last_activity_at: datetime | None = None
    new_email: str | None = None
    link_id: str | None = None
    link_expires_at: datetime | None = None
    requests_and_resends: int = 0  # numbers the links: each one is sent once
    old_email: str | None = None
    identifier: str | None = None


class EmailChangeStep(ActionStep):
    deadlines: Deadlines = Field(default_factory=Deadlines)
    new_email: str | None = None
    identifier: str | None = None  # shown once the link is opened (R-CON-5)
    old_email: str | None = None
    resends_left: int | None = None


class EmailChangeOutcome(JourneyOutcome):
    status: Literal["accepted", "resend_refused", "link_invalid", "send_failed"]
    retry_at: datetime | None = None
    step: EmailChangeStep


class MobileChangeStart(JsonStrict):
    account_ref: str
    policy: ContactPolicy = Field(default_factory=ContactPolicy)


class MobileChangeInput(StrictInput):
    """R-CON-7: the new mobile number (guardians)."""

    new_mobile: Mobile


class MobileChangeData(CodeChallenge):
    state: str | None = None
    account_ref: str
    policy: ContactPolicy = Field(default_factory=ContactPolicy)
    last_activity_at: datetime | None = None
    channel: Channel = Channel.SMS
    new_mobile: str | None = None


class MobileChangeStep(ActionStep):
    deadlines: Deadlines = Field(default_factory=Deadlines)
    new_mobile: str | None = None
    code_tries_left: int | None = None
    resends_left: int | None = None


class MobileChangeOutcome(JourneyOutcome):
    status: CodeStepStatus
    tries_left: int | None = None
    retry_at: datetime | None = None
    step: MobileChangeStep
