"""Payload encryption (AES-256-GCM), so workflow history holds nothing readable without the key.

The key id travels in each payload's metadata: rotating keys means putting a new key first in
PARCOURS_PAYLOAD_KEYS and keeping the old ones after it, which still decrypt older histories."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import TypeAdapter, ValidationError
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter, pydantic_data_converter
from temporalio.converter import (
    BinaryNullPayloadConverter,
    CompositePayloadConverter,
    DataConverter,
    DefaultFailureConverter,
    DefaultPayloadConverter,
    EncodingPayloadConverter,
    JSONPlainPayloadConverter,
    PayloadCodec,
)
from temporalio.exceptions import ApplicationError

from parcours import messages
from parcours.contracts.common import INPUT_ERRORS_DETAIL, FieldError, Refusal

ENCODING = b"binary/encrypted"
NONCE_BYTES = 12


class UnknownKeyError(ValueError):
    pass


class EncryptionCodec(PayloadCodec):
    def __init__(self, key_ring: Sequence[tuple[str, bytes]]):
        if not key_ring:
            raise ValueError("at least one payload key is needed")
        self.active_key_id, active_key = key_ring[0]
        self.active = AESGCM(active_key)
        self.keys = {key_id: AESGCM(key) for key_id, key in key_ring}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(
                metadata={"encoding": ENCODING, "encryption-key-id": self.active_key_id.encode()},
                data=self._encrypt(payload.SerializeToString()),
            )
            for payload in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # written before encryption was on
                continue
            key_id = payload.metadata.get("encryption-key-id", b"").decode()
            if key_id not in self.keys:
                raise UnknownKeyError(f"payload encrypted with unknown key id {key_id!r}")
            decoded.append(Payload.FromString(self._decrypt(key_id, payload.data)))
        return decoded

    def _new_nonce(self) -> bytes:
        """A fresh random nonce per payload. A method of its own so the codec's test vectors
        (docs/codec-test-vectors.json) can fix it in a subclass; nothing else overrides it."""
        return os.urandom(NONCE_BYTES)

    def _encrypt(self, plain: bytes) -> bytes:
        nonce = self._new_nonce()
        return nonce + self.active.encrypt(nonce, plain, None)

    def _decrypt(self, key_id: str, sealed: bytes) -> bytes:
        return self.keys[key_id].decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)


class _ParcoursFailureConverter(DefaultFailureConverter):
    """Messages and stack traces encrypted with the payloads. An update's input that fails its
    model (pydantic's ValidationError) carries its field errors as details: callers get each field
    named exactly, not read back out of pydantic's text (where a field name with a line break or a
    leading space was lost)."""

    def __init__(self) -> None:
        super().__init__(encode_common_attributes=True)

    def to_failure(self, exception: BaseException, payload_converter, failure) -> None:
        if isinstance(exception, ValidationError):
            errors = [FieldError.from_pydantic(dict(problem)) for problem in exception.errors()]
            # Not pydantic's text: it quotes the input (a password among it) to whoever reads the
            # message. Retryable as before: an activity's ValidationError keeps its retries.
            named = ", ".join(e.field for e in errors if e.field)  # an input wrong as a whole names none
            refusal = Refusal(reason="invalid_input", errors=errors,
                              message=messages.INPUT_INVALID.format(fields=named) if named
                              else messages.INPUT_INVALID_AS_A_WHOLE)
            # The message is the refusal as JSON, as for a refused action (parcours/refusals.py).
            carried = ApplicationError(refusal.model_dump_json(exclude_none=True),
                                       {INPUT_ERRORS_DETAIL: [e.model_dump() for e in errors],
                                        "message": refusal.message},
                                       type="ValidationError")
            carried.__traceback__, carried.__cause__ = exception.__traceback__, exception.__cause__
            exception = carried
        super().to_failure(exception, payload_converter, failure)


class _TypedNullPayloadConverter(BinaryNullPayloadConverter):
    """A null is decoded only where the type allows it: a client sending null for an update's
    model gets pydantic's error, as for any other malformed input, instead of the handler a None."""

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        value = super().from_payload(payload, type_hint)
        if type_hint is not None and type_hint is not type(None):
            return TypeAdapter(type_hint).validate_python(value)
        return value


class ParcoursPayloadConverter(CompositePayloadConverter):
    """The SDK's default encodings, in their order, with pydantic's JSON (what the SDK's
    PydanticPayloadConverter puts there) and a null decoded only where the type allows it. Built
    from the SDK's public list of encodings, once."""

    def __init__(self) -> None:
        super().__init__(*(_parcours_encoding(converter)
                           for converter in DefaultPayloadConverter.default_encoding_payload_converters))


def _parcours_encoding(converter: EncodingPayloadConverter) -> EncodingPayloadConverter:
    if isinstance(converter, BinaryNullPayloadConverter):
        return _TypedNullPayloadConverter()
    if isinstance(converter, JSONPlainPayloadConverter):
        return PydanticJSONPlainPayloadConverter()
    return converter


def parcours_data_converter(key_ring: Sequence[tuple[str, bytes]]) -> DataConverter:
    """Pydantic models as JSON, then encrypted; failures' messages and stack traces encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=ParcoursPayloadConverter,
        payload_codec=EncryptionCodec(key_ring),
        failure_converter_class=_ParcoursFailureConverter,
    )
