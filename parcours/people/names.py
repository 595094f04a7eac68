"""Person names: validation at the edge and the accent- and case-free form used to compare them."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 100
# Letters of any script, with the separators names really contain.
_NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ '’\-][^\W\d_]+)*$")


def clean_person_name(raw: str) -> str:
    """A name as typed, trimmed and checked; raises ValueError saying what is wrong."""
    name = " ".join(raw.split())
    if not name:
        raise ValueError("le nom est vide")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"au plus {MAX_NAME_LENGTH} caractères")
    if not _NAME_PATTERN.match(name):
        raise ValueError("lettres, espaces, tirets et apostrophes seulement")
    return name


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
