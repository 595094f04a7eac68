"""Sign-in (failures capped, one error for unknown identifier and wrong password) and the
password change of « Mon compte » (R-CON-1)."""

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from parcours.client import JourneyActionRejected
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import Account
from parcours.security.crypto import verify_password

SOPHIE = "s.bernard1"
NEW_PASSWORD = "Nouveau-Cartable-7!"


async def test_sign_in_returns_the_account(parcours):
    result = await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)
    assert result.status == "signed_in" and result.identifier == SOPHIE and result.account_ref


async def test_unknown_identifier_and_wrong_password_get_the_same_answer(parcours):
    unknown = await parcours.sign_in("z.nobody1", DEMO_ACTIVE_PASSWORD)
    wrong = await parcours.sign_in(SOPHIE, "Wrong-Password-1!")
    assert unknown.status == wrong.status == "invalid"
    assert unknown.message == wrong.message == "Identifiant ou mot de passe incorrect."
    assert unknown.account_ref is None and wrong.account_ref is None


async def test_failures_are_capped_then_locked(parcours, settings):
    for _ in range(settings.sign_in_max_failures - 1):
        assert (await parcours.sign_in(SOPHIE, "Wrong-Password-1!")).status == "invalid"
    locked = await parcours.sign_in(SOPHIE, "Wrong-Password-1!")
    assert locked.status == "locked" and locked.retry_at is not None and "bloqué" in locked.message
    paris = locked.retry_at.astimezone(ZoneInfo("Europe/Paris"))  # the user's zone (workflow code, sandboxed)
    assert f"jusqu'à {paris:%H:%M}." in locked.message and "UTC" not in locked.message
    assert (await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)).status == "locked"  # even the right one


async def test_lock_ends_after_the_lockout(parcours, settings, time_env):
    for _ in range(settings.sign_in_max_failures):
        await parcours.sign_in(SOPHIE, "Wrong-Password-1!")
    await time_env.sleep(settings.sign_in_lockout.total_seconds() + 1)
    assert (await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)).status == "signed_in"


async def test_malformed_identifier_names_the_field(parcours):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="identifier"):
        await parcours.sign_in("robert'); DROP TABLE accounts;--", "x")


async def test_password_change_then_notice(harness, inbox):
    """R-CON-1: current password, new one twice, policy; a notice goes to the confirmed contact."""
    parcours, dependencies = harness
    signed_in = await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)
    journey = await parcours.start_password_change(signed_in.account_ref)
    policy = (await journey.current_step()).password_policy  # the screen's criteria
    assert policy is not None and "uppercase" in [criterion.key for criterion in policy.criteria]
    outcome = await journey.change_password(DEMO_ACTIVE_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status == "accepted" and outcome.step.state == "changed"
    assert outcome.step.password_policy is None  # nothing more to choose
    assert "prochaine connexion" in outcome.message
    [notice] = inbox.messages()
    assert notice["to"] == "sophie.bernard@example.org" and "a été modifié" in notice["body"]
    assert "si vous n'êtes pas à l'origine" in notice["body"].lower()
    assert (await parcours.sign_in(SOPHIE, NEW_PASSWORD)).status == "signed_in"
    assert (await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)).status == "invalid"
    async with dependencies.sessions() as session:
        account = await session.scalar(select(Account).where(Account.identifier == SOPHIE))
    assert verify_password(account.password_hash, NEW_PASSWORD)


async def test_password_change_refusals_name_the_field_and_change_nothing(parcours, inbox):
    """R-CON-1: policy and confirmation checked before anything is written."""
    signed_in = await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)
    journey = await parcours.start_password_change(signed_in.account_ref)
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.change_password(DEMO_ACTIVE_PASSWORD, "court", "court")
    assert refused.value.reason == "password_policy" and refused.value.errors[0].field == "new_password"
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.change_password(DEMO_ACTIVE_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert refused.value.reason == "password_confirmation"
    with pytest.raises(JourneyActionRejected) as refused:
        await journey.change_password(DEMO_ACTIVE_PASSWORD, DEMO_ACTIVE_PASSWORD, DEMO_ACTIVE_PASSWORD)
    assert refused.value.reason == "same_password"
    outcome = await journey.change_password("Pas-Le-Bon-1!", NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status == "wrong_password" and outcome.step.state == "password_to_change"
    assert inbox.messages() == []
    assert (await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)).status == "signed_in"


async def test_password_change_refused_for_franceconnect_accounts(harness):
    """R-CON-1 / R-REC-6: a FranceConnect account has no password here; sent to the FAQ."""
    parcours, dependencies = harness
    async with dependencies.sessions() as session:
        ref = await session.scalar(select(Account.ref).where(Account.franceconnect_subject.is_not(None)))
    journey = await parcours.start_password_change(ref)
    outcome = await journey.change_password("Quelconque-1!", NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status == "franceconnect" and "https://franceconnect.gouv.fr/faq" in outcome.message
    assert outcome.step.finished


async def test_one_live_password_change_per_account(parcours):
    signed_in = await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)
    first = await parcours.start_password_change(signed_in.account_ref)
    second = await parcours.start_password_change(signed_in.account_ref)
    assert first.journey_id == second.journey_id == f"password-change/{signed_in.account_ref}"
    first_run = (await first.handle.describe()).run_id
    assert (await second.handle.describe()).run_id == first_run


async def test_a_failed_check_retried_after_its_commit_is_counted_once(harness):
    """The COMMIT of a failed check reached the database, its answer did not: the retried activity
    (same attempt key) answers as the check did and counts nothing more — one below the cap, the
    retry is not the failure that locks the account. Sign-in, password change and merge alike."""
    from datetime import datetime, timedelta

    from temporalio.testing import ActivityEnvironment

    from parcours.activities.children import ChildrenActivities
    from parcours.activities.credentials import CredentialActivities
    from parcours.contracts.activities import ChangePasswordRequest, MergeRequest, VerifySignInRequest

    parcours, dependencies = harness
    account_ref = (await parcours.sign_in(SOPHIE, DEMO_ACTIVE_PASSWORD)).account_ref
    wrong, policy = "Pas-Le-Bon-1!", dict(now=datetime.now(UTC), max_failures=2, lockout=timedelta(minutes=15))
    credentials, children = CredentialActivities(dependencies), ChildrenActivities(dependencies)
    checks = [
        (SOPHIE, credentials.verify_sign_in,
         lambda key: VerifySignInRequest(identifier=SOPHIE, password=wrong, attempt_key=key, **policy)),
        (SOPHIE, credentials.change_password,
         lambda key: ChangePasswordRequest(journey_id="password-change/x", account_ref=account_ref,
                                           current_password=wrong, new_password=NEW_PASSWORD, attempt_key=key,
                                           **policy)),
        ("s.bernard2", children.merge_accounts,
         lambda key: MergeRequest(journey_id="account-merge/x", account_ref=account_ref, other_identifier="s.bernard2",
                                  other_password=wrong, attempt_key=key, **policy)),
    ]

    async def account(identifier) -> Account:
        async with dependencies.sessions() as session:
            return await session.scalar(select(Account).where(Account.identifier == identifier))

    for identifier, activity, request in checks:
        async with dependencies.sessions.begin() as session:  # the earlier round's lock lifted
            await session.execute(update(Account).values(sign_in_locked_until=None, failed_sign_ins=0))
        first = await ActivityEnvironment().run(activity, request(f"{activity.__name__}/1"))
        retried = await ActivityEnvironment().run(activity, request(f"{activity.__name__}/1"))
        assert retried == first and (await account(identifier)).failed_sign_ins == 1, activity.__name__
        assert (await account(identifier)).sign_in_locked_until is None
        await ActivityEnvironment().run(activity, request(f"{activity.__name__}/2"))  # another check: it counts
        assert (await account(identifier)).sign_in_locked_until is not None, activity.__name__  # the cap (2) reached
