"""The same journey again on the same account: journeys whose workflow id is the account's
(mobile-change/<account>, email-change/…, password-change/…, children/…) start a new run each time,
and each run's codes, links, messages and events are its own (DESIGN: keys unique per run and step)."""

import re
from itertools import pairwise
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import LinkEvent, MessageDelivery

SOPHIE = "s.bernard1"


def messages_to(inbox, to: str) -> list[dict]:
    return [m for m in inbox.messages() if m["to"] == to]


def code_in(message: dict) -> str:
    return re.search(r"\b(\d{6})\b", message["body"]).group(1)


def token_in(message: dict) -> str:
    return parse_qs(urlparse(re.search(r"http\S+", message["body"]).group(0)).query)["jeton"][0]


async def signed_in(parcours) -> str:
    return (await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)).account_ref


async def ledger_keys(dependencies) -> list[str]:
    async with dependencies.sessions() as session:
        return list((await session.scalars(select(MessageDelivery.idempotency_key))).all())


async def test_a_second_mobile_change_sends_its_own_code_and_the_first_one_confirms_nothing(harness, inbox):
    parcours, dependencies = harness
    account_ref = await signed_in(parcours)
    first = await parcours.mobile_change(account_ref)
    await first.request_change("07 81 22 33 44")
    [first_sms] = messages_to(inbox, "+33781223344")
    assert (await first.submit_code(code_in(first_sms))).step.state == "confirmed"

    second = await parcours.mobile_change(account_ref)
    assert second.journey_id == first.journey_id  # one workflow id per account, a new run
    outcome = await second.request_change("07 81 22 33 55")
    assert outcome.status == "accepted"
    [second_sms] = messages_to(inbox, "+33781223355")  # the answer said a code was sent: it was
    assert len(set(await ledger_keys(dependencies))) == 2
    refused = await second.submit_code(code_in(first_sms))  # …44's code, from the earlier run
    assert refused.status != "accepted" and refused.step.state != "confirmed"
    assert (await parcours.account_view(account_ref)).mobile == "+33781223344"
    assert (await second.submit_code(code_in(second_sms))).step.state == "confirmed"
    view = await parcours.account_view(account_ref)
    assert (view.mobile, view.mobile_status, view.pending_mobile) == ("+33781223355", "confirmed", None)


async def test_a_second_email_change_sends_its_own_link_and_the_first_one_is_invalid(parcours, inbox):
    account_ref = await signed_in(parcours)
    first = await parcours.email_change(account_ref)
    await first.request_change("sophie.un@example.org", "sophie.un@example.org")
    [first_mail] = messages_to(inbox, "sophie.un@example.org")
    assert (await first.confirm(token_in(first_mail), account_ref)).step.state == "confirmed"

    second = await parcours.email_change(account_ref)
    assert (await second.request_change("sophie.deux@example.org", "sophie.deux@example.org")).status == "accepted"
    [second_mail] = messages_to(inbox, "sophie.deux@example.org")
    assert (await second.open_link(token_in(first_mail))).status == "link_invalid"
    assert (await second.confirm(token_in(second_mail), account_ref)).step.state == "confirmed"
    view = await parcours.account_view(account_ref)
    assert (view.email, view.email_status, view.pending_email) == ("sophie.deux@example.org", "confirmed", None)


async def test_each_password_change_sends_its_notice(parcours, inbox):
    account_ref = await signed_in(parcours)
    passwords = [DEMO_ACTIVE_PASSWORD, "Nouveau-Cartable-7!", "Autre-Cartable-8?"]
    for current, new in pairwise(passwords):
        journey = await parcours.start_password_change(account_ref)
        assert (await journey.change_password(current, new, new)).step.state == "changed"
    assert len(messages_to(inbox, "sophie.bernard@example.org")) == 2


async def test_a_link_confirmed_again_at_a_later_sign_in_is_recorded_with_its_event(harness):
    """R-KID-2/3: confirmed, reported, then confirmed again in a second children journey of the
    account: the answer is recorded and the services get each event."""
    parcours, dependencies = harness
    account_ref = await signed_in(parcours)
    tom = {"student_ref": "stu-tom-bernard", "is_guardian": True, "birth_date": "2015-11-05"}
    assert (await (await parcours.start_children_confirmation(account_ref)).answer_child(tom)).step.state == "confirmed"
    await parcours.report_link(account_ref, "stu-tom-bernard")
    again = await parcours.start_children_confirmation(account_ref)
    assert (await again.answer_child(tom)).step.state == "confirmed"
    assert [c.status for c in (await parcours.account_view(account_ref)).children] == ["confirmed"]
    async with dependencies.sessions() as session:
        kinds = [e.kind for e in (await session.scalars(select(LinkEvent).order_by(LinkEvent.id))).all()]
    assert kinds == ["link_confirmed", "link_reported", "student_left", "link_confirmed"]
