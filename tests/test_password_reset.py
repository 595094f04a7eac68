"""Lost password journeys (R-REC-3, R-REC-4) by mail link and by SMS code on the time-skipping server."""

import asyncio
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.testing import running_parcours
from tests.receivers import SmtpServer
from tests.recovery_helpers import NEW_PASSWORD, SOPHIE, link_token
from tests.waiting import settled

# -- lost password by mail ----------------------------------------------------------------------

async def test_password_reset_by_mail_link(parcours, inbox):
    """R-REC-3: a single-use link; opening it shows the identifier and consumes nothing; the new
    password follows the policy; a notice follows the reset."""
    journey, outcome = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    assert outcome.status == "accepted" and "valable 60 min" in outcome.message
    step = await settled(journey)
    assert step.state == "link_sent" and step.deadlines.link_expires_at is not None
    journey_id, token = link_token(inbox)
    assert journey_id == journey.journey_id
    for _ in range(2):  # a mail scanner opening the link first does not use it up
        opened = await journey.open_link(token)
        assert opened.status == "accepted" and opened.step.identifier == "s.bernard1"
    assert step.password_policy is None and opened.step.password_policy.min_length == 8  # the screen's criteria
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password(token, "faible", "faible")
    assert refused.value.reason == "password_policy"
    outcome = await journey.choose_password(token, NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.step.state == "password_reset"
    assert (await parcours.sign_in("s.bernard1", NEW_PASSWORD)).status == "signed_in"
    assert "a été modifié" in inbox.messages()[-1]["body"]


async def test_a_link_opened_before_the_journey_has_it_waits_for_it(time_env, settings):
    """The link leaves inside the preparation's activity: a mail scanner (or a quick hand) can open
    it before the activity's result reaches the journey. The opening waits for the journey and is
    answered as any other, instead of calling a good link invalid."""
    with SmtpServer() as smtp:
        over_smtp = settings.model_copy(update={"mail_provider": "smtp", "smtp_host": "127.0.0.1",
                                                "smtp_port": smtp.port})
        async with running_parcours(time_env.client, over_smtp, update_with_start=False) as (parcours, _):
            smtp.holder.hold_next()  # the mail is in, the activity that sent it not yet answered
            journey, outcome = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
            assert outcome.status == "accepted"
            await asyncio.to_thread(smtp.holder.wait_holding, 30)
            link = urlparse(re.search(r"http\S+", smtp.messages[0].get_content()).group(0))
            assert (await journey.current_step()).state == "request_received"
            opening = asyncio.create_task(journey.open_link(parse_qs(link.query)["jeton"][0]))
            await asyncio.sleep(1)  # long enough for a refusal to have come back
            assert not opening.done()
            smtp.holder.release()
            opened = await asyncio.wait_for(opening, 30)
    assert (opened.status, opened.step.state, opened.step.identifier) == ("accepted", "password_to_choose",
                                                                          "s.bernard1")


async def test_reset_link_reuse_is_refused(parcours, inbox):
    """R-REC-3: single use — a second submission with the same link changes nothing."""
    journey, _ = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    await settled(journey)
    _, token = link_token(inbox)
    await journey.open_link(token)
    await journey.choose_password(token, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password(token, "Autre-Cartable-8!", "Autre-Cartable-8!")
    assert refused.value.reason == "journey_finished"
    assert (await parcours.sign_in("s.bernard1", NEW_PASSWORD)).status == "signed_in"


async def test_wrong_token_is_refused(parcours, inbox):
    journey, _ = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    await settled(journey)
    outcome = await journey.open_link("x" * 43)
    assert outcome.status == "link_invalid" and outcome.step.state == "link_sent"


async def test_reset_link_expires_after_one_hour(parcours, inbox, time_env):
    """R-REC-3: the link is valid 1 h (setting); after that the password does not change."""
    journey, _ = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    await settled(journey)
    _, token = link_token(inbox)
    await time_env.sleep(timedelta(minutes=59))
    assert (await journey.open_link(token)).status == "accepted"
    await time_env.sleep(timedelta(minutes=2))
    assert (await journey.current_step()).state == "link_expired"
    with pytest.raises(JourneyActionRejected):
        await journey.choose_password(token, NEW_PASSWORD, NEW_PASSWORD)
    assert (await parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)).status == "signed_in"


async def test_second_reset_request_voids_the_first_link(parcours, inbox):
    """One live reset per account: a newer request voids the older link and ends its journey."""
    first, _ = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    await settled(first)
    _, first_token = link_token(inbox)
    second, _ = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    await settled(second)
    _, second_token = link_token(inbox)
    assert (await settled(first, leaving="link_sent")).state == "superseded"
    with pytest.raises(JourneyActionRejected):
        await first.open_link(first_token)
    assert (await second.open_link(first_token)).status == "link_invalid"
    assert (await second.open_link(second_token)).status == "accepted"


async def test_reset_needs_the_accounts_own_confirmed_email(parcours, inbox):
    """R-REC-3/R-REC-5: a wrong email, an unknown identifier or no confirmed email sends nothing,
    and the answer and steps are the same as for a match (R-REC-7)."""
    _, matched = await parcours.start_password_reset({"channel": "mail", **SOPHIE})
    for request in ({"identifier": "s.bernard1", "email": "other@example.org"},
                    {"identifier": "z.nobody1", "email": "sophie.bernard@example.org"},
                    {"identifier": "h.dupont1", "email": "hugo@example.org"}):
        journey, outcome = await parcours.start_password_reset({"channel": "mail", **request})
        assert outcome.message == matched.message
        assert (await settled(journey)).state == "link_sent"
    assert len(inbox.messages()) == 1


async def test_franceconnect_account_reset_gets_the_faq(parcours, inbox):
    """R-REC-6: its password is not managed here; the mail points to the FranceConnect FAQ."""
    journey, _ = await parcours.start_password_reset({"channel": "mail", "identifier": "m.petit1",
                                                      "email": "marc.petit@example.org"})
    await settled(journey)
    [mail] = inbox.messages()
    assert "https://franceconnect.gouv.fr/faq" in mail["body"] and "http://localhost" not in mail["body"]


# -- lost password by SMS -----------------------------------------------------------------------

async def test_password_reset_by_sms_code(parcours, inbox):
    """R-REC-4: identifier -> a code by SMS to the confirmed mobile (valid 30 min), then the new
    password under the policy; a notice follows."""
    journey, outcome = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
    assert outcome.status == "accepted" and "30 min" in outcome.message
    step = await settled(journey)
    assert step.state == "code_sent" and "J'indique le code d'activation reçu par SMS (valable 30min)" in step.messages
    [sms] = inbox.messages()
    assert sms["to"] == "+33655443322"
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    outcome = await journey.submit_code(code)
    assert outcome.step.state == "password_to_choose" and outcome.step.expected_input == ["choose_password"]
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.choose_password(None, "motdepasse", "motdepasse")
    assert refused.value.reason == "password_policy"
    assert (await journey.choose_password(None, NEW_PASSWORD, NEW_PASSWORD)).step.state == "password_reset"
    assert (await parcours.sign_in("s.bernard1", NEW_PASSWORD)).status == "signed_in"
    assert "a été modifié" in inbox.messages()[-1]["body"]


async def test_reset_code_expires_after_30_minutes(parcours, inbox, time_env):
    """R-REC-4: valid 30 min; then only a new code helps."""
    journey, _ = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
    await settled(journey)
    code = re.search(r"\b(\d{6})\b", inbox.messages()[-1]["body"]).group(1)
    await time_env.sleep(timedelta(minutes=30, seconds=1))
    assert (await journey.current_step()).state == "code_expired"
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.submit_code(code)
    assert refused.value.reason == "code_expired"
    assert (await journey.resend_code()).step.state == "code_sent"
    new_code = re.search(r"\b(\d{6})\b", inbox.messages()[-1]["body"]).group(1)
    assert (await journey.submit_code(new_code)).step.state == "password_to_choose"


async def test_reset_code_wrong_tries_as_in_activation(parcours, inbox):
    """R-REC-4: the same tries rule as activation (5, then void)."""
    journey, _ = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
    await settled(journey)
    code = re.search(r"\b(\d{6})\b", inbox.messages()[-1]["body"]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        assert (await journey.submit_code(wrong)).status == "code_incorrect"
    assert (await journey.submit_code(wrong)).step.state == "code_void"


async def test_reset_by_sms_without_a_confirmed_mobile_looks_the_same(parcours, inbox):
    """R-REC-5/R-REC-7: no confirmed mobile (a student) or no such identifier: the same answer and
    the same code step, but no SMS, and no code can succeed."""
    matched_journey, matched = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
    await settled(matched_journey)
    inbox_before = len(inbox.messages())
    for identifier in ("l.martin1", "z.nobody1"):
        journey, outcome = await parcours.start_password_reset({"channel": "sms", "identifier": identifier})
        assert outcome.message == matched.message
        step = await settled(journey)
        assert step.state == "code_sent" and step.code_tries_left == 5
        assert (await journey.submit_code("123456")).status == "code_incorrect"
    assert len(inbox.messages()) == inbox_before
