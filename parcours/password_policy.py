"""The password policy of seed 003, as a pure check that names each unmet criterion (R-ACT-8)."""

from __future__ import annotations

MIN_LENGTH = 8
MAX_LENGTH = 128  # argon2 copes with more; a bound keeps hostile input cheap
SPECIAL_CHARACTERS = "!?@#$(){}[]_&=+-%*<>£µ/.;"

CRITERIA = {
    "length": f"Doit contenir {MIN_LENGTH} caractères minimum",
    "uppercase": "Doit contenir 1 majuscule",
    "lowercase": "Doit contenir 1 minuscule",
    "digit": "Doit contenir 1 chiffre",
    "special": "Doit contenir 1 caractère spécial parmi " + " ".join(SPECIAL_CHARACTERS),
}


def unmet_criteria(password: str) -> list[str]:
    """The French wording of every criterion the password misses; empty when it is acceptable."""
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
    return [CRITERIA[name] for name in missing]
