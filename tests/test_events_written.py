"""Each change a service needs to hear of writes its event with it (docs/events.md): refs only,
once per journey step. The journeys are the recorded histories' scenarios (tests/record_histories.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from parcours.db.models import Account, LinkEvent
from parcours.events.payload import EVENT_TYPES, event_document
from tests.record_histories import (
    email_change,
    franceconnect_activation,
    letter_activation,
    merge,
    mobile_change_code_expired,
)


async def outbox(dependencies) -> list[LinkEvent]:
    async with dependencies.sessions() as session:
        return list((await session.scalars(select(LinkEvent).order_by(LinkEvent.id))).all())


async def ref_of(dependencies, identifier: str) -> str:
    async with dependencies.sessions() as session:
        return (await session.scalars(select(Account.ref).where(Account.identifier == identifier))).one()


@pytest.mark.parametrize("scenario, expected", [
    (email_change, [("contact_confirmed", "email")]),
    (mobile_change_code_expired, [("contact_confirmed", "mobile")]),
    (letter_activation, [("account_activated", None)]),
    (franceconnect_activation, [("account_activated", None), ("contact_confirmed", "email"),
                                ("link_confirmed", None)]),
], ids=lambda value: getattr(value, "__name__", ""))
async def test_a_journeys_change_writes_its_events(harness, time_env, inbox, scenario, expected):
    parcours, dependencies = harness
    await scenario(parcours, inbox, time_env)
    events = await outbox(dependencies)
    assert [(e.kind, e.channel) for e in events] == expected
    assert all(e.kind in EVENT_TYPES for e in events)


async def test_a_merge_names_both_accounts_by_ref_only(harness, time_env, inbox):
    parcours, dependencies = harness
    await merge(parcours, inbox, time_env)
    merged = [e for e in await outbox(dependencies) if e.kind == "links_merged"]
    assert len(merged) == 1
    document = event_document(merged[0])
    assert document["type"] == "accounts.merged"
    assert document["data"] == {"account_ref": await ref_of(dependencies, "s.bernard1"),
                                "merged_account_ref": await ref_of(dependencies, "s.bernard2")}
