"""Mobile numbers and email addresses: parsing, comparison form, masking for display."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from parcours import messages

MAX_EMAIL_LENGTH = 254
EMAIL_INVALID = "adresse mail invalide"
EMAIL_WITHOUT_AT = "adresse mail invalide : il manque le @"
MAX_PHONE_INPUT_LENGTH = 32
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
# What a typed number is made of. phonenumbers finds a number inside any text ("tel: 06 12 34 56 78
# svp", an emoji before, a NUL inside, other digit scripts): only these characters reach it.
# The contracts declare it as their mobiles' schema pattern.
PHONE_PATTERN = r"^\+?[0-9 .()\-]+$"
_PHONE_CHARACTERS = re.compile(PHONE_PATTERN)
# Close to what email-validator takes (no quoted local part, a dot in the domain), never narrower:
# the contracts' schema pattern for addresses; email-validator has the last word.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def normalize_mobile(raw: str, default_region: str = "FR") -> str:
    """E.164 form of a mobile number: "06 12 34 56 78" and "+33612345678" give the same (R-ACT-1)."""
    if len(raw) > MAX_PHONE_INPUT_LENGTH:
        raise ValueError("le numéro est trop long")
    if not _PHONE_CHARACTERS.fullmatch(raw):
        raise ValueError(messages.MOBILE_CHARACTERS)
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise ValueError("numéro de téléphone invalide") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("numéro de téléphone invalide")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValueError("ce n'est pas un numéro de portable")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    """The comparison form of an address: syntax checked (no DNS lookup), lower-cased — mail
    providers treat local parts without case, and users type them any way."""
    if len(raw) > MAX_EMAIL_LENGTH:
        raise ValueError("adresse trop longue")
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        # email-validator explains in English only: its most common case said in French, the rest
        # as the plain fact.
        missing_at = "@" not in raw or "must have an @-sign" in str(error)
        raise ValueError(EMAIL_WITHOUT_AT if missing_at else EMAIL_INVALID) from None


def mask_mobile(e164: str) -> str:
    """What the screen shows of a number: country code and the last two digits."""
    number = phonenumbers.parse(e164)
    national = phonenumbers.national_significant_number(number)
    return f"+{number.country_code} {'*' * (len(national) - 2)}{national[-2:]}"


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"
