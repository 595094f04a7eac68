"""Keyed digests, one-time codes and password hashes. Nothing here is ever stored in clear."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from parcours.temporal.observability import record_in_activity

# argon2id. OWASP's configuration (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane — about
# 20 ms here, against 150 ms for the library's default (64 MiB, 3 passes, 4 lanes), which would make
# every sign-in a cheap way to load the service. The worker sets them from the settings.
_password_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def set_password_hashing(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """For hashes made from now on; older hashes keep verifying (each says its own parameters)."""
    global _password_hasher
    _password_hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def keyed_digest(secret_key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of a value, separated by purpose so one digest never serves another use."""
    return hmac.new(secret_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def new_reference() -> str:
    """An opaque, unguessable reference (code ids, account refs, journey ids)."""
    return secrets.token_urlsafe(16).replace("-", "x").replace("_", "y")


def idempotent_reference(idempotency_key: str, secret_key: bytes | None) -> str:
    """The journey reference an API layer's idempotency key stands for: the same key gives the same
    journey, and the key itself (it may hold anything) never reaches Temporal."""
    if secret_key is None:
        return hashlib.sha256(f"idempotency\x00{idempotency_key}".encode()).hexdigest()[:32]
    return keyed_digest(secret_key, "idempotency", idempotency_key)[:32]


def message_reference(secret_key: bytes, idempotency_key: str) -> str:
    """What a provider is told a message is (a mail's Message-ID, the SMS gateway's idempotency
    key): the same key gives the same reference, so a repeat after a crash can be dropped
    downstream, and nothing of the key (journey id, step) leaves the service."""
    return keyed_digest(secret_key, "message", idempotency_key)[:32]


def derive_code(secret_key: bytes, code_id: str, digits: int) -> str:
    """The code for a code id. Deriving it (instead of storing it) lets a retried send repeat the
    very same message without the code ever being written down; code ids come from a CSPRNG and the
    key is secret, so the code is as unpredictable as a random one."""
    value = int.from_bytes(hmac.new(secret_key, f"code\x00{code_id}".encode(), hashlib.sha256).digest(), "big")
    return str(value % 10**digits).zfill(digits)


def derive_link_token(secret_key: bytes, link_id: str) -> str:
    """The secret part of an emailed link, derived like codes (256 bits, hex: safe in URLs and
    shells alike)."""
    return hmac.new(secret_key, f"link\x00{link_id}".encode(), hashlib.sha256).hexdigest()


def code_digest(secret_key: bytes, code_id: str, code: str) -> str:
    return keyed_digest(secret_key, f"code-digest:{code_id}", code)


def code_matches(secret_key: bytes, code_id: str, attempt: str, stored_digest: str) -> bool:
    return hmac.compare_digest(code_digest(secret_key, code_id, attempt), stored_digest)


def hash_password(password: str) -> str:
    # The CPU of each hash, apart: a security cost kept at OWASP's parameters, which the worker's
    # CPU per journey is read without (bench README). Thread time: the hash runs on a thread.
    started = time.thread_time()
    password_hash = _password_hasher.hash(password)
    record_in_activity("parcours_password_hash_cpu", "CPU time of each argon2id password hash", "s",
                       time.thread_time() - started)
    return password_hash


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
