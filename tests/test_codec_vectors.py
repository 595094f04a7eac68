"""The payload codec's test vectors (docs/codec-test-vectors.json), which a codec written in
another language checks itself against (clients/typescript/src/codec.test.ts does): Parcours'
own converter and codec must give exactly these bytes, and open them. Regenerate the file, after
a deliberate change of the format only, with `.venv/bin/python tests/test_codec_vectors.py`."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload

from parcours.contracts.activation import CodeInput, IdentityInput
from parcours.http_api.codec_routes import create_codec_app
from parcours.settings import Settings
from parcours.temporal.codec import EncryptionCodec, parcours_data_converter

VECTORS = Path(__file__).resolve().parent.parent / "docs" / "codec-test-vectors.json"
MODELS = {"IdentityInput": IdentityInput, "CodeInput": CodeInput}
# Fixed, published keys: they protect nothing, they only make the bytes reproducible.
K1 = ("k1", bytes(range(32)))
K2 = ("k2", bytes(range(0x40, 0x60)))


class FixedNonceCodec(EncryptionCodec):
    """The production codec, but for the nonce: the vectors' own instead of a random one."""

    def __init__(self, key_ring, nonce: bytes):
        super().__init__(key_ring)
        self.nonce = nonce

    def _new_nonce(self) -> bytes:
        return self.nonce


def ring_setting(*ring: tuple[str, bytes]) -> str:
    """A key ring as PARCOURS_PAYLOAD_KEYS spells it."""
    return ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in ring)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def vectors() -> dict[str, Any]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))


def value_of(case: dict[str, Any]) -> Any:
    """What an API layer hands its converter: the JSON value, or the model it stands for."""
    model = MODELS.get(case.get("model") or "")
    return model.model_validate(case["value"]) if model else case["value"]


def payload_of(as_json: dict[str, Any]) -> Payload:
    """A payload from the vectors' JSON form (the codec server's: proto3 JSON, bytes in base64)."""
    return json_format.ParseDict(as_json, Payload())


def ring_of(case: dict[str, Any]) -> list[tuple[str, bytes]]:
    return Settings(payload_keys=case["key_ring"]).payload_key_ring()


def encrypting_key(case: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [(case["key_id"], base64.b64decode(case["key"]))]


# Read at collection; when regenerating, the file may not exist yet.
CASES = [case["name"] for case in vectors()["cases"]] if VECTORS.exists() else []


def test_the_vectors_cover_a_string_a_model_null_a_rotated_key_and_a_refusal():
    assert CASES == ["a string", "a model", "null", "a rotated older key", "a tampered payload"]


@pytest.mark.parametrize("name", CASES)
async def test_parcours_encodes_each_vector_to_its_exact_bytes(name):
    case = next(case for case in vectors()["cases"] if case["name"] == name)
    plain = payload_of(case["plaintext_payload"])
    [converted] = parcours_data_converter(ring_of(case)).payload_converter.to_payloads([value_of(case)])
    assert converted == plain, "the converter no longer writes this value this way"
    assert plain.SerializeToString() == base64.b64decode(case["plaintext_serialized"])
    if case.get("expect") == "refused":
        return
    codec = FixedNonceCodec(encrypting_key(case), base64.b64decode(case["nonce"]))
    [sealed] = await codec.encode([plain])
    assert sealed == payload_of(case["encoded_payload"])


@pytest.mark.parametrize("name", CASES)
async def test_parcours_decodes_each_vector_with_its_key_ring(name):
    case = next(case for case in vectors()["cases"] if case["name"] == name)
    codec = EncryptionCodec(ring_of(case))
    sealed = payload_of(case["encoded_payload"])
    if case.get("expect") == "refused":
        with pytest.raises(InvalidTag):
            await codec.decode([sealed])
        return
    [plain] = await codec.decode([sealed])
    assert plain == payload_of(case["plaintext_payload"])
    [value] = parcours_data_converter(ring_of(case)).payload_converter.from_payloads([plain])
    assert value == case["value"]


async def test_the_codec_server_answers_the_vectors_in_their_own_json_form():
    """The vectors' payloads are what the codec server's /decode takes and gives (docs/codec.md)."""
    cases = [case for case in vectors()["cases"] if case.get("expect") != "refused"]
    app = create_codec_app(EncryptionCodec(ring_of(cases[0])), allowed_origin="http://localhost:8233", token="t")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec") as client:
        answer = await client.post("/decode", json={"payloads": [case["encoded_payload"] for case in cases]},
                                   headers={"Authorization": "Bearer t"})
    assert answer.status_code == 200, answer.text
    decoded = [payload_of(payload) for payload in answer.json()["payloads"]]
    assert decoded == [payload_of(case["plaintext_payload"]) for case in cases]


def build_case(name: str, value: Any, ring: list[tuple[str, bytes]], key: tuple[str, bytes], nonce: bytes,
               note: str, model: str | None = None) -> dict[str, Any]:
    """One vector, computed by Parcours' own converter and codec."""
    converter = parcours_data_converter(ring).payload_converter
    [plain] = converter.to_payloads([MODELS[model].model_validate(value) if model else value])
    [sealed] = asyncio.run(FixedNonceCodec([key], nonce).encode([plain]))
    case = {"name": name, "note": note, "model": model, "value": value, "key_ring": ring_setting(*ring),
            "key_id": key[0], "key": b64(key[1]), "nonce": b64(nonce),
            "plaintext_payload": as_json(plain), "plaintext_serialized": b64(plain.SerializeToString()),
            "encoded_payload": as_json(sealed)}
    return {k: v for k, v in case.items() if v is not None or k == "value"}


def as_json(payload: Payload) -> dict[str, Any]:
    """The codec server's JSON form, with `data` written even when empty (a reader need not guess)."""
    return {"metadata": {k: b64(v) for k, v in payload.metadata.items()}, "data": b64(payload.data)}


def write_vectors() -> None:
    identity = {"channel": "mail", "last_name": "Dupont-Lefèvre", "first_name": "Éloïse", "mobile": None,
                "email": "eloise.dupont@example.org"}
    cases = [
        build_case("a string", "Camille", [K2, K1], K2, bytes.fromhex("000102030405060708090a0b"),
                   "a JSON string: json/plain, UTF-8 JSON text"),
        build_case("a model", identity, [K2, K1], K2, bytes.fromhex("0c0d0e0f1011121314151617"),
                   "an update's input model: compact JSON, fields in the model's order, null fields written, "
                   "non-ASCII as raw UTF-8 (no \\u escapes)", model="IdentityInput"),
        build_case("null", None, [K2, K1], K2, bytes.fromhex("18191a1b1c1d1e1f20212223"),
                   "null (None, undefined): binary/null, no data"),
        build_case("a rotated older key", {"code": "123456"}, [K2, K1], K1,
                   bytes.fromhex("2425262728292a2b2c2d2e2f"),
                   "written when k1 was the active key; k2 now encrypts, k1 still decrypts: pick the key by "
                   "the payload's encryption-key-id, not the ring's first", model="CodeInput"),
    ]
    tampered = json.loads(json.dumps(cases[0]))
    sealed = bytearray(base64.b64decode(tampered["encoded_payload"]["data"]))
    sealed[-1] ^= 1
    tampered.update(name="a tampered payload", expect="refused", encoded_payload={
        **tampered["encoded_payload"], "data": b64(bytes(sealed))},
        note="the first case with the last bit of its tag flipped: decryption must fail (GCM tag check)")
    document = {
        "description": "Test vectors of Parcours' payload codec (docs/codec.md). Payloads in the codec "
                       "server's JSON form: metadata values and data in standard base64. Generated by "
                       "tests/test_codec_vectors.py, checked by it and by clients/typescript/src/codec.test.ts.",
        "algorithm": "AES-GCM (256-bit keys here), 12-byte nonce, 16-byte tag, no associated data",
        "encoded_data": "nonce (12 bytes) || ciphertext || tag (16 bytes); the plaintext is the serialized "
                        "temporal.api.common.v1.Payload",
        "cases": [*cases, tampered],
    }
    VECTORS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_vectors()
    print(f"wrote {VECTORS}", file=sys.stderr)
