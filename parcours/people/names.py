"""Person names: validation at the edge and the accent- and case-free form used to compare them."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 100
NAME_LETTERS = r"[^\W\d_]"  # a letter of any script (Python `re`: \W and \d are Unicode-aware)
# A name as typed, trimmed: letters, the parts separated by spaces (any run of them, collapsed to
# one) or by one apostrophe or hyphen. The contracts declare it as their names' schema pattern.
NAME_PATTERN = rf"^{NAME_LETTERS}+(?:(?:\s+|['’\-]){NAME_LETTERS}+)*$"
NAME_WORDING = "lettres, espaces, tirets et apostrophes seulement"
_NAME = re.compile(NAME_PATTERN)


def clean_person_name(raw: str) -> str:
    """A name as typed, trimmed and checked; raises ValueError saying what is wrong."""
    name = raw.strip()
    if not name:
        raise ValueError("le nom est vide")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"au plus {MAX_NAME_LENGTH} caractères")
    if not _NAME.fullmatch(name):
        raise ValueError(NAME_WORDING)
    return collapse_spaces(name)


def collapse_spaces(name: str) -> str:
    return " ".join(name.split())


def comparable_name(name: str) -> str:
    """Case- and accent-free form: "Éloïse" and "eloise" compare equal (R-ACT-1), and so do a
    hyphen and a space between two parts ("Dupont-Lefèvre", "DUPONT LEFEVRE"): forms and keyboards
    often lose one for the other, and neither makes it another person's name."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_marks.replace("’", "'").replace("-", " ").casefold().split())


def identifier_stem(first_name: str, last_name: str) -> str:
    """`p.nom` of the `p.nomXX` identifier: first initial, a dot, the last name's letters only."""
    initial = re.sub(r"[^a-z]", "", comparable_name(first_name))[:1] or "x"
    last = re.sub(r"[^a-z]", "", comparable_name(last_name)) or "x"
    return f"{initial}.{last}"
