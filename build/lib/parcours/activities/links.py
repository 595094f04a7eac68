"""Mailed links (password reset, email confirmation): their address and the one way they are judged."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from parcours.contracts.activities import CodePurpose, LinkStatus
from parcours.db.models import VerificationCode
from parcours.security.crypto import code_matches

NO_WRONG_TRIES = 0  # links are 256-bit secrets: wrong tries are not counted


def link_url(base_url: str, path: str, journey_id: str, token: str) -> str:
    """The API layer's page for a link: it passes `parcours` (the journey) and `jeton` back."""
    return f"{base_url.rstrip('/')}/{path}?{urlencode({'parcours': journey_id, 'jeton': token})}"


def judge_link(secret_key: bytes, link: VerificationCode | None, purpose: CodePurpose, token: str,
               now: datetime, key_scope: str | None = None) -> LinkStatus:
    """A decoy (no account), a link of another run (`key_scope`, when given) or a wrong token is
    invalid; then used, replaced, expired, or valid."""
    if link is None or link.purpose != purpose or link.account_id is None:
        return LinkStatus.INVALID
    if key_scope is not None and not link.issued_in(key_scope):
        return LinkStatus.INVALID
    if not code_matches(secret_key, link.id, token, link.digest):
        return LinkStatus.INVALID
    if link.consumed_at is not None:
        return LinkStatus.USED
    if link.voided_at is not None:
        return LinkStatus.INVALID
    if link.is_expired(now):
        return LinkStatus.EXPIRED
    return LinkStatus.VALID
