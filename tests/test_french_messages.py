"""Every message for a person is French: why a field is refused (every error type of pydantic-core,
its lengths and limits filled in; custom validators' words without pydantic's « Value error, »),
the HTTP API's problems (413, 400, 404, 405, a reused idempotency key), refusals (what is internal
goes to `debug`), CLI prompts and the times refusals show (the user's zone, not UTC)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import get_args

import httpx
import pytest
from pydantic import ValidationError
from pydantic_core._pydantic_core import list_all_errors  # public in spirit: each type, its example context
from pydantic_core.core_schema import ErrorType
from starlette.requests import Request

from parcours.contracts.activation import PasswordInput
from parcours.contracts.common import FieldError
from parcours.field_messages import FRENCH_BY_TYPE, french_message
from parcours.http_api import create_app
from parcours.security.password_policy import MAX_LENGTH as MAX_PASSWORD_LENGTH
from tests.french import english_in
from tests.test_hostile_input import input_models

# -- the table: every error type pydantic-core has ------------------------------------------------

ALL_ERRORS = list_all_errors()


def _sample_context(example: dict | None) -> dict:
    """pydantic-core's example context with telling values: 7 for numbers, a word for strings."""
    return {key: (7 if isinstance(value, int) or value is None and key != "error" else
                  "« message du validateur »" if key == "error" else "'sms' or 'mail'")
            for key, value in (example or {}).items()}


def test_the_table_names_every_error_type_of_pydantic_core():
    assert len(ALL_ERRORS) > 100
    assert {error["type"] for error in ALL_ERRORS} | set(get_args(ErrorType)) <= set(FRENCH_BY_TYPE)


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda error: error["type"])
def test_every_error_type_reads_french_with_its_context_filled_in(error):
    context = _sample_context(error["example_context"])
    problem = {"type": error["type"], "loc": ("champ",), "msg": error["example_message_python"], "ctx": context}
    message = french_message(problem)
    assert message and "{" not in message and not english_in(message), (error, message)
    assert not message.startswith(("Value error", "Assertion failed"))
    if any(key in context for key in ("max_length", "min_length", "max_digits", "decimal_places", "whole_digits")):
        assert re.search(r"\b7 \w+s\b", message), message  # the limit, and its plural
    if error["type"] in ("enum", "literal_error"):
        assert "'sms' ou 'mail'" in message


def test_a_custom_validators_message_is_given_without_the_value_error_prefix():
    from parcours.contracts.activation import ChildAnswerInput

    with pytest.raises(ValidationError) as refused:
        ChildAnswerInput.model_validate({"student_ref": "s1", "is_guardian": True})
    [problem] = refused.value.errors()
    assert problem["msg"].startswith("Value error, ")
    assert FieldError.from_pydantic(problem).message == "requise pour confirmer le lien"


def test_a_pattern_is_refused_in_its_own_words():
    from parcours.contracts.common import CodeInput

    with pytest.raises(ValidationError) as refused:
        CodeInput.model_validate({"code": "12a4"})
    [problem] = refused.value.errors()
    assert problem["type"] == "string_pattern_mismatch"
    assert FieldError.from_pydantic(problem).message == "le code est composé de 4 à 10 chiffres"


def test_a_password_too_long_counts_characters():
    """Its length is checked after a validator, where pydantic says "items": a text has characters."""
    with pytest.raises(ValidationError) as refused:
        PasswordInput(password="A" * 200, confirmation="A" * 200)
    assert {FieldError.from_pydantic(problem).message for problem in refused.value.errors()} == {
        f"au plus {MAX_PASSWORD_LENGTH} caractères"}


def test_one_item_is_singular():
    problem = {"type": "string_too_long", "loc": ("x",), "msg": "", "ctx": {"max_length": 1}}
    assert french_message(problem) == "au plus 1 caractère"


# -- the inputs: every error they produce, generated per field ----------------------------------

def _wrong_values(name: str, schema: dict) -> list[object]:
    """Values aimed at each check a field has: types, lengths, patterns, choices, formats."""
    values: list[object] = [None, True, 7, 1.5, [], {}, "x"]
    if "maxLength" in schema:
        values.append("1" * (schema["maxLength"] + 1))
    if "minLength" in schema:
        values.append("")
    if "pattern" in schema:
        values.append("%%%%%%%%%%%%%%%%%%%%")
    if "mobile" in name:
        values += ["06 12", "tel: 06 12 34 56 78", "01 23 45 67 89", "0" * 40]
    if "email" in name or name == "confirmation":
        values += ["sophie.example.org", "sophie@", "a" * 300 + "@example.org"]
    if "date" in name:
        values += ["2014-02-30", "30-06-2013", "1850-01-01", datetime(2014, 3, 2, 10, 30)]
    if "name" in name:
        values += ["   ", "Camille2", "x" * 150]
    return values


def _errors_of(model) -> list[dict]:
    schema = model.model_json_schema(mode="validation")
    problems: list[dict] = []
    payloads: list[object] = [{}, [], "x", {"zz_unknown": 1}]
    for name, field_schema in schema.get("properties", {}).items():
        payloads += [{"channel": "sms", name: value} for value in _wrong_values(name, field_schema)]
        payloads += [{"channel": "mail", name: value} for value in _wrong_values(name, field_schema)]
    for payload in payloads:
        for validate in (model.model_validate, lambda p: model.model_validate_json(json.dumps(p, default=str))):
            try:
                validate(payload)
            except ValidationError as error:
                problems += error.errors()
    return problems


def test_every_error_the_inputs_produce_reads_french():
    seen: dict[str, str] = {}
    for model in input_models():
        for problem in _errors_of(model):
            message = FieldError.from_pydantic(problem).message
            assert message and not english_in(message), (model.__name__, problem, message)
            assert not message.startswith("Value error"), message
            seen.setdefault(problem["type"], message)
    # The types the brief's examples come from, reached for real (not only through the table).
    assert {"missing", "extra_forbidden", "model_type", "string_type", "string_too_long", "string_too_short",
            "string_pattern_mismatch", "bool_type", "value_error", "enum"} <= set(seen), seen
    assert seen["string_too_long"].startswith("au plus ") and seen["missing"] == "champ requis"


def test_an_empty_required_field_says_it_is_required():
    """Not « au moins 1 caractère » nor the characters a mobile takes: the field was left empty
    (blank counts as empty: strings are trimmed)."""
    from parcours.contracts.activation import IdentityInput
    from parcours.contracts.contact import EmailChangeInput

    with pytest.raises(ValidationError) as refused:
        IdentityInput(channel="sms", last_name="", first_name="  ", mobile="")
    with pytest.raises(ValidationError) as refused_mail:
        EmailChangeInput(new_email="", confirmation="")
    messages = {FieldError.from_pydantic(problem).field: FieldError.from_pydantic(problem).message
                for problem in refused.value.errors() + refused_mail.value.errors()}
    assert messages == dict.fromkeys(("last_name", "first_name", "mobile", "new_email", "confirmation"),
                                     FRENCH_BY_TYPE["missing"])
    with pytest.raises(ValidationError) as too_short:
        IdentityInput(channel="sms", last_name="Martin", first_name="Camille", mobile="06 12")
    assert FieldError.from_pydantic(too_short.value.errors()[0]).message != FRENCH_BY_TYPE["missing"]


@pytest.mark.parametrize("raw", ["sophie.example.org", "sophie@", "sophie@@example.org", "sophie@exa mple.org"])
def test_email_validators_english_never_reaches_a_user(raw):
    from parcours.people.contact_details import normalize_email

    with pytest.raises(ValueError) as refused:
        normalize_email(raw)
    assert str(refused.value).startswith("adresse mail invalide") and not english_in(str(refused.value))


# -- the HTTP API's own problems -------------------------------------------------------------------

@pytest.fixture
async def api(settings):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)),
                                 base_url="http://parcours") as client:
        yield client


def assert_french_problem(response: httpx.Response, status: int, reason: str) -> dict:
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["reason"] == reason
    for text in [problem["title"], problem["detail"], *(error["message"] for error in problem.get("errors", []))]:
        assert not english_in(text), (text, problem)
    return problem


async def test_a_body_too_large_is_a_french_problem(api, settings):
    too_big = b'{"code": "' + b"1" * settings.http_api_max_body_bytes + b'"}'
    problem = assert_french_problem(await api.post("/activations/x/code", content=too_big,
                                                   headers={"content-type": "application/json"}),
                                    413, "request_too_large")
    assert str(settings.http_api_max_body_bytes) in problem["detail"]


async def test_a_malformed_body_is_a_french_problem(api):
    for content in (b"{nope", b"\xff\xfe{}"):
        assert_french_problem(await api.post("/activations/x/code", content=content,
                                             headers={"content-type": "application/json"}), 400, "malformed_body")


async def test_an_unknown_route_or_method_is_a_french_problem_the_english_in_debug(api):
    problem = assert_french_problem(await api.get("/nowhere"), 404, "not_found")
    assert problem["debug"] == "Not Found"
    assert_french_problem(await api.delete("/activations"), 405, "method_not_allowed")


async def test_invalid_fields_over_http_are_french(api):
    response = await api.post("/activations/x/identity", json={"channel": "sms", "last_name": "x" * 201,
                                                               "first_name": 5, "mobile": "06 12", "en_trop": 1})
    problem = assert_french_problem(response, 422, "invalid_input")
    assert {error["field"] for error in problem["errors"]} >= {"last_name", "first_name", "mobile", "en_trop"}


async def test_a_reused_idempotency_key_is_a_french_problem():
    from parcours.client import IdempotencyKeyReused
    from parcours.http_api.problems import _key_reused

    request = Request({"type": "http", "method": "POST", "path": "/activations", "headers": [], "query_string": b""})
    response = await _key_reused(request, IdempotencyKeyReused())
    assert_french_problem(httpx.Response(response.status_code, content=response.body), 422, "idempotency_key_reused")


def test_the_problem_and_the_refusal_of_the_temporal_contract_agree():
    """A refusal crosses Temporal as a Refusal and leaves the HTTP API as a Problem: every member
    of one is in the other (`message` is the problem's `detail`), `debug` optional in both."""
    from parcours.reference_docs.temporal_contract import build_contract

    problem = create_app_openapi()["components"]["schemas"]["Problem"]
    refusal = build_contract()["refusal_schema"]
    renamed = {"message": "detail"}
    assert {renamed.get(name, name) for name in refusal["properties"]} <= set(problem["properties"])
    for schema in (problem, refusal):
        assert "debug" in schema["properties"] and "debug" not in schema.get("required", [])


def create_app_openapi() -> dict:
    from parcours.settings import Settings

    return create_app(Settings(_env_file=None)).openapi()


# -- refusals: the French for people, the internals for developers ------------------------------

def test_a_refusal_keeps_internal_text_out_of_its_message():
    from parcours.refusals import refusal_of, rejection

    refusal = refusal_of(rejection("not_now", "Cette action n'est pas possible à cette étape.",
                                   debug="submit_code in state password_step"))
    assert refusal is not None and "state" not in refusal.message
    assert refusal.debug == "submit_code in state password_step"


def test_a_moment_is_shown_in_the_users_zone():
    from parcours.refusals import clock

    assert clock(datetime(2026, 12, 4, 7, 47, 15, tzinfo=UTC), "Europe/Paris") == "08:47"
    assert clock(datetime(2026, 7, 4, 7, 47, 15, tzinfo=UTC), "Europe/Paris", seconds=True) == "09:47:15"


# -- the CLI's prompts ----------------------------------------------------------------------------

def _prompts(command, path=()):
    """(command, option, prompt) of every prompting option; duck-typed: typer's groups and options
    are not click's classes in every version."""
    for name, sub in getattr(command, "commands", {}).items():
        yield from _prompts(sub, (*path, name))
    for param in command.params:
        if getattr(param, "prompt", None):
            yield " ".join(path), param.name, param.prompt


def test_every_cli_prompt_is_french():
    """click words a bare `prompt=True` from the option's name (« Password: »): each prompt is given."""
    import typer

    from parcours.cli import app

    prompts = list(_prompts(typer.main.get_command(app)))
    assert len(prompts) >= 10
    for where, name, prompt in prompts:
        assert "mot de passe" in prompt.lower() and not english_in(prompt), (where, name, prompt)


def test_an_update_that_failed_for_no_known_reason_tells_the_user_in_french():
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError

    from parcours.client import refusal_from

    refusal = refusal_from(WorkflowUpdateFailedError(ApplicationError("KeyError: 'children'")))
    assert refusal.reason == "failed" and not english_in(refusal.message)
    assert refusal.debug == "KeyError: 'children'"


def test_the_users_zone_is_a_setting_checked_at_start():
    from parcours.settings import Settings

    assert Settings(_env_file=None).user_time_zone == "Europe/Paris"
    assert Settings(_env_file=None, user_time_zone="America/Cayenne").user_time_zone == "America/Cayenne"
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, user_time_zone="Mars/Olympus_Mons")
    assert "fuseau horaire inconnu" in FieldError.from_pydantic(refused.value.errors()[0]).message
