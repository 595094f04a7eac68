"""Payload encryption, key rotation and the codec server operators' tools talk to."""

import base64
import json
import os

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure

from parcours.contracts.activation import IdentityInput, PasswordInput
from parcours.contracts.common import INPUT_ERRORS_DETAIL
from parcours.http_api.codec_routes import MAX_BODY_BYTES, create_codec_app
from parcours.temporal.codec import EncryptionCodec, UnknownKeyError, parcours_data_converter

OLD = ("k1", os.urandom(32))
NEW = ("k2", os.urandom(32))
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"password": "Cartable-2026!"}')


async def test_encrypted_payload_is_unreadable_and_names_its_key():
    [sealed] = await EncryptionCodec([OLD]).encode([PLAIN])
    assert b"Cartable" not in sealed.SerializeToString()
    assert sealed.metadata["encryption-key-id"] == b"k1"
    assert await EncryptionCodec([OLD]).decode([sealed]) == [PLAIN]


async def test_rotation_new_key_encrypts_old_key_still_decrypts():
    [old_sealed] = await EncryptionCodec([OLD]).encode([PLAIN])
    rotated = EncryptionCodec([NEW, OLD])
    [new_sealed] = await rotated.encode([PLAIN])
    assert new_sealed.metadata["encryption-key-id"] == b"k2"
    assert await rotated.decode([old_sealed, new_sealed]) == [PLAIN, PLAIN]
    with pytest.raises(UnknownKeyError):
        await EncryptionCodec([NEW]).decode([old_sealed])


async def test_tampered_payload_is_refused():
    [sealed] = await EncryptionCodec([OLD]).encode([PLAIN])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(InvalidTag):
        await EncryptionCodec([OLD]).decode([sealed])


@pytest.fixture
async def codec_server():
    app = create_codec_app(EncryptionCodec([OLD]), allowed_origin="http://localhost:8233", token="operator-token")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec") as client:
        yield client


async def post(codec_server: httpx.AsyncClient, path: str, body, token="operator-token") -> httpx.Response:
    return await codec_server.post(path, content=json.dumps(body),
                                   headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})


def as_json(payload: Payload) -> dict:
    return {"metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
            "data": base64.b64encode(payload.data).decode()}


async def test_codec_server_decodes_for_an_authorised_operator(codec_server):
    [sealed] = await EncryptionCodec([OLD]).encode([PLAIN])
    decoded = await post(codec_server, "/decode", {"payloads": [as_json(sealed)]})
    assert decoded.status_code == 200
    assert base64.b64decode(decoded.json()["payloads"][0]["data"]) == PLAIN.data
    assert decoded.headers["Access-Control-Allow-Origin"] == "http://localhost:8233"
    as_the_web_ui_asks = await post(codec_server, "/decode?preserveStorageRefs=true", {"payloads": [as_json(sealed)]})
    assert as_the_web_ui_asks.json() == decoded.json()
    encoded = await post(codec_server, "/encode/", {"payloads": [as_json(PLAIN)]})
    assert encoded.json()["payloads"][0]["metadata"]["encoding"] == base64.b64encode(b"binary/encrypted").decode()


async def test_codec_server_refuses_with_the_web_uis_cors_headers(codec_server):
    [sealed] = await EncryptionCodec([OLD]).encode([PLAIN])
    refusals = [(await post(codec_server, "/decode", {"payloads": [as_json(sealed)]}, token="wrong"), 401),
                (await post(codec_server, "/decode", {"payloads": "not a list"}), 400),
                (await post(codec_server, "/elsewhere", {"payloads": []}), 404),
                (await codec_server.post("/decode", content=b"x" * (MAX_BODY_BYTES + 1)), 413),
                (await codec_server.options("/decode"), 200)]
    for response, status in refusals:
        assert response.status_code == status
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:8233"
        assert response.headers["Access-Control-Allow-Headers"] == "Content-Type, X-Namespace, Authorization"


def test_a_validation_failure_carries_its_field_errors_and_stays_retryable():
    """What an undecodable input's failure holds (docs/contract): the field errors as data, a
    message naming the fields and quoting none of the input, and an activity's ValidationError
    still retried."""
    converter = parcours_data_converter([OLD])
    typed = {"password": "Cartable-2026!", "line\nbreak": 1}  # (the traceback quotes source lines)
    try:
        PasswordInput.model_validate(typed)
    except ValidationError as error:
        assert "Cartable-2026!" in str(error)  # pydantic's text quotes the input
        failure = Failure()
        converter.failure_converter.to_failure(error, converter.payload_converter, failure)
    info = failure.application_failure_info
    assert info.type == "ValidationError" and not info.non_retryable
    [detail] = converter.payload_converter.from_payloads(info.details.payloads)
    assert [e["field"] for e in detail[INPUT_ERRORS_DETAIL]] == ["confirmation", "line\nbreak"]
    [attributes] = converter.payload_converter.from_payloads([failure.encoded_attributes])
    assert failure.message == "Encoded failure"
    said = json.loads(attributes["message"])  # the refusal as JSON, for clients that show only the message
    assert said["message"] == detail["message"] == "Certaines informations sont invalides : confirmation, line\nbreak."
    assert said["reason"] == "invalid_input" and [e["field"] for e in said["errors"]] == ["confirmation", "line\nbreak"]
    assert "Cartable" not in failure.SerializeToString().decode(errors="replace")


def test_an_input_wrong_as_a_whole_is_carried_with_its_wording():
    converter = parcours_data_converter([OLD])
    try:
        IdentityInput.model_validate(["Martin", "Camille"])  # not an object: no field to name
    except ValidationError as error:
        failure = Failure()
        converter.failure_converter.to_failure(error, converter.payload_converter, failure)
    [detail] = converter.payload_converter.from_payloads(failure.application_failure_info.details.payloads)
    [attributes] = converter.payload_converter.from_payloads([failure.encoded_attributes])
    assert json.loads(attributes["message"])["message"] == detail["message"] == "Certaines informations sont invalides."
    [whole] = detail[INPUT_ERRORS_DETAIL]
    assert whole["field"] == "" and whole["message"] == "doit être un objet JSON"


def test_the_payload_converter_is_the_sdks_pydantic_one_but_for_nulls():
    """Built from the SDK's public list of encodings: should the SDK's PydanticPayloadConverter
    come to differ from it (another encoding, another order), this fails and says so."""
    from temporalio.contrib.pydantic import PydanticPayloadConverter
    from temporalio.converter import BinaryNullPayloadConverter

    from parcours.temporal.codec import ParcoursPayloadConverter

    ours, sdks = ParcoursPayloadConverter().converters, PydanticPayloadConverter().converters
    assert list(ours) == list(sdks)
    for encoding, converter in ours.items():
        expected = type(sdks[encoding])
        if expected is BinaryNullPayloadConverter:
            assert isinstance(converter, expected)  # ours, typed
        else:
            assert type(converter) is expected
