"""« Mon compte » and « Mes enfants » through the front end's pages without a browser (as
tests/test_web_pages.py): the sign-in and its session, each screen drawn from the account or the
journey's step, each refusal next to its field. Sophie Bernard (`s.bernard1`, active) has Tom to
confirm at sign-in; `s.bernard2` is her other account, to merge."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from web_helpers import described_by, post, seen, text_of, web_client

from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_PROVISIONAL_PASSWORD

SOPHIE = "s.bernard1"
NEW_PASSWORD = "Nouveau-Cartable-7!"
NEW_EMAIL = "sophie.nouvelle@example.org"
TOM = "stu-tom-bernard"


@pytest.fixture
async def web(parcours, settings):
    async with web_client(parcours, settings) as client:
        yield client


async def sign_in(web: httpx.AsyncClient, identifier: str = SOPHIE, password: str = DEMO_ACTIVE_PASSWORD,
                  *, then: str = "/mon-compte") -> httpx.Response:
    """Signed in through the page, Tom confirmed when asked (R-KID-2): the page asked for."""
    page = await web.get(then, follow_redirects=True)  # the sign-in page
    landed = await post(web, "/connexion", page, identifier=identifier, password=password)
    if "Je confirme mes enfants" in seen(landed):
        landed = await post(web, "/mes-enfants/nouveaux", landed, student_ref=TOM, answer="oui",
                            birth_date="05 11 2015")
    return landed


def mailed_link(inbox, to: str) -> str:
    return re.search(r"http\S+", [m for m in inbox.messages() if m["to"] == to][-1]["body"]).group(0)


async def test_a_page_of_the_account_asks_for_a_sign_in_then_comes_back(web):
    asked = await web.get("/mes-enfants")
    assert asked.status_code == 303 and asked.headers["location"] == "/connexion"
    page = await web.get("/connexion")
    assert "Connectez-vous pour accéder à votre compte" in seen(page)

    malformed = await post(web, "/connexion", page, identifier="pas un identifiant", password="x")
    assert malformed.status_code == 422 and text_of(malformed.text, described_by(malformed.text, "identifier"))
    wrong = await post(web, "/connexion", page, identifier=SOPHIE, password="Mauvais-Mot-2026!")
    assert "Identifiant ou mot de passe incorrect" in seen(wrong) and "Mauvais-Mot" not in wrong.text

    new_children = await post(web, "/connexion", wrong, identifier=SOPHIE, password=DEMO_ACTIVE_PASSWORD)
    assert "Je confirme mes enfants" in seen(new_children) and "Tom" in seen(new_children)  # R-KID-2 first
    wrong_date = await post(web, "/mes-enfants/nouveaux", new_children, student_ref=TOM, answer="oui",
                            birth_date="01 01 2015")
    assert "La date de naissance saisie est incorrecte" in text_of(
        wrong_date.text, described_by(wrong_date.text, f"{TOM}-birth_date"))
    children = await post(web, "/mes-enfants/nouveaux", wrong_date, student_ref=TOM, answer="oui",
                          birth_date="05 11 2015")
    assert urlsplit(str(children.url)).path == "/mes-enfants"  # where the sign-in was going
    assert "05/11/2015" in seen(children) and "Lien confirmé" in seen(children)
    assert "Se déconnecter" in seen(children) and "session_token" not in children.text

    signed_out = await post(web, "/connexion/deconnexion", children)
    assert "Vous êtes déconnecté" in seen(signed_out)
    assert (await web.get("/mon-compte")).status_code == 303


async def test_too_many_failures_tell_when_the_lock_ends(web, settings):
    page = await web.get("/connexion")
    for _ in range(settings.sign_in_max_failures):
        locked = await post(web, "/connexion", page, identifier=SOPHIE, password="Mauvais-Mot-2026!")
    assert re.search(r"bloqué jusqu'à \d\d:\d\d", seen(locked)), seen(locked)
    still = await post(web, "/connexion", page, identifier=SOPHIE, password=DEMO_ACTIVE_PASSWORD)
    assert "bloqué" in seen(still) and "Se déconnecter" not in seen(still)


async def test_a_password_change_with_its_refusals_then_a_new_sign_in(web):
    await sign_in(web)
    page = await web.get("/mon-compte/mot-de-passe")
    assert "À respecter :" in seen(page)  # the criteria from the step
    wrong = await post(web, "/mon-compte/mot-de-passe", page, current_password="Mauvais-Mot-2026!",
                       password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    assert text_of(wrong.text, described_by(wrong.text, "current_password"))
    weak = await post(web, "/mon-compte/mot-de-passe", page, current_password=DEMO_ACTIVE_PASSWORD,
                      password="motdepasse", confirmation="motdepasse")
    assert weak.status_code == 422 and "Critère non respecté" in text_of(weak.text, "password-criteria")
    changed = await post(web, "/mon-compte/mot-de-passe", page, current_password=DEMO_ACTIVE_PASSWORD,
                         password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    assert urlsplit(str(changed.url)).path == "/connexion"  # the change revoked the session
    assert "Votre mot de passe a été modifié" in seen(changed)
    information = await sign_in(web, password=NEW_PASSWORD)
    assert text_of(information.text, "identifier") == SOPHIE


async def test_an_email_change_pending_then_confirmed_through_the_mailed_link(web, inbox):
    information = await sign_in(web)
    assert text_of(information.text, "email").startswith("sophie.bernard@example.org")
    page = await web.get("/mon-compte/email")
    mismatch = await post(web, "/mon-compte/email/demande", page, new_email=NEW_EMAIL, confirmation="autre@example.org")
    assert mismatch.status_code == 422 and text_of(mismatch.text, described_by(mismatch.text, "confirmation"))

    pending = await post(web, "/mon-compte/email/demande", page, new_email=NEW_EMAIL, confirmation=NEW_EMAIL)
    assert "Vous devez confirmer votre adresse mail" in seen(pending) and NEW_EMAIL in seen(pending)
    assert "data-countdown-until" in pending.text and "un nouveau mail" in text_of(pending.text, "resend-countdown")
    too_soon = await post(web, "/mon-compte/email/renvoi", pending)
    assert text_of(too_soon.text, "resend-error")
    shown = await web.get("/mon-compte")
    assert NEW_EMAIL in text_of(shown.text, "pending-email")

    link = mailed_link(inbox, NEW_EMAIL)
    assert link.startswith("http://localhost:8000/mon-compte/email/confirmer?")  # public_base_url's page
    opened = await web.get(link.removeprefix("http://localhost:8000"))
    assert opened.status_code == 303 and opened.headers["location"] == "/mon-compte/email/confirmer"  # token out
    confirm_page = await web.get(opened.headers["location"])
    assert text_of(confirm_page.text, "new-email") == NEW_EMAIL and text_of(confirm_page.text, "identifier") == SOPHIE
    confirmed = await post(web, "/mon-compte/email/confirmer", confirm_page)
    assert "Votre nouvelle adresse mail est enregistrée" in seen(confirmed)
    assert text_of(confirmed.text, "email") == NEW_EMAIL


async def test_a_link_opened_signed_out_asks_for_the_sign_in_then_confirms(web, inbox):
    await sign_in(web)
    page = await web.get("/mon-compte/email")
    await post(web, "/mon-compte/email/demande", page, new_email=NEW_EMAIL, confirmation=NEW_EMAIL)
    await post(web, "/connexion/deconnexion", page)
    await web.get(mailed_link(inbox, NEW_EMAIL).removeprefix("http://localhost:8000"))
    confirm_page = await web.get("/mon-compte/email/confirmer")
    assert "vous allez vous connecter avec l'identifiant s.bernard1" in seen(confirm_page)
    asked = await post(web, "/mon-compte/email/confirmer", confirm_page)
    assert "Connectez-vous au compte dont vous confirmez l'adresse mail" in seen(asked)
    back = await post(web, "/connexion", asked, identifier=SOPHIE, password=DEMO_ACTIVE_PASSWORD)
    assert "Confirmer ma nouvelle adresse mail" in seen(back)
    confirmed = await post(web, "/mon-compte/email/confirmer", back)
    assert text_of(confirmed.text, "email") == NEW_EMAIL

    forged = await web.get("/mon-compte/email/confirmer?parcours=email-change/x&jeton=" + "a" * 40)
    refused = await web.get(forged.headers["location"])
    assert "Confirmer ma nouvelle adresse mail" not in seen(refused)


async def test_a_mobile_change_by_sms_code(web, inbox):
    await sign_in(web)
    page = await web.get("/mon-compte/portable")
    wrong_number = await post(web, "/mon-compte/portable/demande", page, new_mobile="12")
    assert wrong_number.status_code == 422
    assert text_of(wrong_number.text, described_by(wrong_number.text, "new_mobile"))
    code_page = await post(web, "/mon-compte/portable/demande", page, new_mobile="06 11 22 33 44")
    assert "Renvoyer le SMS" in seen(code_page) and "data-countdown-until" in code_page.text
    code = inbox.last_code()
    wrong = await post(web, "/mon-compte/portable/code", code_page, code="000000" if code != "000000" else "111111")
    assert "aria-invalid" in wrong.text and text_of(wrong.text, described_by(wrong.text, "code"))
    done = await post(web, "/mon-compte/portable/code", wrong, code=code)
    assert urlsplit(str(done.url)).path == "/mon-compte" and text_of(done.text, "mobile").startswith("06 11 22 33 44")


async def test_report_a_link_then_merge_the_other_account(web):
    children = await sign_in(web, then="/mes-enfants")
    reported = await post(web, "/mes-enfants/signalement", children, student_ref=TOM)
    assert 'role="status"' in reported.text and "05/11/2015" not in seen(reported)  # Tom has left the list

    page = await web.get("/mes-enfants/regroupement")
    wrong = await post(web, "/mes-enfants/regroupement", page, identifier="s.bernard2", password="Mauvais-Mot-2026!")
    assert "Identifiant ou mot de passe incorrect" in seen(wrong)
    merged = await post(web, "/mes-enfants/regroupement", page, identifier="s.bernard2",
                        password=DEMO_PROVISIONAL_PASSWORD)
    assert urlsplit(str(merged.url)).path == "/connexion"  # a merge revokes the session
    again = await post(web, "/connexion", merged, identifier=SOPHIE, password=DEMO_ACTIVE_PASSWORD)
    assert "Je confirme mes enfants" in seen(again) and "Zoé B." in seen(again)  # the other account's student
