"""Payload encryption, key rotation and the codec server operators' tools talk to."""

import base64
import json
import os
import threading
import urllib.request
from urllib.error import HTTPError

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure

from parcours.contracts.activation import IdentityInput, PasswordInput
from parcours.contracts.common import INPUT_ERRORS_DETAIL
from parcours.temporal.codec import EncryptionCodec, UnknownKeyError, parcours_data_converter
from parcours.temporal.codec_server import make_codec_server

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
def codec_server():
    server = make_codec_server(EncryptionCodec([OLD]), "127.0.0.1", 0, allowed_origin="http://localhost:8233",
                               token="operator-token")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def post(url, body, token="operator-token"):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read()), response.headers


def as_json(payload: Payload) -> dict:
    return {"metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
            "data": base64.b64encode(payload.data).decode()}


async def test_codec_server_decodes_for_an_authorised_operator(codec_server):
    [sealed] = await EncryptionCodec([OLD]).encode([PLAIN])
    decoded, headers = post(codec_server + "/decode", {"payloads": [as_json(sealed)]})
    assert base64.b64decode(decoded["payloads"][0]["data"]) == PLAIN.data
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:8233"
    as_the_web_ui_asks, _ = post(codec_server + "/decode?preserveStorageRefs=true", {"payloads": [as_json(sealed)]})
    assert as_the_web_ui_asks == decoded
    with pytest.raises(HTTPError) as refused:
        post(codec_server + "/decode", {"payloads": [as_json(sealed)]}, token="wrong")
    assert refused.value.code == 401
    with pytest.raises(HTTPError) as refused:
        post(codec_server + "/decode", {"payloads": "not a list"})
    assert refused.value.code == 400


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
    assert attributes["message"] == "Certaines informations sont invalides : confirmation, line\nbreak."
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
    assert attributes["message"] == "Certaines informations sont invalides."
    [whole] = detail[INPUT_ERRORS_DETAIL]
    assert whole["field"] == "" and "dictionary" in whole["message"]
