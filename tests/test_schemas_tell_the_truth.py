"""The schemas tell the truth: every start and update argument of the Temporal contract and every
HTTP body of the OpenAPI accepts the values its JSON schema describes, and refuses, naming the
field, a value just outside each of its string rules (one character over maxLength, one under
minLength, the pattern broken). Examples come from the schemas themselves (hypothesis-jsonschema);
the inputs are read from the contract and the OpenAPI, so a new one is covered without a list here.

What JSON Schema cannot say is in the schema too, for machines: a field whose rule goes beyond it
(a real mobile number, a date in range) carries `examples`, which are drawn instead; a confirmation
names the field it repeats by `x-same-as`; a field required with one channel is an `if`/`then`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio.api.common.v1 import Payload

from parcours.contracts.common import FieldError
from tests.french import english_in
from tests.test_hostile_input import input_models
from tests.test_strict_types import CONVERTER, http_bodies, temporal_inputs

# pydantic writes a timedelta as an ISO 8601 duration, a format hypothesis-jsonschema leaves to us.
FORMATS = {"duration": st.integers(min_value=0, max_value=10**6).map(lambda seconds: f"PT{seconds}S")}
QUICK = settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def examples_of(schema: dict) -> st.SearchStrategy[Any]:
    """Values of the schema. Objects are drawn here, their fields by hypothesis-jsonschema: its own
    object strategy (0.23.1, its latest) calls a hypothesis internal newer releases renamed. What
    spans fields (`if`/`then`, `allOf`) is kept by filtering with a JSON Schema validator."""
    if "anyOf" in schema and not {"properties", "type"} & schema.keys():
        return st.one_of([examples_of(option) for option in schema["anyOf"]])
    if schema.get("type") != "object" or "properties" not in schema:
        return from_schema(schema, custom_formats=FORMATS)
    required = set(schema.get("required", []))
    fields = {name: examples_of(sub) for name, sub in schema["properties"].items()}
    objects = st.fixed_dictionaries({name: fields[name] for name in fields if name in required},
                                    optional={name: fields[name] for name in fields if name not in required})
    return objects.filter(Draft202012Validator(schema).is_valid)


def inline(schema: Any, defs: dict) -> Any:
    """The schema with every $ref replaced by what it names (inputs are not recursive)."""
    if isinstance(schema, list):
        return [inline(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return inline(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    return {key: inline(value, defs) for key, value in schema.items() if key != "$defs"}


def drawn_from_examples(schema: Any) -> Any:
    """A rule beyond JSON Schema is said by `examples`: such a (sub)schema gives its examples."""
    if isinstance(schema, list):
        return [drawn_from_examples(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "examples" in schema:
        return {"enum": schema["examples"]}
    return {key: drawn_from_examples(value) for key, value in schema.items()}


def repeat_confirmations(value: Any, schema: dict) -> None:
    """A field with `x-same-as` holds the same value as the field it names."""
    if not isinstance(value, dict):
        return
    for name, sub in schema.get("properties", {}).items():
        if "x-same-as" in sub and sub["x-same-as"] in value:
            value[name] = value[sub["x-same-as"]]
        repeat_confirmations(value.get(name), sub)


def _body_object(schema: dict) -> dict:
    """The object of an optional body (FastAPI: anyOf the object and null)."""
    return next((option for option in schema.get("anyOf", []) if option.get("type") == "object"), schema)


def _by_temporal(type_: type) -> Callable[[Any], None]:
    def validate(value: Any) -> None:
        CONVERTER.from_payloads([Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(value).encode())],
                                [type_])
    return validate


def targets() -> dict[str, tuple[dict, Callable[[Any], None]]]:
    """Each input's schema, as the contract or the OpenAPI gives it, and how its receiver reads it."""
    found = {}
    for where, type_ in temporal_inputs().items():
        schema = TypeAdapter(type_).json_schema(mode="validation")
        found[f"temporal:{where}"] = (inline(schema, schema.get("$defs", {})), _by_temporal(type_))
    models = {model.__name__: model for model in input_models()}
    for path, body, defs in http_bodies():
        schema = _body_object(inline(body, defs))
        model: type[BaseModel] = models[schema["title"]]
        found[f"http:{path}"] = (schema, model.model_validate)
    return found


TARGETS = targets()


def refused_fields(validate: Callable[[Any], None], value: Any) -> list[FieldError]:
    with pytest.raises(ValidationError) as refused:
        validate(value)
    return [FieldError.from_pydantic(problem) for problem in refused.value.errors()]


def test_there_are_inputs_to_check():
    assert len([name for name in TARGETS if name.startswith("temporal:")]) >= 25
    assert len([name for name in TARGETS if name.startswith("http:")]) >= 20


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_what_the_schema_describes_is_accepted(name):
    schema, validate = TARGETS[name]

    @QUICK
    @given(examples_of(drawn_from_examples(schema)))
    def check(value):
        repeat_confirmations(value, schema)
        try:
            validate(value)
        except ValidationError as error:
            raise AssertionError(f"{name}: {value!r} is refused: {error.errors()}") from None

    check()


# -- just outside each rule ----------------------------------------------------------------------

def string_rules(schema: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    """(path, string schema) of every field with a length or a pattern, nested objects' too."""
    for name, sub in schema.get("properties", {}).items():
        for option in (sub, *sub.get("anyOf", [])):
            if option.get("type") == "string" and {"maxLength", "minLength", "pattern"} & option.keys():
                yield path + (name,), option
            if "properties" in option:
                yield from string_rules(option, path + (name,))


def _outside_pattern(pattern: str, valid: str, low: int, high: int) -> str | None:
    """A string of an allowed length the pattern refuses, trimmed or not (inputs are trimmed)."""
    for candidate in (valid[:-1] + "\x00", "\x00" * max(low, 1), "@" * max(low, 1), "a" * max(low, 1),
                      "-" * max(low, 1), "1" * max(low, 1)):
        if low <= len(candidate) <= high and not any(re.search(pattern, text) for text in (candidate,
                                                                                            candidate.strip())):
            return candidate
    return None


def just_outside(rule: dict, valid: str) -> Iterator[tuple[str, str]]:
    low, high = rule.get("minLength", 0), rule.get("maxLength", 10**6)
    if "maxLength" in rule:  # one over once trimmed: inputs are trimmed before their rules
        base = valid.strip() or "a"
        too_long = (base * (high + 1))[: high + 1]
        yield "too long", too_long[:-1] + base[0] if too_long[-1].isspace() else too_long
    if low > 0:
        yield "too short", valid[: low - 1]
    if "pattern" in rule:
        broken = _outside_pattern(rule["pattern"], valid, low, high)
        assert broken is not None, rule
        yield "pattern broken", broken


def _get(value: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _with(value: dict, path: tuple[str, ...], new: str) -> dict:
    changed = json.loads(json.dumps(value))
    holder = changed
    for part in path[:-1]:
        holder = holder.setdefault(part, {})
    holder[path[-1]] = new
    return changed


def test_every_input_has_rules_to_check():
    assert sum(1 for schema, _ in TARGETS.values() for _ in string_rules(schema)) >= 50


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_value_just_outside_a_rule_is_refused_naming_the_field(name):
    schema, validate = TARGETS[name]
    rules = list(string_rules(schema))
    if not rules:
        return

    @settings(QUICK, max_examples=3)
    @given(examples_of(drawn_from_examples(schema)))
    def check(value):
        repeat_confirmations(value, schema)
        for path, rule in rules:
            valid = _get(value, path)
            for why, wrong in just_outside(rule, valid if isinstance(valid, str) else ""):
                errors = refused_fields(validate, _with(value, path, wrong))
                assert ".".join(path) in {error.field for error in errors}, (name, path, why, wrong, errors)
                assert not [e.message for e in errors if english_in(e.message)], (name, path, why, errors)

    check()
