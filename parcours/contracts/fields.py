"""The input fields' types: each rule declared once, as pydantic constraints that both validate and
appear in the JSON schema (OpenAPI and Temporal contract), so the schema says what the model takes.

Patterns are compiled Python regular expressions: pydantic then matches them with Python's `re`
(not its Rust engine), the engine the schema's generated examples use too (hypothesis-jsonschema),
so a letter of any script is a letter to both. A rule JSON Schema cannot hold (a real mobile
number, a deliverable-looking address, a date in range) is said in the field's description, with
`examples` the model accepts; strings are trimmed before any rule (StrictInput)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from parcours import messages
from parcours.field_messages import PATTERN_WORDING
from parcours.people.contact_details import (
    EMAIL_INVALID,
    EMAIL_PATTERN,
    MAX_EMAIL_LENGTH,
    MAX_PHONE_INPUT_LENGTH,
    PHONE_PATTERN,
    normalize_email,
    normalize_mobile,
)
from parcours.people.names import MAX_NAME_LENGTH, NAME_PATTERN, NAME_WORDING, collapse_spaces
from parcours.security.password_policy import CRITERIA, refuse_control_characters
from parcours.security.password_policy import MAX_LENGTH as MAX_PASSWORD_LENGTH


def worded(pattern: str, wording: str) -> re.Pattern[str]:
    """A schema pattern and the French words for a value that does not match it."""
    PATTERN_WORDING[pattern] = wording
    return re.compile(pattern)


PersonName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH, pattern=worded(NAME_PATTERN, NAME_WORDING)),
    AfterValidator(collapse_spaces),
    Field(description="Letters of any script; parts separated by spaces (runs of them collapsed to one), an "
                      "apostrophe or a hyphen.", examples=["Martin", "Dupont-Lefèvre", "N’Diaye"]),
]

# The code as sent (SMS or mail): 4 to 10 digits (what settings.code_digits allows), spaces between
# them dropped: a person copies « 123 456 » as the SMS groups it. The journey knows its codes' length
# and refuses another one as invalid input (submit_code's validator), so a typing slip costs no try.
CODE_PATTERN = r"^[0-9](?: *[0-9]){3,9}$"
VerificationCode = Annotated[
    str,
    StringConstraints(min_length=4, max_length=32,
                      pattern=worded(CODE_PATTERN, "le code est composé de 4 à 10 chiffres")),
    AfterValidator(lambda code: code.replace(" ", "")),
    Field(description="4 to 10 digits, spaces between them allowed (dropped). A journey's codes all have "
                      "its deployment's length (6 digits by default): a code of another length is refused "
                      "as invalid input (422, field `code`) and costs no try; a wrong code of the right "
                      "length costs one.", repr=False),
]

Mobile = Annotated[
    str,
    StringConstraints(max_length=MAX_PHONE_INPUT_LENGTH, pattern=worded(PHONE_PATTERN, messages.MOBILE_CHARACTERS)),
    AfterValidator(normalize_mobile),
    Field(description="A mobile number: French when written without a country code (+33 or 0033 before it "
                      "otherwise); it must be a valid mobile number (libphonenumber), kept in E.164 form.",
          examples=["06 12 34 56 78", "+33 6 12 34 56 78", "0033 7 56 78 90 12"]),
]

Email = Annotated[
    str,
    StringConstraints(max_length=MAX_EMAIL_LENGTH, pattern=worded(EMAIL_PATTERN, EMAIL_INVALID)),
    AfterValidator(normalize_email),
    Field(description="An email address, checked by its syntax (email-validator, no quoted local part, no DNS "
                      "lookup), kept in lower case. ASCII before the @ (an accent or an emoji there needs "
                      "SMTPUTF8, which few mail servers have); an internationalized domain is taken, mailed "
                      "in its IDNA form (xn--…).", examples=["camille.martin@example.fr"]),
]

# `p.nomXX` (compared in lower case): an initial, a dot, the last name's letters, 1 to 6 digits.
IDENTIFIER_PATTERN = r"^[A-Za-z]\.[A-Za-z]{1,100}\d{1,6}$"
Identifier = Annotated[
    str,
    StringConstraints(max_length=120, pattern=worded(IDENTIFIER_PATTERN, "identifiant au format p.nomXX")),
    AfterValidator(str.lower),
    Field(description="The account's identifier, `p.nomXX`, in any case.", examples=["c.martin1"]),
]

# Control characters (what CRITERIA["control"] names) as far as a character class says them: the
# C0 and C1 controls, line and paragraph separators; the other Unicode categories refused (Cf, Cs,
# Co, Cn) are in the description, checked by refuse_control_characters.
PASSWORD_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]+$"
Password = Annotated[
    str,
    BeforeValidator(refuse_control_characters),
    StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH,
                      pattern=worded(PASSWORD_PATTERN, CRITERIA["control"])),
    Field(repr=False, description="No control character: none of Unicode's categories Cc, Cf, Cs, Co, Cn, Zl, Zp "
                                  "(checked before trimming: a trailing line break too).",
          examples=["Cartable-Vert-2031!"]),
]
"""A password field: no control character (checked before trimming: a trailing line break too)."""


def same_as(field: str, description: str) -> Any:
    """A confirmation field that must equal `field` (said to machines by `x-same-as`)."""
    return Field(description=description, json_schema_extra={"x-same-as": field})


def required_when(field: str, value: object, *required: str) -> dict[str, Any]:
    """The schema of « `required` given, not null, when `field` is `value` » (a model's rule across
    fields, which its validators enforce)."""
    return {"if": {"properties": {field: {"const": value}}, "required": [field]},
            "then": {"required": list(required),
                     "properties": {name: {"not": {"type": "null"}} for name in required}}}
