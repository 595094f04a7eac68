"""The password policy of seed 003, plus what NIST SP 800-63B asks of a new password: not a common
one, not built on the account's identifier or names. A pure check naming each unmet criterion
(R-ACT-8)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from importlib import resources

MIN_LENGTH = 8
MAX_LENGTH = 128  # argon2 copes with more; a bound keeps hostile input cheap
SPECIAL_CHARACTERS = "!?@#$(){}[]_&=+-%*<>£µ/.;"
# A shorter name or common word inside a password says little ("Ana", "ok"): compared from this length.
MIN_WORD_LENGTH = 3

CRITERIA = {
    "length": f"Doit contenir {MIN_LENGTH} caractères minimum",
    "uppercase": "Doit contenir 1 majuscule",
    "lowercase": "Doit contenir 1 minuscule",
    "digit": "Doit contenir 1 chiffre",
    "special": "Doit contenir 1 caractère spécial parmi " + " ".join(SPECIAL_CHARACTERS),
    "common": "Ne doit pas être un mot de passe courant, même orné de chiffres ou de symboles",
    "personal": "Ne doit contenir ni votre identifiant, ni votre nom, ni votre prénom",
    "control": "Ne doit contenir aucun caractère de contrôle ni retour à la ligne",
}

# What people put in place of letters: "P@ssw0rd" is "password".
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
                       "€": "e", "£": "l"})
_ORNAMENT = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits and symbols around a word


def _load_common_passwords() -> frozenset[str]:
    text = resources.files("parcours").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


# Read at import (about 10 ms), never from inside a workflow's sandbox.
COMMON_PASSWORDS = _load_common_passwords()


# Unicode categories C* (NUL, tab, line breaks, format, private-use and unassigned characters) and
# the line and paragraph separators (U+2028, U+2029): invisible or breaking, never part of a password.
_CONTROL_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def has_control_character(text: str) -> bool:
    return any(unicodedata.category(c) in _CONTROL_CATEGORIES for c in text)


def refuse_control_characters(value: object) -> object:
    """A password field's first check (pydantic before-validator): a string with a control
    character is refused; anything else goes on to the field's own validation."""
    if isinstance(value, str) and has_control_character(value):
        raise ValueError(CRITERIA["control"])
    return value


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _candidates(password: str) -> set[str]:
    """The password as typed, with letters for their look-alikes, and both without ornaments."""
    plain = _plain(password)
    forms = {plain, plain.translate(_LEET)}
    return forms | {_ORNAMENT.sub("", form) for form in forms}


def is_common(password: str) -> bool:
    return any(len(form) >= MIN_WORD_LENGTH and form in COMMON_PASSWORDS for form in _candidates(password))


def personal_words(*values: str | None) -> list[str]:
    """The words a password must not contain: each name part and the identifier, with and without
    its number ("s.bernard1", "s.bernard")."""
    words = set()
    for value in values:
        if not value:
            continue
        plain = _plain(value)
        words.update({plain, plain.rstrip("0123456789")})
        words.update(re.split(r"[^a-z]+", plain))
    return sorted(word for word in words if len(word) >= MIN_WORD_LENGTH)


def contains_personal_word(password: str, words: list[str]) -> bool:
    forms = _candidates(password)
    return any(word in form for word in words for form in forms)


def unmet_criteria(password: str, personal: Sequence[str] = ()) -> list[str]:
    """The French wording of every criterion the password misses; empty when it is acceptable.
    `personal`: what `personal_words` gave for the account, when the caller knows it."""
    missing = []
    if len(password) < MIN_LENGTH:
        missing.append("length")
    if not any(c.isupper() for c in password):
        missing.append("uppercase")
    if not any(c.islower() for c in password):
        missing.append("lowercase")
    if not any(c.isdigit() for c in password):
        missing.append("digit")
    if not any(c in SPECIAL_CHARACTERS for c in password):
        missing.append("special")
    if is_common(password):
        missing.append("common")
    if personal and contains_personal_word(password, list(personal)):
        missing.append("personal")
    if has_control_character(password):  # the input models refuse them first; a caller without one too
        missing.append("control")
    return [CRITERIA[name] for name in missing]
