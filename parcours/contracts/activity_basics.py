"""What the shared activities' payloads have in common: the activities' names, a journey's request
and its idempotency keys, the verification codes and the links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from parcours.contracts.common import Channel


class ActivityName(StrEnum):
    MATCH_IDENTITY = "match_identity"
    SEND_ALREADY_ACTIVE_NOTICE = "send_already_active_notice"
    SEND_CODE = "send_verification_code"
    ABANDON_MESSAGES = "abandon_messages"
    CHECK_CODE = "check_verification_code"
    CHECK_BIRTH_DATE = "check_birth_date"
    ACTIVATE_ACCOUNT = "activate_account"
    VERIFY_SIGN_IN = "verify_sign_in"
    CHANGE_PASSWORD = "change_password"
    SEND_PASSWORD_NOTICE = "send_password_changed_notice"
    SEND_IDENTIFIER_REMINDER = "send_identifier_reminder"
    PREPARE_PASSWORD_RESET = "prepare_password_reset"
    CHECK_RESET_LINK = "check_reset_link"
    RESET_PASSWORD_WITH_LINK = "reset_password_with_link"
    RESET_PASSWORD_AFTER_CODE = "reset_password_after_code"
    ACCOUNT_VIEW = "account_view"
    REPORT_LINK = "report_link"
    PENDING_CHILDREN = "pending_children"
    RECORD_CHILDREN = "record_children"
    MERGE_ACCOUNTS = "merge_accounts"
    REQUEST_EMAIL_CHANGE = "request_email_change"
    CHECK_EMAIL_LINK = "check_email_link"
    CONFIRM_EMAIL_CHANGE = "confirm_email_change"
    DROP_PENDING_EMAIL = "drop_pending_email"
    REQUEST_MOBILE_CHANGE = "request_mobile_change"
    CONFIRM_MOBILE_CHANGE = "confirm_mobile_change"
    DROP_PENDING_MOBILE = "drop_pending_mobile"
    VERIFY_PROVISIONAL = "verify_provisional_password"
    ACTIVATE_BY_LETTER = "activate_by_letter"
    MATCH_FRANCECONNECT = "match_franceconnect"
    ACTIVATE_WITH_FRANCECONNECT = "activate_with_franceconnect"
    RELAY_EVENTS = "relay_events"
    DELIVER_EVENTS = "deliver_events"
    SKIP_EVENT = "skip_event"
    PURGE_EXPIRED = "purge_expired"


class JourneyRequest(BaseModel):
    """A request an activity gets on behalf of one run of a journey."""

    journey_id: str  # the workflow id: public (in links, in claims); repeats for an account's journeys
    run: str = ""  # the run's first execution id; "" for a journey started before keys were per run

    @property
    def key_scope(self) -> str:
        """What every idempotency key of the run starts with: a later journey under the same
        workflow id (mobile-change/<account>) gets new keys, so nothing it does is taken for a
        retry of the earlier one's work."""
        return key_scope(self.journey_id, self.run)


def key_scope(journey_id: str, run: str) -> str:
    return f"{journey_id}/{run}" if run else journey_id


def journey_of_key(key: str) -> str:
    """The workflow id of the journey whose key this is: every key starts with its run's
    `key_scope`, whose journey id is a prefix and one opaque reference (`activation/<ref>`)."""
    return "/".join(key.split("/", 2)[:2])


class CodePurpose(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET_LINK = "password_reset_link"
    PASSWORD_RESET_CODE = "password_reset_code"
    EMAIL_CHANGE_LINK = "email_change_link"
    MOBILE_CHANGE = "mobile_change"


class MatchedChild(BaseModel):
    student_ref: str
    display_name: str
    school: str
    role: str


class SendCodeRequest(JourneyRequest):
    sequence: int  # 1 for the first code of the journey, 2 for the first resend…
    purpose: CodePurpose
    account_ref: str | None  # None: a recovery that matched no account gets a decoy, never sent
    channel: Channel
    issued_at: datetime
    expires_at: datetime
    max_wrong_tries: int
    # Where refusing would tell a stranger an account matched (R-REC-7), a destination over its
    # limits gets a decoy code instead, as an unmatched request does.
    decoy_when_limited: bool = False


def code_message_key(scope: str, sequence: int) -> str:
    """The idempotency key of a run's n-th code message (ledger, provider, code record)."""
    return f"{scope}/code/{sequence}"


def email_link_key(scope: str, sequence: int) -> str:
    """The idempotency key of an email-change run's n-th confirmation link (ledger, record)."""
    return f"{scope}/email-link/{sequence}"


class AbandonMessagesRequest(BaseModel):
    idempotency_key: str


# The send's error type for a journey a newer one took the account over from (activities/claims.py).
JOURNEY_DISPLACED = "JourneyDisplaced"


class CodeIssued(BaseModel):
    code_id: str
    # The account's live journey this code took over from (activities/claims.py), to be superseded.
    # Absent from the results histories recorded before claims moved to the codes: those journeys
    # took it from their identity match or reset preparation.
    displaced_journey_id: str | None = None


class CodeCheckStatus(StrEnum):
    ACCEPTED = "accepted"
    INCORRECT = "incorrect"
    VOID = "void"  # too many wrong tries, replaced, or already used
    EXPIRED = "expired"
    TOO_MANY_TRIES = "too_many_tries"  # the account's failed tries this hour are spent; not judged


class CheckCodeRequest(BaseModel):
    code_id: str
    attempt_key: str  # unique per submission: a retried check returns the first answer
    issued_in: str = ""  # the key scope of the run asking: a code of another run is void in it
    attempt: str = Field(repr=False)
    now: datetime


class CodeCheck(BaseModel):
    status: CodeCheckStatus
    tries_left: int
    retry_at: datetime | None = None  # with TOO_MANY_TRIES


class ChildDecision(BaseModel):
    student_ref: str
    status: str  # confirmed | unconfirmed | reported


class LinkStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # wrong token, replaced by a newer request, or a decoy
    EXPIRED = "expired"
    USED = "used"


class CheckLinkRequest(BaseModel):
    link_id: str
    token: str = Field(repr=False)
    now: datetime


class LinkCheck(BaseModel):
    status: LinkStatus
    identifier: str | None = None
