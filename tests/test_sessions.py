"""« Mon compte » needs a proof of sign-in: the session token sign-in gives. Expired, forged,
revoked and other accounts' tokens are refused, and a ref alone reads nothing."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from freezegun import freeze_time

from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_PROVISIONAL_PASSWORD
from parcours.http_api import create_app
from parcours.http_api.wording import SESSION_REFUSED
from parcours.security.sessions import Session, SessionRefused, SessionTokens
from tests.test_email_change import last_link_token

SOPHIE, LEA = "s.bernard1", "l.martin1"  # two of the demo's active accounts (a guardian, a student)
NEW_PASSWORD = "Nouveau-Cartable-7!"
LIFETIME = timedelta(minutes=30)


def test_a_token_names_its_account_and_generation():
    tokens = SessionTokens(b"k" * 32, LIFETIME)
    assert tokens.verify(tokens.issue(Session("acc-1", 3))) == Session("acc-1", 3)


@pytest.mark.parametrize("token, reason", [(None, "session_missing"), ("", "session_missing"),
                                           ("not-a-token", "session_invalid")])
def test_no_token_or_junk_is_refused(token, reason):
    with pytest.raises(SessionRefused) as refused:
        SessionTokens(b"k" * 32, LIFETIME).verify(token)
    assert refused.value.reason == reason


def test_a_token_forged_or_signed_with_another_key_is_refused():
    tokens = SessionTokens(b"k" * 32, LIFETIME)
    token = tokens.issue(Session("acc-1", 0))
    payload, signature = token.rsplit(".", 1)
    forged = tokens.issue(Session("acc-2", 0)).rsplit(".", 1)[0] + "." + signature  # another account's body
    for bad in (forged, payload + "." + signature[::-1], SessionTokens(b"x" * 32, LIFETIME).issue(Session("acc-1", 0))):
        with pytest.raises(SessionRefused) as refused:
            tokens.verify(bad)
        assert refused.value.reason == "session_invalid"


def test_a_token_expires_after_its_lifetime():
    tokens = SessionTokens(b"k" * 32, LIFETIME)
    with freeze_time("2026-12-04 08:00:00"):
        token = tokens.issue(Session("acc-1", 0))
    with freeze_time("2026-12-04 08:29:59"):
        assert tokens.verify(token).account_ref == "acc-1"
    with freeze_time("2026-12-04 08:30:02"), pytest.raises(SessionRefused) as refused:
        tokens.verify(token)
    assert refused.value.reason == "session_expired"


@pytest.fixture
async def api(parcours, settings):
    app = create_app(settings, parcours)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parcours") as client:
        yield client


async def sign_in(api, identifier: str, password: str = DEMO_ACTIVE_PASSWORD) -> dict:
    answer = (await api.post("/sign-ins", json={"identifier": identifier, "password": password})).json()
    assert answer["status"] == "signed_in" and answer["session_token"] and answer["session_expires_at"], answer
    return answer


def refused_with(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    problem = response.json()
    assert problem["reason"] == reason and problem["detail"] == SESSION_REFUSED[reason]
    assert "children" not in response.text and "identifier" not in problem


async def test_a_signed_in_session_reads_its_account_and_a_ref_alone_nothing(api):
    sophie = await sign_in(api, SOPHIE)
    account = f"/accounts/{sophie['account_ref']}"
    read = await api.get(account, headers={"Parcours-Session": sophie["session_token"]})
    assert read.status_code == 200 and read.json()["identifier"] == SOPHIE
    refused_with(await api.get(account), "session_missing")
    refused_with(await api.post(f"{account}/password-change"), "session_missing")  # starts nothing either
    refused_with(await api.get(account, headers={"Parcours-Session": "forged.token.value"}), "session_invalid")


async def test_another_accounts_token_is_refused(api):
    sophie, lea = await sign_in(api, SOPHIE), await sign_in(api, LEA)
    lea_session = {"Parcours-Session": lea["session_token"]}
    refused_with(await api.get(f"/accounts/{sophie['account_ref']}", headers=lea_session), "session_invalid")


async def test_an_expired_token_is_refused(api):
    with freeze_time(timedelta(minutes=-31), tick=True):  # signed in 31 min ago
        sophie = await sign_in(api, SOPHIE)
    refused_with(await api.get(f"/accounts/{sophie['account_ref']}",
                               headers={"Parcours-Session": sophie["session_token"]}), "session_expired")


async def test_a_password_change_revokes_the_sessions_given_before(api):
    before = await sign_in(api, SOPHIE)
    account, session = f"/accounts/{before['account_ref']}", {"Parcours-Session": before["session_token"]}
    assert (await api.post(f"{account}/password-change", headers=session)).status_code == 200
    changed = await api.post(f"{account}/password-change/password", headers=session, json={
        "current_password": DEMO_ACTIVE_PASSWORD, "new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert changed.json()["status"] == "accepted", changed.text
    refused_with(await api.get(account, headers=session), "session_revoked")
    after = await sign_in(api, SOPHIE, NEW_PASSWORD)
    assert (await api.get(account, headers={"Parcours-Session": after["session_token"]})).status_code == 200


async def test_a_merge_revokes_the_sessions_given_before(api):
    before = await sign_in(api, SOPHIE)
    account, session = f"/accounts/{before['account_ref']}", {"Parcours-Session": before["session_token"]}
    assert (await api.post(f"{account}/merge", headers=session)).status_code == 200
    merged = await api.post(f"{account}/merge/source", headers=session,
                            json={"identifier": "s.bernard2", "password": DEMO_PROVISIONAL_PASSWORD})
    assert merged.json()["status"] == "accepted", merged.text
    refused_with(await api.get(account, headers=session), "session_revoked")


async def test_the_session_names_the_account_that_confirms_an_address(api, inbox):
    """The email change's confirmation needs the signed-in account: over HTTP its session proves
    it, so the body may leave `signed_in_account_ref` out; the mailed link's route needs none."""
    sophie = await sign_in(api, SOPHIE)
    account, session = f"/accounts/{sophie['account_ref']}", {"Parcours-Session": sophie["session_token"]}
    assert (await api.post(f"{account}/email-change", headers=session)).status_code == 200
    requested = await api.post(f"{account}/email-change/request", headers=session, json={
        "new_email": "sophie.nouvelle@example.org", "confirmation": "sophie.nouvelle@example.org"})
    assert requested.json()["status"] == "accepted", requested.text
    token = last_link_token(inbox, "sophie.nouvelle@example.org")
    opened = await api.post(f"{account}/email-change/link", json={"token": token})  # from the mail: no session
    assert opened.json()["status"] == "accepted", opened.text
    refused_with(await api.post(f"{account}/email-change/confirmation", json={"token": token}), "session_missing")
    confirmed = await api.post(f"{account}/email-change/confirmation", headers=session, json={"token": token})
    assert confirmed.json()["status"] == "accepted" and confirmed.json()["step"]["state"] == "confirmed"
