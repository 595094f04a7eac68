"""« Mon compte » needs a proof of sign-in: `POST /sign-ins` answers a session token, which every
/accounts/{account_ref} route wants in the Parcours-Session header. The account's ref alone reads
nothing and starts nothing. The mailed link's route (email change, `/link`) is the exception: the
link's own token proves it."""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Header, Request
from pydantic import Field

from parcours.client import JourneyActionRejected
from parcours.contracts.accounts import SignInResult, SignInStatus
from parcours.contracts.common import Refusal
from parcours.http_api import wording
from parcours.http_api.resources import AccountRef, parcours
from parcours.security.sessions import Session, SessionRefused, SessionTokens
from parcours.settings import Settings

SESSION_HEADER = "Parcours-Session"
SessionToken = Annotated[str | None, Header(
    alias=SESSION_HEADER, description="The session token `POST /sign-ins` gave for this account")]


class SignInAnswer(SignInResult):
    """The sign-in's answer, and when signed in the session token that « Mon compte » wants."""

    session_token: str | None = Field(default=None, description=f"Signed in: send it in the {SESSION_HEADER} "
                                      "header of every /accounts/{account_ref} call")
    session_expires_at: datetime | None = None


def session_tokens(settings: Settings) -> SessionTokens:
    """Signed with PARCOURS_SECRET_KEY (the tokens' salt keeps them apart from its other uses);
    without one (a test's app), a random key: the tokens then prove nothing past this process."""
    secret = settings.secret_key.get_secret_value().encode() if settings.secret_key else os.urandom(32)
    return SessionTokens(secret, settings.session_lifetime)


def with_session(request: Request, result: SignInResult) -> SignInAnswer:
    answer = SignInAnswer(**result.model_dump())
    if result.status is SignInStatus.SIGNED_IN and result.account_ref and result.session_generation is not None:
        tokens: SessionTokens = request.app.state.sessions
        answer.session_token = tokens.issue(Session(result.account_ref, result.session_generation))
        answer.session_expires_at = tokens.expires_at(datetime.now(UTC))
    return answer


def refused(reason: str) -> JourneyActionRejected:
    return JourneyActionRejected(Refusal(reason=reason, message=wording.SESSION_REFUSED[reason]))


async def signed_in(request: Request, account_ref: AccountRef, session_token: SessionToken = None) -> None:
    """A route's dependency: a valid, unexpired token for this account, of its current generation
    (a password change or a merge since refuses it). The account read for that is kept for the
    route that reads it."""
    tokens: SessionTokens = request.app.state.sessions
    try:
        session = tokens.verify(session_token)
    except SessionRefused as refusal:
        raise refused(refusal.reason) from None
    if not hmac.compare_digest(session.account_ref, account_ref):
        raise refused("session_invalid")  # another account's: the same answer as a forged one
    view = await parcours(request).account_view(account_ref)
    if view.session_generation != session.generation:
        raise refused("session_revoked")
    request.state.account_view = view
