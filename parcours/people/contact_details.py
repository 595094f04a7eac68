"""Mobile numbers and email addresses: parsing, comparison form, masking for display."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from parcours import messages

MAX_EMAIL_LENGTH = 254
EMAIL_INVALID = "adresse mail invalide"
EMAIL_WITHOUT_AT = "adresse mail invalide : il manque le @"
EMAIL_NOT_ASCII = ("adresse mail invalide : pas d'accent, d'emoji ni d'autre caractère hors de l'alphabet "
                   "latin de base avant le @")
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


def _checked_email(raw: str):
    """email-validator's reading of an address: its syntax (no DNS lookup), ASCII before the @.
    A non-ASCII local part (« sophie😀@… », « élise@… ») needs SMTPUTF8 from every server on the
    way to the mailbox, which few have: refused. An internationalized domain is kept: IDNA gives
    it an ASCII form (`ascii_address`) that any server delivers to."""
    if len(raw) > MAX_EMAIL_LENGTH:
        raise ValueError("adresse trop longue")
    try:
        return validate_email(raw, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        # email-validator explains in English only: its common cases said in French, the rest as
        # the plain fact.
        if "@" not in raw or "must have an @-sign" in str(error):
            raise ValueError(EMAIL_WITHOUT_AT) from None
        local_part = raw.rpartition("@")[0]
        raise ValueError(EMAIL_INVALID if local_part.isascii() else EMAIL_NOT_ASCII) from None


def normalize_email(raw: str) -> str:
    """The comparison form of an address (what is stored and shown): syntax checked, lower-cased —
    mail providers treat local parts without case, and users type them any way."""
    return _checked_email(raw).normalized.lower()


def ascii_address(address: str) -> str:
    """The form a mail is sent to: an internationalized domain in its IDNA form (xn--…), so that
    sending needs no SMTPUTF8. An address stored before the rule above is sent as it is."""
    try:
        return _checked_email(address).ascii_email or address
    except ValueError:
        return address


def mask_mobile(e164: str) -> str:
    """What the screen shows of a number: country code and the last two digits."""
    number = phonenumbers.parse(e164)
    national = phonenumbers.national_significant_number(number)
    return f"+{number.country_code} {'*' * (len(national) - 2)}{national[-2:]}"


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 1)}@{domain}"
