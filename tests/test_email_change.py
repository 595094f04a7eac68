"""Email change from « Mon compte » (R-CON-2 … R-CON-9) on the time-skipping server."""

import asyncio
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import GuardianRecord
from parcours.testing import running_parcours
from tests.receivers import SmtpServer

NEW = "sophie.nouvelle@example.org"
SLOW_MAIL_SERVER_SECONDS = 10


def last_link_token(inbox, to: str) -> str:
    mail = [m for m in inbox.messages() if m["to"] == to][-1]
    return parse_qs(urlparse(re.search(r"http\S+", mail["body"]).group(0)).query)["jeton"][0]


async def signed_in(parcours, identifier="s.bernard1", password=DEMO_ACTIVE_PASSWORD) -> str:
    return (await parcours.sign_in(identifier, password)).account_ref


async def school_records(dependencies) -> list:
    async with dependencies.sessions() as session:
        return [(g.id, g.email, g.mobile) for g in (await session.scalars(select(GuardianRecord))).all()]


async def test_a_link_opened_while_a_slow_mail_server_answers_waits_for_it(time_env, settings):
    """The link leaves inside the request's activity (the old address's notice after it). When the
    mail server is slow to answer, the worker takes new updates while the activity runs (it renews
    its workflow task every few seconds): an opening then came before the journey had recorded its
    link and was refused « pas possible à cette étape ». It now waits for the link and is answered
    as any other."""
    with SmtpServer() as smtp:
        over_smtp = settings.model_copy(update={"mail_provider": "smtp", "smtp_host": "127.0.0.1",
                                                "smtp_port": smtp.port})
        async with running_parcours(time_env.client, over_smtp, update_with_start=False) as (parcours, _):
            journey = await parcours.email_change(await signed_in(parcours))
            smtp.holder.hold_next()  # the link is in, the activity that sent it not yet answered
            requesting = asyncio.create_task(journey.request_change(NEW, NEW))
            await asyncio.to_thread(smtp.holder.wait_holding, 30)
            link = urlparse(re.search(r"http\S+", smtp.messages[0].get_content()).group(0))
            opening = asyncio.create_task(journey.open_link(parse_qs(link.query)["jeton"][0]))
            # Past the workflow task's renewal (80 % of its 10 s timeout): the opening has reached
            # the journey, whose link is still on its way.
            await asyncio.sleep(SLOW_MAIL_SERVER_SECONDS)
            assert not opening.done()
            smtp.holder.release()
            requested, opened = await asyncio.wait_for(asyncio.gather(requesting, opening), 30)
    assert requested.status == "accepted"
    assert (opened.status, opened.step.state, opened.step.identifier) == ("accepted", "link_sent", "s.bernard1")

async def test_change_of_a_confirmed_address(parcours, harness, inbox):
    """R-CON-2 (confirmed case), R-CON-3 (link to the new address, notice to the old one), R-CON-4
    (pending shown), R-CON-5 (the link shows identifier, old and new; confirming switches), R-CON-9."""
    _, dependencies = harness
    records = await school_records(dependencies)
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    outcome = await journey.request_change(NEW, NEW.upper())
    assert outcome.step.state == "link_sent" and "Vous devez confirmer votre adresse mail" in outcome.message
    view = await parcours.account_view(account_ref)
    assert view.email == "sophie.bernard@example.org" and view.pending_email == NEW
    confirmation = [m for m in inbox.messages() if m["to"] == NEW]
    notice = [m for m in inbox.messages() if m["to"] == "sophie.bernard@example.org"]
    assert len(confirmation) == 1
    assert "s.bernard1" in confirmation[0]["body"] and "/mon-compte/email/confirmer?" in confirmation[0]["body"]
    assert len(notice) == 1
    assert "s****************@example.org" not in notice[0]["body"] and "doit être confirmée" in notice[0]["body"]
    token = last_link_token(inbox, NEW)
    opened = await journey.open_link(token)
    shown = (opened.step.identifier, opened.step.old_email, opened.step.new_email)
    assert shown == ("s.bernard1", "sophie.bernard@example.org", NEW)
    assert (await parcours.account_view(account_ref)).email == "sophie.bernard@example.org"  # opening changes nothing
    outcome = await journey.confirm(token, account_ref)
    assert outcome.step.state == "confirmed"
    view = await parcours.account_view(account_ref)
    assert (view.email, view.email_status, view.pending_email) == (NEW, "confirmed", None)
    assert await school_records(dependencies) == records  # R-CON-9


async def test_first_address_for_an_account_without_one(parcours, inbox):
    """R-CON-2 (no email): a student without an address; no notice since there is no old one."""
    account_ref = await signed_in(parcours, "h.dupont1")
    journey = await parcours.email_change(account_ref)
    await journey.request_change("hugo@example.org", "hugo@example.org")
    assert [m["to"] for m in inbox.messages()] == ["hugo@example.org"]
    token = last_link_token(inbox, "hugo@example.org")
    await journey.confirm(token, account_ref)
    assert (await parcours.account_view(account_ref)).email_status == "confirmed"


async def test_new_request_replaces_a_pending_one(parcours, inbox):
    """R-CON-2 (pending case), R-CON-6: the older link stops working at once; one journey only."""
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    await journey.request_change(NEW, NEW)
    first_token = last_link_token(inbox, NEW)
    again = await parcours.email_change(account_ref)
    assert again.journey_id == journey.journey_id == f"email-change/{account_ref}"
    await again.request_change("autre@example.org", "autre@example.org")
    assert (await parcours.account_view(account_ref)).pending_email == "autre@example.org"
    assert (await journey.confirm(first_token, account_ref)).status == "link_invalid"
    assert (await journey.confirm(last_link_token(inbox, "autre@example.org"), account_ref)).status == "accepted"
    assert (await parcours.account_view(account_ref)).email == "autre@example.org"


async def test_expired_link_leaves_the_confirmed_address(parcours, inbox, time_env):
    """R-CON-8: 24 h later the link is refused and the old confirmed address is still the one."""
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    await journey.request_change(NEW, NEW)
    await time_env.sleep(timedelta(hours=24, minutes=1))
    assert (await journey.current_step()).state == "expired"
    view = await parcours.account_view(account_ref)
    assert (view.email, view.pending_email) == ("sophie.bernard@example.org", None)


async def test_resend_the_link_with_cooldown_and_cap(parcours, inbox, time_env):
    """R-CON-4 « Renvoyer le mail »: cooldown and cap apply; each resend voids the previous link."""
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    requested = await journey.request_change(NEW, NEW)
    too_soon = await journey.resend_link()
    assert too_soon.status == "resend_refused"
    assert too_soon.step.deadlines.resend_available_at == too_soon.retry_at  # a screen counts down to it
    assert requested.step.deadlines.resend_available_at is not None
    first = last_link_token(inbox, NEW)
    for _ in range(4):
        await time_env.sleep(61)
        assert (await journey.resend_link()).status == "accepted"
    await time_env.sleep(61)
    assert (await journey.resend_link()).status == "resend_refused"
    assert len([m for m in inbox.messages() if m["to"] == NEW]) == 5
    assert (await journey.open_link(first)).status == "link_invalid"


async def test_confirming_needs_the_signed_in_account(parcours, harness, inbox):
    """R-CON-5: the link alone is not enough; another signed-in account is refused."""
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    await journey.request_change(NEW, NEW)
    someone_else = await signed_in(parcours, "l.martin1")
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.confirm(last_link_token(inbox, NEW), someone_else)
    assert refused.value.reason == "wrong_account" and refused.value.errors[0].field == "signed_in_account_ref"
    assert (await parcours.account_view(account_ref)).email == "sophie.bernard@example.org"


async def test_bad_requests_name_the_field_and_change_nothing(parcours, inbox):
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    with pytest.raises(ValidationError, match="confirmation"):
        await journey.request_change(NEW, "autre@example.org")
    with pytest.raises(ValidationError, match="new_email"):
        await journey.request_change("pas-une-adresse", "pas-une-adresse")
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.request_change("Sophie.Bernard@example.org", "sophie.bernard@example.org")
    assert refused.value.reason == "same_as_current" and refused.value.errors[0].field == "new_email"
    assert inbox.messages() == [] and (await journey.current_step()).state == "change_to_request"
