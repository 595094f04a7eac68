"""Payloads of the account activities: identity, activation, credentials, recovery, children,
contact details, FranceConnect."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from parcours.contracts.activity_basics import ChildDecision, JourneyRequest, LinkStatus, MatchedChild
from parcours.contracts.common import Channel


class MatchIdentityRequest(JourneyRequest):
    channel: Channel
    last_name: str
    first_name: str
    destination: str  # E.164 number or normalised address


class AlreadyActiveNoticeRequest(JourneyRequest):
    account_ref: str
    channel: Channel
    now: datetime


class IdentityMatch(BaseModel):
    matched: bool
    account_ref: str | None = None
    identifier: str | None = None
    already_active: bool = False
    masked_destination: str | None = None
    # The person's earlier live journey, to be ended: in histories recorded before journeys claimed
    # the account with their first code (CodeIssued.displaced_journey_id); None since.
    superseded_journey_id: str | None = None
    children: list[MatchedChild] = Field(default_factory=list)


class CheckBirthDateRequest(BaseModel):
    account_ref: str
    student_ref: str
    birth_date: date = Field(repr=False)


class ActivateAccountRequest(JourneyRequest):
    account_ref: str
    channel: Channel
    password: str = Field(repr=False)
    children: list[ChildDecision]
    activated_at: datetime


class AccountActivated(BaseModel):
    identifier: str


class VerifySignInRequest(BaseModel):
    identifier: str
    password: str = Field(repr=False)
    now: datetime
    max_failures: int
    lockout: timedelta
    attempt_key: str = ""  # unique per check (run and update): a retried check is not counted twice
    account_ref: str | None = None  # when given, the identifier must belong to this account


class CredentialCheck(BaseModel):
    valid: bool
    merged: bool = False  # the right password of an account merged into another
    locked_until: datetime | None = None
    franceconnect: bool = False
    account_ref: str | None = None
    kind: str | None = None
    identifier: str | None = None
    session_generation: int = 0  # of a valid check: what a session token given now carries


class ChangePasswordRequest(JourneyRequest):
    account_ref: str
    current_password: str = Field(repr=False)
    new_password: str = Field(repr=False)
    now: datetime
    max_failures: int
    lockout: timedelta
    attempt_key: str = ""  # see VerifySignInRequest


class PasswordNoticeRequest(JourneyRequest):
    account_ref: str
    changed_at: datetime


class IdentifierReminderRequest(JourneyRequest):
    channel: Channel
    destination: str
    requested_at: datetime


class PrepareResetRequest(JourneyRequest):
    attempt: int  # a corrected request (explicit-error setting) is a new attempt
    channel: Channel
    identifier: str
    email: str | None = None
    issued_at: datetime
    expires_at: datetime
    public_base_url: str


class PreparedReset(BaseModel):
    link_id: str | None = None  # mail channel
    matched: bool  # for operators only: the journey behaves the same either way
    account_ref: str | None = None
    superseded_journey_id: str | None = None  # the live reset the link took over from (activities/claims.py)


class ResetWithLinkRequest(JourneyRequest):
    link_id: str
    token: str = Field(repr=False)
    password: str = Field(repr=False)
    now: datetime


class LinkReset(BaseModel):
    status: LinkStatus
    account_ref: str | None = None


class ResetAfterCodeRequest(JourneyRequest):
    account_ref: str
    password: str = Field(repr=False)
    now: datetime


class ReportLinkRequest(JourneyRequest):
    account_ref: str
    student_ref: str
    now: datetime


class PendingChildrenRequest(BaseModel):
    account_ref: str


class RecordChildrenRequest(JourneyRequest):
    account_ref: str
    children: list[ChildDecision]
    now: datetime


class MergeRequest(JourneyRequest):
    account_ref: str
    other_identifier: str
    other_password: str
    now: datetime
    max_failures: int
    lockout: timedelta
    attempt_key: str = ""  # see VerifySignInRequest


class MergeResult(BaseModel):
    status: Literal["merged", "invalid", "locked", "names_differ", "same_account"]
    identifier: str | None = None
    moved_students: int = 0
    locked_until: datetime | None = None


class EmailChangeRequest(JourneyRequest):
    sequence: int  # each request or resend sends a new link, voiding the previous one
    account_ref: str
    new_email: str
    issued_at: datetime
    expires_at: datetime
    public_base_url: str


class EmailChangeIssued(BaseModel):
    status: str  # sent | same_as_current
    link_id: str | None = None
    had_address: bool = False


class EmailLinkRequest(JourneyRequest):
    link_id: str
    token: str = Field(repr=False)
    account_ref: str
    now: datetime


class EmailLinkCheck(BaseModel):
    status: LinkStatus
    identifier: str | None = None
    old_email: str | None = None
    new_email: str | None = None


class DropPendingRequest(BaseModel):
    account_ref: str
    new_email: str


class MobileChangeRequest(BaseModel):
    account_ref: str
    new_mobile: str


class MobileConfirmRequest(JourneyRequest):
    account_ref: str
    new_mobile: str
    now: datetime


class ActivateByLetterRequest(JourneyRequest):
    account_ref: str
    password: str = Field(repr=False)
    now: datetime


class FranceConnectMatchRequest(BaseModel):
    subject: str = Field(repr=False)
    family_name: str
    given_name: str
    email: str


class FranceConnectMatch(BaseModel):
    status: str  # matched | not_found | subject_taken | already_active
    account_ref: str | None = None
    identifier: str | None = None
    children: list[MatchedChild] = Field(default_factory=list)


class FranceConnectActivateRequest(JourneyRequest):
    account_ref: str
    subject: str = Field(repr=False)
    email: str
    children: list[ChildDecision]
    now: datetime
