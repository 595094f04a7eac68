"""At most one live activation, and one live password reset, per account, whatever the order in
which journeys match, send and retry: a journey becomes the account's live one in the transaction
that issues its code (activities/claims.py), and is told which journey it displaced, to supersede.
The activities are called directly, on the suite's database, in the orders that left two journeys
live when the account was claimed at the identity match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from parcours.activities.accounts import AccountActivities
from parcours.activities.claims import ACTIVATION_CLAIM, PASSWORD_RESET_CLAIM
from parcours.activities.codes import CodeActivities
from parcours.activities.recovery import RecoveryActivities
from parcours.client import JourneyActionRejected
from parcours.contracts.activities import (
    JOURNEY_DISPLACED,
    CodeIssued,
    CodePurpose,
    IdentityMatch,
    MatchIdentityRequest,
    PreparedReset,
    PrepareResetRequest,
    SendCodeRequest,
)
from parcours.contracts.common import Channel
from parcours.db.models import JourneyClaim, VerificationCode
from parcours.testing import demo_dependencies, running_parcours
from tests.activation_helpers import CAMILLE_SMS
from tests.waiting import settled

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PAST_THE_HOUR = timedelta(minutes=61)  # the destination's one SMS an hour is available again
A, B, C, D = (f"activation/{name}" for name in "abcd")


@pytest.fixture
def one_an_hour(settings):
    """One SMS an hour per number: the second send within the hour is refused."""
    return settings.model_copy(update={"sms_per_destination_per_hour": 1})


@pytest.fixture
async def deps(one_an_hour):
    async with demo_dependencies(one_an_hour) as dependencies:
        yield dependencies


async def match(deps, journey_id: str) -> IdentityMatch:
    request = MatchIdentityRequest(journey_id=journey_id, channel=Channel.SMS, last_name="Martin",
                                   first_name="Camille", destination="+33612345678")
    return await ActivityEnvironment().run(AccountActivities(deps).match_identity, request)


async def send(deps, journey_id: str, account_ref: str | None, at: datetime, *, sequence: int = 1,
               purpose: CodePurpose = CodePurpose.ACTIVATION) -> CodeIssued:
    request = SendCodeRequest(journey_id=journey_id, sequence=sequence, purpose=purpose, account_ref=account_ref,
                              channel=Channel.SMS, issued_at=at, expires_at=at + timedelta(minutes=30),
                              max_wrong_tries=5, decoy_when_limited=purpose is CodePurpose.PASSWORD_RESET_CODE)
    return await ActivityEnvironment().run(CodeActivities(deps).send_verification_code, request)


def told(match_or_reset: IdentityMatch | PreparedReset, issued: CodeIssued) -> str | None:
    """The journey a journey signals `supersede` once its code is out, as the workflows read it."""
    return match_or_reset.superseded_journey_id or issued.displaced_journey_id


async def holder(deps, kind: str) -> str | None:
    async with deps.sessions() as session:
        return await session.scalar(select(JourneyClaim.journey_id).where(JourneyClaim.kind == kind))


async def journeys_with_a_valid_code(deps, purpose: CodePurpose) -> list[str]:
    async with deps.sessions() as session:
        return list((await session.scalars(select(VerificationCode.journey_id).where(
            VerificationCode.purpose == purpose, VerificationCode.account_id.is_not(None),
            VerificationCode.voided_at.is_(None), VerificationCode.consumed_at.is_(None)))).all())


async def test_a_journey_whose_code_is_refused_displaces_nobody_and_one_activation_stays_live(deps):
    """A, B, C match in that order; C sends its code; B's send is refused (the number's cap), A's
    goes out an hour later. The journeys whose code went out: A is the live one (valid code, the
    claim), C is told it was superseded; B, whose code never went out, displaced nobody."""
    matches = {journey: await match(deps, journey) for journey in (A, B, C)}
    account_ref = matches[A].account_ref
    c_sent = await send(deps, C, account_ref, NOW)
    with pytest.raises(ApplicationError, match="destination_limited"):
        await send(deps, B, account_ref, NOW + timedelta(minutes=1))
    a_sent = await send(deps, A, account_ref, NOW + PAST_THE_HOUR)
    superseded = {told(matches[C], c_sent), told(matches[A], a_sent)} - {None}
    assert superseded == {C}
    assert await journeys_with_a_valid_code(deps, CodePurpose.ACTIVATION) == [A]
    assert await holder(deps, ACTIVATION_CLAIM) == A


async def test_a_retried_send_answers_the_same_and_a_displaced_journey_cannot_take_the_account_back(deps):
    """A's code goes out, then C's, which takes the account over (A is told to end). A's first
    send retried (its answer lost) answers as it did; A's retried match and its resend (a new
    code) leave the account C's, with C's code the only valid one."""
    matches = {journey: await match(deps, journey) for journey in (A, C)}
    account_ref = matches[A].account_ref
    a_first = await send(deps, A, account_ref, NOW)
    c_first = await send(deps, C, account_ref, NOW + PAST_THE_HOUR)
    assert told(matches[C], c_first) == A
    assert await send(deps, A, account_ref, NOW) == a_first  # a retry: the same code, nobody displaced
    assert (await match(deps, A)).superseded_journey_id is None
    with pytest.raises(ApplicationError) as refused:
        await send(deps, A, account_ref, NOW + 2 * PAST_THE_HOUR, sequence=2)
    assert refused.value.type == JOURNEY_DISPLACED and refused.value.non_retryable
    assert await holder(deps, ACTIVATION_CLAIM) == C
    assert await journeys_with_a_valid_code(deps, CodePurpose.ACTIVATION) == [C]
    d_first = await send(deps, D, account_ref, NOW + 3 * PAST_THE_HOUR)  # a newer journey still takes it over
    assert d_first.displaced_journey_id == C and await holder(deps, ACTIVATION_CLAIM) == D


async def test_the_live_reset_is_the_one_whose_code_went_out_last_and_a_displaced_one_gets_a_decoy(deps, inbox):
    """R-REC-4: two resets by SMS for one account. The second's code goes out first, then the
    first's, which takes over; the second's resend gets a decoy (R-REC-7: the same answer as for
    no account), nothing is sent, and the account stays the first's."""
    first, second = "password-reset/first", "password-reset/second"
    prepared = {}
    for journey in (first, second):
        request = PrepareResetRequest(journey_id=journey, attempt=1, channel=Channel.SMS, identifier="s.bernard1",
                                      issued_at=NOW, expires_at=NOW + timedelta(hours=1),
                                      public_base_url="http://localhost:8000")
        prepared[journey] = await ActivityEnvironment().run(RecoveryActivities(deps).prepare_password_reset, request)
    account_ref = prepared[first].account_ref
    code = CodePurpose.PASSWORD_RESET_CODE
    second_sent = await send(deps, second, account_ref, NOW, purpose=code)
    first_sent = await send(deps, first, account_ref, NOW + PAST_THE_HOUR, purpose=code)
    assert told(prepared[second], second_sent) is None and told(prepared[first], first_sent) == second
    resent = await send(deps, second, account_ref, NOW + 2 * PAST_THE_HOUR, sequence=2, purpose=code)
    async with deps.sessions() as session:
        decoy = await session.get(VerificationCode, resent.code_id)
    assert decoy is not None and decoy.account_id is None and resent.displaced_journey_id is None
    assert len(inbox.messages()) == 2  # the two first codes
    assert await holder(deps, PASSWORD_RESET_CLAIM) == first
    assert await journeys_with_a_valid_code(deps, code) == [first]


async def test_a_journey_refused_its_code_supersedes_nobody_and_the_next_one_ends_the_live_one(time_env, one_an_hour,
                                                                                              inbox):
    """Through the workflows: A's code goes out; B's is refused (the number's hourly SMS is spent)
    and B stays at its identity step; an hour later C's goes out and ends A, not B. (Claimed at
    the identity match, B took the account from A and C ended B: A stayed live beside C.)"""
    async with running_parcours(time_env.client, one_an_hour, update_with_start=False) as (parcours, _):
        a, _ = await parcours.start_activation(CAMILLE_SMS)
        b, _ = await parcours.start_activation(None)
        with pytest.raises(JourneyActionRejected) as refused:
            await b.submit_identity(CAMILLE_SMS)
        assert refused.value.reason == "destination_limited"
        await time_env.sleep(PAST_THE_HOUR)
        c, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert outcome.status == "accepted"
        assert (await settled(a, leaving="code_expired")).state == "superseded"
        assert (await b.current_step()).state == "identity_to_check"
        assert (await c.submit_code(inbox.last_code())).status == "accepted"
