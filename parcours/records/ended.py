"""A school's links absent from its export end, all in a few statements: the student leaves the
guardian's account (or the account it was merged into), its answer about the student goes, so a
link made again later is proposed anew (R-KID-2), and the services that consume links are told, as
for a report (R-KID-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.models import Account, AccountStudent, GuardianStudentLink, LinkEvent

LINK_ENDED = "link_ended"


@dataclass(frozen=True)
class EndedLink:
    link_id: int
    guardian_id: int
    student_id: int
    student_ref: str


@dataclass(frozen=True)
class Owner:
    """The account a guardian record's links count for."""

    id: int
    ref: str
    guardian_id: int | None


async def end_links(session: AsyncSession, ended: list[EndedLink], event_key: str, now: datetime) -> None:
    if not ended:
        return
    await session.execute(delete(GuardianStudentLink).where(GuardianStudentLink.id.in_([e.link_id for e in ended])))
    owners = await owners_of(session, {link.guardian_id for link in ended})
    events: dict[str, dict] = {}  # by key: two ended links can end one student for one merged account
    for link in ended:
        owner = owners.get(link.guardian_id)
        if owner is not None:
            key = f"{event_key}/{LINK_ENDED}/{owner.ref}/{link.student_ref}"
            events[key] = dict(idempotency_key=key, kind=LINK_ENDED, account_ref=owner.ref,
                               student_ref=link.student_ref, created_at=now)
    if events:
        await session.execute(insert(LinkEvent), list(events.values()))
    left = await students_left(session, owners, ended)
    if left:
        await session.execute(delete(AccountStudent).where(
            tuple_(AccountStudent.account_id, AccountStudent.student_id).in_(left)))


async def owners_of(session: AsyncSession, guardian_ids: set[int]) -> dict[int, Owner]:
    """Each guardian record's account, or the account it was merged into; none for a record without one."""
    accounts = (await session.execute(select(Account.guardian_id, Account.id, Account.ref, Account.merged_into_id)
                                      .where(Account.guardian_id.in_(guardian_ids)))).all()
    merged_into = {row.merged_into_id for row in accounts if row.merged_into_id is not None}
    targets = {row.id: Owner(row.id, row.ref, row.guardian_id) for row in (await session.execute(
        select(Account.id, Account.ref, Account.guardian_id).where(Account.id.in_(merged_into)))).all()}
    return {row.guardian_id: targets[row.merged_into_id] if row.merged_into_id is not None
            else Owner(row.id, row.ref, row.guardian_id) for row in accounts}


async def students_left(session: AsyncSession, owners: dict[int, Owner],
                        ended: list[EndedLink]) -> list[tuple[int, int]]:
    """(account, student) of the ended links whose student no guardian record of the account (its
    own, those of the accounts merged into it) is linked to any more."""
    accounts = {owner.id: owner for owner in owners.values()}
    guardians_of = {owner.id: {owner.guardian_id} for owner in accounts.values()}
    merged = await session.execute(select(Account.merged_into_id, Account.guardian_id)
                                   .where(Account.merged_into_id.in_(accounts)))
    for account_id, guardian_id in merged:
        if account_id is not None:  # always: the query asks for merged accounts
            guardians_of[account_id].add(guardian_id)
    all_guardians = {g for guardians in guardians_of.values() for g in guardians if g is not None}
    still = {(guardian_id, student_id) for guardian_id, student_id in await session.execute(
        select(GuardianStudentLink.guardian_id, GuardianStudentLink.student_id)
        .where(GuardianStudentLink.guardian_id.in_(all_guardians),
               GuardianStudentLink.student_id.in_({link.student_id for link in ended})))}
    left = {(owner.id, link.student_id) for link in ended if (owner := owners.get(link.guardian_id)) is not None}
    return sorted((account_id, student_id) for account_id, student_id in left
                  if not any((guardian, student_id) in still for guardian in guardians_of[account_id]))
