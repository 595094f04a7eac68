"""Why a field is refused, in French: pydantic's errors by their `type`, their context filled in.

pydantic and pydantic-core speak English only, and `pydantic-translations` (0.4.2, its latest)
requires pydantic<2: one table, keyed by pydantic-core's error types. tests/test_french_messages.py
checks it names every one of `pydantic_core`'s list, so an upgrade that adds a type fails there,
not in front of a user. A custom validator's ValueError already carries a French message: it is
given as it is, without pydantic's « Value error, » prefix. The English text stays for developers
(`ValidationError.errors()`), never in what a person reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Wording for a value the user did not type as such (an object, a list): the API layer sent it.
_INVALID = "valeur invalide"

# {count}/{plural} are filled from the context's length or limit (pydantic's {expected_plural} is
# not in the context it gives); every other name is the context's own key.
FRENCH_BY_TYPE: dict[str, str] = {
    # presence and shape
    "missing": "champ requis",
    "missing_argument": "champ requis",
    "missing_keyword_only_argument": "champ requis",
    "missing_positional_only_argument": "champ requis",
    "extra_forbidden": "champ inconnu",
    "unexpected_keyword_argument": "champ inconnu",
    "unexpected_positional_argument": "champ inconnu",
    "multiple_argument_values": "champ donné plusieurs fois",
    "no_such_attribute": "champ inconnu",
    "frozen_field": "ce champ ne peut pas être modifié",
    "frozen_instance": "ces informations ne peuvent pas être modifiées",
    "invalid_key": "les noms des champs doivent être des chaînes de caractères",
    "model_type": "doit être un objet JSON",
    "model_attributes_type": "doit être un objet JSON",
    "dataclass_type": "doit être un objet JSON",
    "dataclass_exact_type": "doit être un objet JSON",
    "named_tuple_type": "doit être un objet JSON ou une liste",
    "arguments_type": "doit être un objet JSON ou une liste",
    "dict_type": "doit être un objet JSON",
    "frozen_dict_type": "doit être un objet JSON",
    "ordered_dict_type": "doit être un objet JSON",
    "counter_type": "doit être un objet JSON",
    "mapping_type": "doit être un objet JSON",
    "json_invalid": "JSON invalide",
    "json_type": "doit être du JSON",
    "none_required": "doit être null",
    "default_factory_not_called": _INVALID,
    "get_attribute_error": _INVALID,
    "needs_python_object": _INVALID,
    "recursion_loop": "valeur imbriquée dans elle-même",
    "recursion_depth_exceeded": "valeur trop profondément imbriquée",
    "union_tag_invalid": "valeur non prévue pour {discriminator} : {tag}",
    "union_tag_not_found": "{discriminator} requis",
    # collections
    "list_type": "doit être une liste",
    "tuple_type": "doit être une liste",
    "set_type": "doit être une liste",
    "frozen_set_type": "doit être une liste",
    "deque_type": "doit être une liste",
    "iterable_type": "doit être une liste",
    "iteration_error": "doit être une liste",
    "set_item_not_hashable": "liste aux éléments invalides",
    "too_short": "au moins {count} élément{plural}",
    "too_long": "au plus {count} élément{plural}",
    # strings
    "string_type": "doit être une chaîne de caractères",
    "string_unicode": "doit être une chaîne de caractères (UTF-8)",
    "string_too_short": "au moins {count} caractère{plural}",
    "string_too_long": "au plus {count} caractère{plural}",
    "string_pattern_mismatch": "format invalide",
    "string_not_ascii": "caractères non ASCII refusés",
    "bytes_type": "doit être une chaîne de caractères",
    "bytes_too_short": "au moins {count} octet{plural}",
    "bytes_too_long": "au plus {count} octet{plural}",
    "bytes_invalid_encoding": "encodage invalide ({encoding} attendu)",
    # choices
    "enum": "valeur non prévue : {expected} attendu",
    "literal_error": "valeur non prévue : {expected} attendu",
    "missing_sentinel_error": _INVALID,
    "ellipsis_error": _INVALID,
    # booleans and numbers
    "bool_type": "doit valoir true ou false",
    "bool_parsing": "doit valoir true ou false",
    "int_type": "doit être un nombre entier",
    "int_parsing": "doit être un nombre entier",
    "int_parsing_size": "nombre trop grand",
    "int_from_float": "doit être un nombre entier, sans partie décimale",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "finite_number": "doit être un nombre fini",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "multiple_of": "doit être un multiple de {multiple_of}",
    "decimal_type": "doit être un nombre",
    "decimal_parsing": "doit être un nombre décimal",
    "decimal_max_digits": "au plus {count} chiffre{plural} en tout",
    "decimal_max_places": "au plus {count} chiffre{plural} après la virgule",
    "decimal_whole_digits": "au plus {count} chiffre{plural} avant la virgule",
    "fraction_type": "doit être un nombre",
    "fraction_parsing": "doit être une fraction",
    "complex_type": "doit être un nombre complexe",
    "complex_str_parsing": "doit être un nombre complexe",
    # dates and times (pydantic's {error} detail is English: left out)
    "date_type": "doit être une date",
    "date_parsing": "date au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "doit être une date",
    "date_from_datetime_inexact": "doit être une date, sans heure",
    "date_past": "doit être une date passée",
    "date_future": "doit être une date à venir",
    "time_type": "doit être une heure",
    "time_parsing": "heure au format HH:MM:SS",
    "datetime_type": "doit être une date et une heure",
    "datetime_parsing": "date et heure au format ISO 8601",
    "datetime_object_invalid": "date et heure invalides",
    "datetime_from_date_parsing": "doit être une date ou une date et une heure",
    "datetime_past": "doit être dans le passé",
    "datetime_future": "doit être dans le futur",
    "timezone_naive": "sans fuseau horaire",
    "timezone_aware": "avec un fuseau horaire",
    "timezone_offset": "décalage horaire de {tz_expected} s attendu, non {tz_actual} s",
    "time_delta_type": "doit être une durée",
    "time_delta_parsing": "durée au format ISO 8601 (par exemple PT30M)",
    # other types
    "url_type": "doit être une URL",
    "url_parsing": "URL invalide",
    "url_syntax_violation": "URL invalide",
    "url_too_long": "au plus {count} caractère{plural}",
    "url_scheme": "URL commençant par {expected_schemes} attendue",
    "uuid_type": "doit être un UUID",
    "uuid_parsing": "UUID invalide",
    "uuid_version": "UUID de version {expected_version} attendu",
    "is_instance_of": _INVALID,
    "is_subclass_of": _INVALID,
    "callable_type": _INVALID,
    # custom validators: their own message (French), see french_message
    "value_error": "{error}",
    "assertion_error": "{error}",
}

# A pattern's own words, by the pattern (filled by parcours.contracts.fields, which declares them):
# "format invalide" says nothing of what the field takes.
PATTERN_WORDING: dict[str, str] = {}

# The context key holding the number a {count}/{plural} message is about.
_COUNTED = ("max_length", "min_length", "max_digits", "decimal_places", "whole_digits")


def _context(problem: Mapping[str, Any]) -> dict[str, Any]:
    context = dict(problem.get("ctx") or {})
    for key in _COUNTED:
        if context.get(key) is not None:
            context["count"] = context[key]
            context["plural"] = "" if context[key] in (0, 1) else "s"
            break
    for key in ("expected", "expected_schemes", "expected_tags"):
        if isinstance(context.get(key), str):
            context[key] = context[key].replace(" or ", " ou ")
    if "error" in context:
        context["error"] = str(context["error"])
    return context


# What an empty string fails in a field that needs a value (its minimum length, its pattern).
_EMPTY_REFUSED_AS = ("string_too_short", "too_short", "string_pattern_mismatch")


def _left_empty(value: object) -> bool:
    """Empty or blank: the input models trim strings, pydantic's error keeps the value as sent."""
    return isinstance(value, str) and not value.strip()


def french_message(problem: Mapping[str, Any]) -> str:
    """The French message of one of pydantic's errors (an item of `ValidationError.errors()`).
    A type not in the table (a newer pydantic) still reads French, if vaguely."""
    kind = problem["type"]
    if kind in _EMPTY_REFUSED_AS and _left_empty(problem.get("input")):
        kind = "missing"  # « au moins 1 caractère », a pattern's words: the field was left empty
    if kind in ("too_long", "too_short") and isinstance(problem.get("input"), str):
        kind = f"string_{kind}"  # a length counted after a validator (pydantic says "items"): characters
    template = FRENCH_BY_TYPE.get(kind, _INVALID)
    if kind == "string_pattern_mismatch":
        template = PATTERN_WORDING.get(str((problem.get("ctx") or {}).get("pattern")), template)
    try:
        return template.format(**_context(problem)) or _INVALID
    except (KeyError, IndexError, ValueError):  # a context without the value the wording names
        return _INVALID
