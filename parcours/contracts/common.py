"""Models shared by every journey."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)

from parcours import messages
from parcours.contracts.fields import Password, VerificationCode
from parcours.field_messages import french_message
from parcours.security import password_policy

__all__ = ["Password"]  # the password field's type, declared with the other fields' types

MAX_REF_LENGTH = 64

# The ApplicationError type of a refused action (update validator, handler or activity); its first
# detail is a Refusal. The journey is unchanged.
UPDATE_REJECTED = "UpdateRejected"
# An input the workflow could not decode fails with pydantic's ValidationError; its first detail
# holds the field errors (FieldError's fields) under this key.
INPUT_ERRORS_DETAIL = "field_errors"
# The ApplicationError type of an account reference that names no account.
UNKNOWN_ACCOUNT = "UnknownAccount"

OpaqueRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
"""An internal reference (account, student, code): no personal data."""


class JsonStrict(BaseModel):
    """A model read from outside (an HTTP body, a start or update input crossing Temporal): each
    value of the JSON type its schema says, nothing converted — 0 is not false, "yes" not true,
    "5" not 5, 20130630 not a date. Strict in Python mode too, because HTTP bodies and the client
    validate decoded JSON (`model_validate` of a dict) while the worker reads the JSON itself
    (`model_validate_json`): both refuse alike. What JSON carries as a string in a richer type reads
    its string through its own annotation: an enum by `Choice`, a date by `IsoDate`/`FormDate`
    (durations are ISO 8601 strings, which strict JSON mode reads; Python code passes timedeltas)."""

    model_config = ConfigDict(strict=True)


class StrictInput(JsonStrict):
    """Inputs coming from outside: unknown fields and type coercions are errors, strings trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


# An enum field of a JsonStrict model: its value's string is accepted in Python mode too (strict
# Python mode takes only the enum's members, not the "sms" of decoded JSON); nothing else is.
Choice = Strict(False)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The form's « JJ MM AAAA »: spaces, slashes or dots between day, month and year.
_FORM_DATE = re.compile(r"([0-9]{1,2})[ /.]([0-9]{1,2})[ /.]([0-9]{4})")


def _date_reader(*, form: bool) -> Callable[[object], object]:
    """A date from exactly the strings its schema names; a date object (built in Python) as it is;
    anything else left to the strict date validation, which refuses it."""
    wording = messages.DATE_FORMS if form else messages.DATE_ISO

    def read(value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            if _ISO_DATE.fullmatch(value):
                return date.fromisoformat(value)
            if form and (parts := _FORM_DATE.fullmatch(value)):
                day, month, year = map(int, parts.groups())
                return date(year, month, day)
        except ValueError:
            raise ValueError(messages.DATE_IMPOSSIBLE) from None
        raise ValueError(wording)

    return read


_ISO_DATE_SCHEMA = {"type": "string", "format": "date"}
IsoDate = Annotated[date, BeforeValidator(_date_reader(form=False)),
                    WithJsonSchema(_ISO_DATE_SCHEMA, mode="validation")]
"""A date as JSON carries it: `YYYY-MM-DD`, nothing else."""
FormDate = Annotated[date, BeforeValidator(_date_reader(form=True)), WithJsonSchema(
    {"anyOf": [_ISO_DATE_SCHEMA, {"type": "string", "pattern": f"^{_FORM_DATE.pattern}$"}],
     "description": "YYYY-MM-DD, or the form's DD MM YYYY (spaces, slashes or dots)"}, mode="validation")]
"""A date as JSON carries it, or as the form shows it (« 02 03 2014 », « 2/3/2014 »)."""


class CodeInput(StrictInput):
    code: VerificationCode


class ResendInput(StrictInput):
    """ "Je n'ai pas reçu le SMS — Renvoyer le SMS": no field."""


class Channel(StrEnum):
    SMS = "sms"
    MAIL = "mail"


def destination_of(channel: Channel, required: str):
    """A field validator for an optional mobile or email (declared with validate_default=True, its
    type normalizing it): when the input's channel is `channel` required, the error on this field.
    The schema says it with `fields.required_when`."""

    def validate(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("channel") is channel:
            raise ValueError(required)
        return value

    return validate


class JourneyPolicy(JsonStrict):
    """The numbers a journey runs by, fixed at its start from the settings (SPEC defaults)."""

    code_validity: timedelta = timedelta(minutes=30)
    code_max_wrong_tries: int = 5
    resend_cooldown: timedelta = timedelta(seconds=60)
    codes_per_journey: int = 5
    birth_date_max_wrong_tries: int = 3
    idle_lifetime: timedelta = timedelta(hours=24)
    send_budget: timedelta = timedelta(minutes=2)  # retries of a send the user waits for
    uniform_identity_answers: bool = False  # activation answers alike whether or not the identity matched
    search_state_lag: timedelta = timedelta(seconds=60)  # JourneyState shows a state once it lasted this long
    time_zone: str = "Europe/Paris"  # of the times told to the user; journeys started before it had none
    # The codes' length (settings.code_digits): a code of another length is refused as invalid input
    # by submit_code's validator, without costing a try. None in journeys started before it was
    # here (a deployment may have set another length than the default): any length is checked.
    code_digits: int | None = None

    @classmethod
    def from_settings(cls, settings) -> JourneyPolicy:
        return cls(
            code_validity=settings.code_validity,
            code_max_wrong_tries=settings.code_max_wrong_tries,
            resend_cooldown=settings.resend_cooldown,
            codes_per_journey=settings.codes_per_journey,
            birth_date_max_wrong_tries=settings.birth_date_max_wrong_tries,
            idle_lifetime=settings.journey_idle_lifetime,
            send_budget=settings.message_send_budget,
            uniform_identity_answers=settings.activation_uniform_answers,
            search_state_lag=settings.operator_state_lag,
            time_zone=settings.user_time_zone,
            code_digits=settings.code_digits,
        )


class CodeChallenge(BaseModel):
    """The code step's data, shared by every journey that sends a code. No code, ever: its id."""

    code_id: str | None = None
    codes_sent: int = 0
    code_sent_at: datetime | None = None
    code_expires_at: datetime | None = None
    wrong_code_tries: int = 0
    code_submissions: int = 0  # numbers each submission, so a retried check is recognised
    code_send_failures: int = 0  # codes that could not be sent: each resend is a new code, a new key


class JourneyStep(BaseModel):
    """Where a journey stands: what every journey's current step (its `current_step` query) holds."""

    journey_id: str
    state: str
    finished: bool


class ActionStep(JourneyStep):
    """The step of a journey that waits for the user's actions: which, and what to tell them."""

    expected_input: list[str]
    messages: list[str]


class JourneyOutcome(BaseModel):
    """The answer to one action: its status and the message for the user (with the step after it)."""

    status: str
    message: str


# Each journey's outcome statuses are a closed list (their schema's enum): an expected answer to the
# user's action, given as 200 with the step. The code step's and the children step's are shared by
# the journeys that have those steps; a journey's own are named in its outcome.
CodeStepStatus = Literal["accepted", "code_incorrect", "code_void", "code_expired", "resend_refused", "send_failed"]
ChildStepStatus = Literal["accepted", "birth_date_incorrect", "child_left_unconfirmed", "link_reported"]
CredentialStatus = Literal["accepted", "invalid", "locked"]  # a password checked (R-ACT-10, R-KID-1)


class OutcomeStatus(StrEnum):
    ACCEPTED = "accepted"
    MISMATCH = "mismatch"  # identity not the school's (R-ACT-1)
    ALREADY_ACTIVE = "already_active"  # R-ACT-2
    CODE_INCORRECT = "code_incorrect"  # R-ACT-4, tries left
    CODE_VOID = "code_void"  # R-ACT-4, no tries left
    CODE_EXPIRED = "code_expired"  # R-ACT-5
    RESEND_REFUSED = "resend_refused"  # R-ACT-6, cooldown or cap
    BIRTH_DATE_INCORRECT = "birth_date_incorrect"  # R-ACT-7, tries left
    CHILD_LEFT_UNCONFIRMED = "child_left_unconfirmed"  # R-ACT-7, no tries left
    LINK_REPORTED = "link_reported"  # R-ACT-7 / R-KID-3
    SEND_FAILED = "send_failed"


class Deadlines(BaseModel):
    code_expires_at: datetime | None = None
    resend_available_at: datetime | None = None
    idle_expires_at: datetime | None = None
    link_expires_at: datetime | None = None


class PasswordCriterion(BaseModel):
    key: str = Field(description="Stable name of the criterion: length, uppercase, lowercase, digit, special, "
                                 "common, personal, control.")
    label: str = Field(description="Its French wording: a `password_policy` refusal names each unmet one by it "
                                   "(its errors' `message`).")


class PasswordPolicyView(BaseModel):
    """What a password screen shows and may check as the user types (R-ACT-8): every criterion,
    with the numbers of the simple ones. The journey checks them all again on submit."""

    min_length: int
    max_length: int
    special_characters: str
    criteria: list[PasswordCriterion]

    @classmethod
    def current(cls) -> PasswordPolicyView:
        return cls(min_length=password_policy.MIN_LENGTH, max_length=password_policy.MAX_LENGTH,
                   special_characters=password_policy.SPECIAL_CHARACTERS,
                   criteria=[PasswordCriterion(key=key, label=label)
                             for key, label in password_policy.CRITERIA.items()])


class FieldError(BaseModel):
    field: str
    message: str = Field(description="Why, in French, for the user.")

    @classmethod
    def from_pydantic(cls, problem: Mapping[str, Any], *, leave_out: tuple[str, ...] = (),
                      whole: str = "") -> FieldError:
        """One of pydantic's errors (`ValidationError.errors()`), the field named by its path (a.b.0)
        less the parts in `leave_out`; `whole` names a rule across fields, which has no path."""
        path = ".".join(str(part) for part in problem["loc"] if part not in leave_out)
        return cls(field=path or whole, message=french_message(problem))


class Refusal(BaseModel):
    """Why an update was rejected by its validator; carried as the ApplicationError's details."""

    reason: str
    message: str = Field(description="The French message for the user: nothing internal.")
    errors: list[FieldError] = Field(default_factory=list)
    retry_at: datetime | None = None  # when the same action may succeed (a limit that will lift)
    debug: str | None = Field(default=None, description=(
        "For developers, never to show to users: what `message` leaves out (e.g. the update and the "
        "journey's state that refused it). English, free text: not to parse."))
