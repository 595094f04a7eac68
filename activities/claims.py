"""Which journey of a kind is an account's live one: at most one activation and one password reset
per account, whatever the interleaving of journeys and workers.

A journey becomes the live one in the transaction that issues its code or link, never before:
claiming at the identity match let a journey whose code was then refused (a destination over its
limits) displace the live one without ever ending it, and two journeys stayed live. The journey a
code displaced is kept on the code, so that a retried send answers the same and never displaces a
newer holder; the workflow signals it `supersede` once the send returns."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.contracts.activities import CodePurpose
from parcours.db.models import JourneyClaim, VerificationCode

ACTIVATION_CLAIM = "activation"
PASSWORD_RESET_CLAIM = "password_reset"
CLAIM_OF_PURPOSE = {CodePurpose.ACTIVATION: ACTIVATION_CLAIM,  # the codes that claim an account
                    CodePurpose.PASSWORD_RESET_CODE: PASSWORD_RESET_CLAIM,
                    CodePurpose.PASSWORD_RESET_LINK: PASSWORD_RESET_CLAIM}


class JourneyDisplaced(Exception):
    """The journey owned the account and a newer one took it over: it is being superseded, and a
    code of its own now would take the account back from the newer one."""


def purposes_of(kind: str) -> list[CodePurpose]:
    return [purpose for purpose, claim_kind in CLAIM_OF_PURPOSE.items() if claim_kind == kind]


async def was_displaced(session: AsyncSession, kind: str, account_id: int, journey_id: str) -> bool:
    """Whether another journey owns the account now that this one owned it before: this one had a
    code for it, or a code names it displaced (it owned it by a claim taken at the identity match,
    as workers did before this module)."""
    owner = await session.scalar(select(JourneyClaim.journey_id).where(JourneyClaim.kind == kind,
                                                                       JourneyClaim.account_id == account_id))
    if owner is None or owner == journey_id:
        return False
    earlier = await session.scalar(select(VerificationCode.id).where(
        VerificationCode.account_id == account_id, VerificationCode.purpose.in_(purposes_of(kind)),
        or_(VerificationCode.journey_id == journey_id, VerificationCode.displaced_journey_id == journey_id),
    ).limit(1))
    return earlier is not None


async def lock_claim(session: AsyncSession, kind: str, account_id: int) -> None:
    """Two journeys' codes for one account, one after the other, until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:claim))"),
                              {"claim": f"claim/{kind}/{account_id}"})
    # (SQLite transactions are serialised already: BEGIN IMMEDIATE, see db/engine.py)


async def take_claim(session: AsyncSession, kind: str, account_id: int, journey_id: str) -> str | None:
    """In the transaction that issues the journey's code: the journey becomes the account's live
    one; returns the journey it displaced, to be superseded. The owner's next code returns again
    the one it displaced on taking over, told again (the first code's send may have failed after
    its commit). Raises JourneyDisplaced for a journey that owned the account before the owner."""
    await lock_claim(session, kind, account_id)  # held already by the code's transaction: taken again, no wait
    if await was_displaced(session, kind, account_id, journey_id):
        raise JourneyDisplaced()
    claim = await session.get(JourneyClaim, (kind, account_id), populate_existing=True)
    now = datetime.now(UTC)  # the purge's clock (db/retention.py), not the journey's
    if claim is None:
        session.add(JourneyClaim(kind=kind, account_id=account_id, journey_id=journey_id, claimed_at=now))
        return None
    if claim.journey_id == journey_id:
        return claim.superseded_journey_id
    displaced = claim.journey_id
    claim.journey_id, claim.superseded_journey_id, claim.claimed_at = journey_id, displaced, now
    return displaced
