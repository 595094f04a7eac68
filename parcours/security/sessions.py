"""Proof of sign-in for « Mon compte »: a short-lived signed token that names the account.

Sign-in gives one (POST /sign-ins); an account's data and the journeys started from it need it, so
an account's ref alone reads nothing. The token is the account's ref and its session generation,
signed (HMAC-SHA256, itsdangerous, with a salt of its own) with PARCOURS_SECRET_KEY and timed: it
expires after PARCOURS_SESSION_LIFETIME. A password change or reset and a merge raise the account's
generation (activities), which revokes every token given before."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "parcours-session"


@dataclass(frozen=True)
class Session:
    account_ref: str
    generation: int


class SessionRefused(Exception):
    """`reason`: session_missing, session_expired or session_invalid (forged, malformed)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SessionTokens:
    def __init__(self, secret_key: bytes, lifetime: timedelta):
        self.lifetime = lifetime
        self.serializer = URLSafeTimedSerializer(secret_key, salt=SALT,
                                                 signer_kwargs={"digest_method": hashlib.sha256})

    def issue(self, session: Session) -> str:
        return self.serializer.dumps([session.account_ref, session.generation])

    def expires_at(self, issued_at: datetime) -> datetime:
        return issued_at + self.lifetime

    def verify(self, token: str | None) -> Session:
        if not token:
            raise SessionRefused("session_missing")
        try:
            account_ref, generation = self.serializer.loads(token, max_age=int(self.lifetime.total_seconds()))
        except SignatureExpired:
            raise SessionRefused("session_expired") from None
        except (BadSignature, ValueError, TypeError):
            raise SessionRefused("session_invalid") from None
        if not isinstance(account_ref, str) or not isinstance(generation, int):
            raise SessionRefused("session_invalid")
        return Session(account_ref, generation)
