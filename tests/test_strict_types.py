"""Strict types: every input — each start and update argument of the Temporal contract, each HTTP
body of the OpenAPI — refuses, for every field, a value of any JSON type its schema does not name
(null where not nullable, a boolean, an integer, a number, a string, a list, an object), naming
that field and saying why in French. The models and bodies are read from the contract and the
OpenAPI: a new one is covered without being listed here. Also: bodies that are not JSON (400),
junk in mobile numbers, control characters in passwords."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from temporalio import workflow
from temporalio.api.common.v1 import Payload

from parcours.contracts.common import FieldError
from parcours.http_api import create_app
from parcours.http_api.problems import PROBLEM_JSON
from parcours.http_api.sessions import signed_in
from parcours.people.contact_details import normalize_mobile
from parcours.reference_docs.temporal_contract import WORKFLOW_IDS
from parcours.security.password_policy import CRITERIA, unmet_criteria
from parcours.temporal.codec import parcours_data_converter
from tests.french import english_in
from tests.test_hostile_input import input_models

# A value of each JSON type; "number" also names the integers (JSON Schema), so 1.5 stands for it.
SAMPLES = {"null": [None], "boolean": [True, False], "integer": [0, 7], "number": [1.5],
           "string": ["true", "5"], "array": [[]], "object": [{}]}


def _resolve(schema: dict, defs: dict) -> dict:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def accepted_types(schema: dict, defs: dict) -> set[str] | None:
    """The JSON types a (sub)schema accepts; None when it does not say (anything goes)."""
    schema = _resolve(schema, defs)
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            kinds = [accepted_types(option, defs) for option in schema[combinator]]
            return None if None in kinds else set().union(*kinds)
    if "allOf" in schema:
        return accepted_types(schema["allOf"][0], defs)
    kind = schema.get("type")
    if kind is None:
        return None
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return kinds | {"integer"} if "number" in kinds else kinds


def fields(schema: dict, defs: dict, path: tuple[str, ...] = ()):
    """(path, accepted JSON types) of every field, nested objects' fields included."""
    for name, sub in _resolve(schema, defs).get("properties", {}).items():
        kinds = accepted_types(sub, defs)
        if kinds is not None:
            yield path + (name,), kinds
        nested = _resolve(sub, defs)
        if "properties" in nested:
            yield from fields(nested, defs, path + (name,))


def wrong_values(schema: dict, defs: dict):
    """(path, a value of a type the field's schema does not name, the payload holding only it)."""
    for path, kinds in fields(schema, defs):
        for kind, values in SAMPLES.items():
            if kind in kinds:
                continue
            for value in values:
                payload = value
                for part in reversed(path):
                    payload = {part: payload}
                yield path, value, payload


# -- over Temporal: the worker's payload converter ------------------------------------------------

def temporal_inputs() -> dict[str, type]:
    """Every start and update argument type of the contract, by where it is used."""
    inputs = {}
    for workflow_class in WORKFLOW_IDS:
        definition = workflow._Definition.must_from_class(workflow_class)
        inputs[f"{definition.name}.start"] = definition.arg_types[0]
        for name, update in definition.updates.items():
            if name and update.arg_types:
                inputs[f"{definition.name}.{name}"] = update.arg_types[0]
    return inputs


def test_the_contract_and_the_api_reach_every_input_model():
    models = set(temporal_inputs().values())
    assert len(models) >= 25 and all(issubclass(model, BaseModel) for model in models)
    reached = {body[1].get("$ref", "").rsplit("/", 1)[-1] for body in http_bodies()} | set(http_bodies()[0][2])
    for model in models:
        schema = TypeAdapter(model).json_schema(mode="validation")
        reached |= {schema["title"], *schema.get("$defs", {})}
    assert {model.__name__ for model in input_models()} <= reached


CONVERTER = parcours_data_converter([("k1", b"\0" * 32)]).payload_converter


@pytest.mark.parametrize("where", sorted(temporal_inputs()))
def test_every_temporal_input_refuses_a_wrong_json_type_naming_the_field(where):
    type_ = temporal_inputs()[where]
    schema = TypeAdapter(type_).json_schema(mode="validation")
    checked = 0
    for path, value, payload in wrong_values(schema, schema.get("$defs", {})):
        sent = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(payload).encode())
        with pytest.raises(ValidationError) as refused:
            CONVERTER.from_payloads([sent], [type_])
        errors = [FieldError.from_pydantic(problem) for problem in refused.value.errors()]
        named = {error.field for error in errors}
        assert ".".join(path) in named, (where, path, value, named)
        assert not [e.message for e in errors if english_in(e.message)], (where, path, value, errors)
        checked += 1
    assert checked or not schema.get("properties"), where


# -- over HTTP: the app's OpenAPI ------------------------------------------------------------------

@pytest.fixture
async def api(settings):
    """The app without Temporal: a refused body never reaches a journey (an accepted one would
    fail loudly, with no client to reach). Signed in as any account: the session is checked before
    the body (tests/test_sessions.py), and here the body is the subject."""
    app = create_app(settings)
    app.dependency_overrides[signed_in] = lambda: None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parcours") as client:
        yield client


def http_bodies() -> list[tuple[str, dict, dict]]:
    """(path with its parameters filled, body schema, the OpenAPI's schemas) of every operation
    taking a JSON body."""
    from parcours.settings import Settings

    openapi = create_app(Settings(_env_file=None)).openapi()
    bodies = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                assert method == "post", path
                filled = path.replace("{ref}", "abc").replace("{account_ref}", "acc-1")
                bodies.append((filled, body["schema"], openapi["components"]["schemas"]))
    return bodies


def test_the_api_has_bodies_to_check():
    assert len(http_bodies()) >= 20


def _body_object(schema: dict, defs: dict) -> dict:
    """The object a body schema describes (an optional body: its object option)."""
    schema = _resolve(schema, defs)
    for option in schema.get("anyOf", []):
        if _resolve(option, defs).get("type") == "object":
            return _resolve(option, defs)
    return schema


@pytest.mark.parametrize("path, schema, defs", http_bodies(), ids=lambda v: v if isinstance(v, str) else "")
async def test_every_http_body_refuses_a_wrong_json_type_naming_the_field(api, path, schema, defs):
    body = _body_object(schema, defs)
    assert body.get("properties"), path
    for field, value, payload in wrong_values(body, defs):
        response = await api.post(path, json=payload)
        assert response.status_code == 422, (path, field, value, response.text)
        named = {error["field"] for error in response.json()["errors"]}
        assert ".".join(field) in named, (path, field, value, named)
        assert not [e for e in response.json()["errors"] if english_in(e["message"])], (path, field, value)


@pytest.mark.parametrize("content", [b"{nope", b'{"code": "12', b'{"code": "12\x0034"}', b"\x00", b"\xff\xfe{}",
                                     b'{"password": "a"'])
async def test_a_body_that_is_not_json_is_400_without_a_field(api, content):
    for path, _, _ in http_bodies():
        response = await api.post(path, content=content, headers={"content-type": "application/json"})
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["reason"] == "malformed_body" and "JSON" in problem["detail"], problem
        assert "errors" not in problem or problem["errors"] == []


async def test_json_that_is_not_an_object_is_422_naming_the_body(api):
    response = await api.post("/activations/abc/code", json=["1234"])
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["body"]


# -- dates in exactly the forms the schema names -----------------------------------------------

@pytest.mark.parametrize("value, accepted", [
    ("2013-06-30", True), ("30 06 2013", True), ("30/06/2013", True), ("2.3.2014", True),
    ("30-06-2013", False), ("30  06 2013", False), ("1372550400", False), ("2013-06-30T00:00:00", False),
    ("٣٠ ٠٦ ٢٠١٣", False), ("2013-6-30", False), (" 30 06 2013", False),
])
def test_a_birth_date_is_accepted_in_exactly_the_schemas_forms(value, accepted):
    from parcours.contracts.activation import ChildAnswerInput

    payload = {"student_ref": "s1", "is_guardian": True, "birth_date": value}
    for validate in (ChildAnswerInput.model_validate, lambda p: ChildAnswerInput.model_validate_json(json.dumps(p))):
        if accepted:
            assert validate(payload).birth_date.year in (2013, 2014)
        else:
            with pytest.raises(ValidationError) as refused:
                validate(payload)
            assert {e["loc"] for e in refused.value.errors()} == {("birth_date",)}


# -- junk in mobile numbers ------------------------------------------------------------------

# The first five were read as 06 12 34 56 78 (phonenumbers finds a number in text).
JUNK_MOBILES = ["tel: 0612345678", "0612345678\x00", "😀 06 12 34 56 78", "0612345678;0698765432", "0612345678x12",
                "06 12\x0034 56 78", "😀0612345678", "tel: 06 12 34 56 78 svp", "06 12 34 56 78 svp",
                "0612345678, 0698765432", "0612345678 / 0698765432", "06 12 34 56 78 ext. 12",
                "٠٦١٢٣٤٥٦٧٨", "06\u200b12345678", "+33 6 12 34 56 78+"]


@pytest.mark.parametrize("raw", JUNK_MOBILES)
def test_a_mobile_with_anything_but_digits_and_separators_is_refused(raw):
    with pytest.raises(ValueError, match="chiffres"):
        normalize_mobile(raw)


@pytest.mark.parametrize("raw", ["06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78",
                                 "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78"])
def test_the_usual_ways_of_writing_a_mobile_are_accepted(raw):
    assert normalize_mobile(raw) == "+33612345678"


def _models_with(predicate) -> list[tuple[type, str]]:
    return [(model, name) for model in input_models() for name in model.model_fields if predicate(model, name)]


@pytest.mark.parametrize("model, field", _models_with(lambda model, name: "mobile" in name),
                         ids=lambda v: getattr(v, "__name__", v))
def test_every_mobile_field_refuses_junk_naming_the_field(model, field):
    for raw in JUNK_MOBILES:
        with pytest.raises(ValidationError) as refused:
            model.model_validate({"channel": "sms", field: raw})
        assert (field,) in {e["loc"] for e in refused.value.errors()}, raw


# -- control characters in passwords -----------------------------------------------------------

CONTROL_CHARACTERS = ["\x00", "\n", "\r", "\t", "\x7f", "\x1b", "\u2028", "\u2029", "\u200b", "\u202e", "\ue000"]


def _is_password(model, name: str) -> bool:
    return "password" in name or (name == "confirmation" and any("password" in n for n in model.model_fields))


def test_there_are_password_fields_to_check():
    assert len(_models_with(_is_password)) >= 12


@pytest.mark.parametrize("model, field", _models_with(_is_password), ids=lambda v: getattr(v, "__name__", v))
def test_every_password_field_refuses_control_characters_naming_the_field(model, field):
    for character in CONTROL_CHARACTERS:
        for password in (f"Cart{character}able-2026!", f"Cartable-2026!{character}", character):
            with pytest.raises(ValidationError) as refused:
                model.model_validate({field: password})
            problems = [e for e in refused.value.errors() if e["loc"] == (field,)]
            assert problems and "contrôle" in problems[0]["msg"], (repr(password), refused.value.errors())


def test_the_policy_names_control_characters_too():
    assert unmet_criteria("Cartable-2026!\x00") == [CRITERIA["control"]]
    assert unmet_criteria("Cartable-2026!") == []
