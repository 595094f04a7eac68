"""The HTTP API in process (httpx over ASGI) on the time-skipping server: journeys driven over HTTP,
problems naming fields, idempotent starts, size limits, the bearer token."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest
from activation_helpers import CAMILLE_SMS, GOOD_PASSWORD, LEA
from pydantic import SecretStr

from parcours.http_api import create_app
from parcours.http_api.problems import PROBLEM_JSON
from parcours.testing import running_parcours

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(parcours, settings):
    app = create_app(settings, parcours)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parcours") as client:
        yield client


def assert_problem(response: httpx.Response, status: int, reason: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"] == f"urn:parcours:problem:{reason}" and problem["status"] == status
    return problem


async def finished_journey_refuses_actions(api, journey: str) -> None:
    """An action on an ended journey is 409 journey_finished, while its step still reads (200)."""
    for _ in range(50):  # the workflow closes just after its last answer: « not_now » until then
        again = await api.post(f"{journey}/password", json={"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD})
        if again.json()["reason"] != "not_now":
            break
        await asyncio.sleep(0.1)
    assert_problem(again, 409, "journey_finished")
    step = await api.get(journey)
    assert step.status_code == 200 and step.json()["finished"] is True


async def test_an_activation_driven_over_http(api, inbox):
    response = await api.post("/activations", json=CAMILLE_SMS)
    assert response.status_code == 201, response.text
    started = response.json()
    assert started["outcome"]["status"] == "accepted" and started["step"]["state"] == "code_sent"
    assert response.headers["Location"] == started["location"] and started["location"].startswith("/activations/")
    assert "06" not in started["journey_id"]  # opaque, no personal data
    journey = started["location"]

    step = (await api.get(journey)).json()
    assert step["journey_id"] == started["journey_id"] and step["expected_input"]

    outcome = (await api.post(f"{journey}/code", json={"code": inbox.last_code()})).json()
    assert outcome["status"] == "accepted" and outcome["step"]["state"] == "children_to_confirm"
    outcome = (await api.post(f"{journey}/children", json=LEA)).json()
    assert outcome["step"]["state"] == "password_to_choose"
    outcome = (await api.post(f"{journey}/password", json={"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD}))
    assert outcome.json()["step"]["state"] == "activated", outcome.text
    await finished_journey_refuses_actions(api, journey)

    signed_in = (await api.post("/sign-ins", json={"identifier": outcome.json()["step"]["identifier"],
                                                    "password": GOOD_PASSWORD})).json()
    assert signed_in["status"] == "signed_in"
    account = (await api.get(f"/accounts/{signed_in['account_ref']}",
                             headers={"Parcours-Session": signed_in["session_token"]})).json()
    assert account["status"] == "active"
    assert [child["student_ref"] for child in account["children"]] == ["stu-lea-martin"]


async def test_a_refused_resend_is_an_answer_that_says_when_in_retry_after(api, inbox):
    """An expected answer to the user's action is 200 with its status; when it knows a time (the
    resend cooldown), it gives it in retry_at and in Retry-After, as a refusal does."""
    journey = (await api.post("/activations", json=CAMILLE_SMS)).json()["location"]
    answer = await api.post(f"{journey}/resend-code")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "resend_refused"
    retry_at = datetime.fromisoformat(answer.json()["retry_at"])
    assert parsedate_to_datetime(answer.headers["Retry-After"]) == retry_at.replace(microsecond=0)
    assert len(inbox.messages()) == 1  # no second code


async def test_bad_input_is_a_problem_naming_each_field_and_starts_nothing(api, inbox):
    response = await api.post("/activations", json={**CAMILLE_SMS, "mobile": "12", "surprise": 1})
    problem = assert_problem(response, 422, "invalid_input")
    assert {error["field"] for error in problem["errors"]} == {"mobile", "surprise"}
    assert inbox.messages() == []
    malformed = await api.post("/activations", content=b"{not json", headers={"content-type": "application/json"})
    problem = assert_problem(malformed, 400, "malformed_body")
    assert problem["errors"] == []  # no field: a byte offset is not one
    as_text = await api.post("/activations", content=b'{"channel": "sms"}', headers={"content-type": "text/plain"})
    assert_problem(as_text, 415, "unsupported_media_type")  # JSON, sent as something else: the header is wrong
    assert_problem(await api.get("/activations/not%20a%20ref"), 422, "invalid_input")


@pytest.mark.parametrize("mobile", ["tel: 06 12 34 56 78", "06 12 34 56 78\x00", "😀 06 12 34 56 78",
                                    "06 12 34 56 78;06 98 76 54 32"])
async def test_a_mobile_with_junk_is_refused_and_no_sms_is_sent(api, inbox, mobile):
    refused = await api.post("/activations", json={**CAMILLE_SMS, "mobile": mobile})
    problem = assert_problem(refused, 422, "invalid_input")
    assert [error["field"] for error in problem["errors"]] == ["mobile"]
    journey = (await api.post("/activations")).json()["location"]
    problem = assert_problem(await api.post(f"{journey}/identity", json={**CAMILLE_SMS, "mobile": mobile}),
                             422, "invalid_input")
    assert [error["field"] for error in problem["errors"]] == ["mobile"]
    assert inbox.messages() == []


async def test_an_action_out_of_step_is_a_conflict_and_an_unknown_journey_not_found(api):
    journey = (await api.post("/activations")).json()["location"]
    problem = assert_problem(await api.post(f"{journey}/code", json={"code": "123456"}), 409, "not_now")
    assert problem["detail"] == "Cette action n'est pas possible à cette étape."  # nothing internal
    assert problem["debug"].startswith("submit_code in state ")
    assert_problem(await api.get("/activations/nosuchjourney"), 404, "unknown_journey")
    assert_problem(await api.post("/activations/nosuchjourney/resend-code"), 404, "unknown_journey")
    assert_problem(await api.get("/accounts/nosuchaccount"), 401, "session_missing")  # a ref alone reads nothing


async def test_a_start_repeated_with_its_idempotency_key_gets_the_same_journey_and_answer(api, inbox):
    key = {"Idempotency-Key": "9a1f7c7e-4b7e-4d0a-9a43-1b2c3d4e5f60"}
    first = await api.post("/activations", json=CAMILLE_SMS, headers=key)
    again = await api.post("/activations", json=CAMILLE_SMS, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["journey_id"] == first.json()["journey_id"]
    assert again.json()["replayed"] is True and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["outcome"] == first.json()["outcome"]
    assert len(inbox.messages()) == 1  # one code sent, not two
    assert "9a1f7c7e" not in first.json()["journey_id"]  # the key itself never reaches Temporal

    reused = await api.post("/activations", json={**CAMILLE_SMS, "first_name": "Camilla"}, headers=key)
    problem = assert_problem(reused, 422, "idempotency_key_reused")
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    other = await api.post("/activations", json=CAMILLE_SMS, headers={"Idempotency-Key": "another"})
    assert other.json()["journey_id"] != first.json()["journey_id"]


async def test_request_size_is_limited(api, settings):
    too_big = b'{"code": "' + b"1" * settings.http_api_max_body_bytes + b'"}'
    assert_problem(await api.post("/activations/x/code", content=too_big,
                                  headers={"content-type": "application/json"}), 413, "request_too_large")

    async def chunks():  # no Content-Length: counted as it arrives
        for _ in range(settings.http_api_max_body_bytes // 1000 + 2):
            yield b" " * 1000

    assert_problem(await api.post("/activations/x/code", content=chunks(),
                                  headers={"content-type": "application/json"}), 413, "request_too_large")


async def test_with_a_token_every_call_but_health_needs_it(parcours, settings):
    guarded = settings.model_copy(update={"http_api_token": SecretStr("s3cret-token-for-the-api-layer")})
    app = create_app(guarded, parcours)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parcours") as client:
        assert (await client.get("/health")).status_code == 200
        assert_problem(await client.post("/activations"), 401, "unauthorized")
        wrong_token = await client.post("/activations", headers={"Authorization": "Bearer wrong"})
        assert_problem(wrong_token, 401, "unauthorized")
        ok = await client.post("/activations", headers={"Authorization": "Bearer s3cret-token-for-the-api-layer"})
        assert ok.status_code == 201


async def test_a_limit_is_429_with_retry_after_and_starts_nothing(time_env, settings, inbox):
    limited = settings.model_copy(update={"sms_per_destination_per_hour": 1})
    async with running_parcours(time_env.client, limited, update_with_start=False) as (parcours, _):
        app = create_app(limited, parcours)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parcours") as api:
            assert (await api.post("/activations", json=CAMILLE_SMS)).status_code == 201
            problem = assert_problem(await api.post("/activations", json=CAMILLE_SMS), 429, "destination_limited")
    retry_at = datetime.fromisoformat(problem["retry_at"])
    assert retry_at > datetime.now(UTC) - timedelta(days=1)  # the server's clock, skipped or not
    assert len(inbox.messages()) == 1
