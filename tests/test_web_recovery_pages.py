"""« Identifiant oublié », « Mot de passe oublié » (the mailed link and the SMS code) and the
activation by notification letter, through the front end's pages without a browser (as
tests/test_web_pages.py): each screen drawn from the step, each refusal next to its field."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import SplitResult, urlsplit

import httpx
import pytest
from recovery_helpers import NEW_PASSWORD, SOPHIE
from web_helpers import described_by, post, seen, text_of, web_client

from parcours.db.demo import DEMO_PROVISIONAL_PASSWORD


@pytest.fixture
async def web(parcours, settings):
    async with web_client(parcours, settings) as client:
        yield client


async def page_once(web: httpx.AsyncClient, path: str, shows: str) -> httpx.Response:
    """The page once it shows `shows`: a request is answered before its message goes out (R-REC-7),
    the journey moves on in the background (the user's « Actualiser la page »)."""
    for _ in range(1000):  # up to ~10 s on a loaded machine
        page = await web.get(path)
        if shows in seen(page):
            return page
        await asyncio.sleep(0.01)
    raise AssertionError(f"{path} never showed {shows!r}: {seen(page)}")


async def finished_page(web: httpx.AsyncClient, path: str, told: httpx.Response) -> httpx.Response:
    """The journey's finished page: `told` (the page after the request) or a later one; a finished
    journey is shown once, then its page starts a new one."""
    again = "Faire une nouvelle demande"
    return told if again in seen(told) else await page_once(web, path, again)


async def messages_once(inbox, count: int) -> list[dict]:
    for _ in range(1000):
        if len(inbox.messages()) >= count:
            return inbox.messages()
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} message(s) expected, {len(inbox.messages())} sent")


async def mailed_link(inbox) -> SplitResult:
    """The reset link of the one mail sent, opened as soon as it arrives (the journey may not have
    recorded it yet: its opening waits for it, tests/test_password_reset.py)."""
    [mail] = await messages_once(inbox, 1)
    return urlsplit(re.search(r"http\S+", mail["body"]).group(0))


def without_csrf(page: httpx.Response) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page.text)


async def test_an_identifier_by_mail_answers_alike_whether_or_not_an_account_matches(web, inbox):
    page = await web.get("/identifiant-oublie")
    assert "Je choisis le mode de récupération de mon identifiant" in seen(page)
    refused = await post(web, "/identifiant-oublie/demande", page, channel="mail", email="pas-une-adresse")
    assert refused.status_code == 422 and text_of(refused.text, described_by(refused.text, "email"))
    assert 'value="pas-une-adresse"' in refused.text and inbox.messages() == []

    told = await post(web, "/identifiant-oublie/demande", refused, channel="mail", email=SOPHIE["email"])
    assert "un message contenant l'identifiant vient d'être envoyé" in seen(told)
    [mail] = await messages_once(inbox, 1)
    assert mail["to"] == SOPHIE["email"] and SOPHIE["identifier"] in mail["body"]
    known = await finished_page(web, "/identifiant-oublie", told)

    await post(web, "/identifiant-oublie/recommencer", known)
    page = await web.get("/identifiant-oublie")
    told = await post(web, "/identifiant-oublie/demande", page, channel="mail", email="personne@example.org")
    unknown = await finished_page(web, "/identifiant-oublie", told)
    assert without_csrf(unknown) == without_csrf(known)  # R-REC-7: nothing told apart
    assert len(inbox.messages()) == 1


async def test_a_password_reset_through_the_mailed_link(web, inbox):
    page = await web.get("/mot-de-passe-oublie")
    missing = await post(web, "/mot-de-passe-oublie/demande", page, identifier=SOPHIE["identifier"], channel="mail")
    assert missing.status_code == 422 and "requise" in text_of(missing.text, described_by(missing.text, "email"))

    told = await post(web, "/mot-de-passe-oublie/demande", missing, channel="mail", **SOPHIE)
    assert "Vérifiez vos mails" in seen(told) or "vient d'être envoyé" in seen(told)
    link = await mailed_link(inbox)
    assert link.path == "/mot-de-passe/nouveau"  # public_base_url's page: this front end's

    for _ in range(2):  # opening the link consumes nothing (a mail scanner opens it first)
        opened = await web.get(f"{link.path}?{link.query}")
        assert opened.status_code == 303 and opened.headers["location"] == "/mot-de-passe-oublie"
        form = await web.get(opened.headers["location"])
        assert text_of(form.text, "identifier") == SOPHIE["identifier"] and "À respecter :" in seen(form)
    token = re.search(r"jeton=([^&]+)", link.query).group(1)
    assert token not in form.text  # kept in the session: not in the page, nor in the address

    weak = await post(web, "/mot-de-passe-oublie/mot-de-passe", form, password="motdepasse", confirmation="motdepasse")
    assert weak.status_code == 422
    assert "Critère non respecté : Doit contenir 1 majuscule" in text_of(weak.text, "password-criteria")
    differ = await post(web, "/mot-de-passe-oublie/mot-de-passe", weak, password=NEW_PASSWORD, confirmation="Autre-7!x")
    assert text_of(differ.text, described_by(differ.text, "confirmation"))
    done = await post(web, "/mot-de-passe-oublie/mot-de-passe", differ, password=NEW_PASSWORD,
                      confirmation=NEW_PASSWORD)
    assert "Votre mot de passe a été réinitialisé" in seen(done)

    used = await web.get(f"{link.path}?{link.query}", follow_redirects=True)  # a second use is refused
    assert "Ce lien a déjà servi" in text_of(used.text, "resume-erreurs") and "jeton" not in str(used.url)
    cut = await web.get(link.path + "?parcours=password-reset", follow_redirects=True)
    assert "Ce lien n'est pas complet" in seen(cut)


async def test_a_password_reset_by_sms_code(web, inbox):
    page = await web.get("/mot-de-passe-oublie")
    await post(web, "/mot-de-passe-oublie/demande", page, identifier=SOPHIE["identifier"], channel="sms")
    code_page = await page_once(web, "/mot-de-passe-oublie", 'id="resend-countdown"')
    assert "J'indique le code d'activation reçu par SMS" in seen(code_page)
    assert "secondes" in text_of(code_page.text, "resend-countdown")
    too_soon = await post(web, "/mot-de-passe-oublie/renvoi", code_page)
    assert text_of(too_soon.text, "resend-error") and len(inbox.messages()) == 1

    [sms] = inbox.messages()
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    wrong = await post(web, "/mot-de-passe-oublie/code", code_page, code="000000" if code != "000000" else "111111")
    assert "aria-invalid" in wrong.text and text_of(wrong.text, described_by(wrong.text, "code"))
    form = await post(web, "/mot-de-passe-oublie/code", wrong, code=code)
    assert "Je choisis mon nouveau mot de passe" in seen(form) and 'id="identifier"' not in form.text
    done = await post(web, "/mot-de-passe-oublie/mot-de-passe", form, password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    assert "Votre mot de passe a été réinitialisé" in seen(done)


async def test_an_activation_by_notification_letter(web, inbox):
    page = await web.get("/activation-par-courrier")
    assert "mot de passe provisoire" in seen(page)
    wrong = await post(web, "/activation-par-courrier/identifiants", page, identifier="s.bernard2",
                       provisional_password="Pas-Le-Bon-1!")
    assert "Identifiant ou mot de passe incorrect" in text_of(wrong.text, "resume-erreurs")
    assert 'value="s.bernard2"' in wrong.text and "Pas-Le-Bon-1!" not in wrong.text

    details = await post(web, "/activation-par-courrier/identifiants", wrong, identifier="s.bernard2",
                         provisional_password=DEMO_PROVISIONAL_PASSWORD)
    assert text_of(details.text, "identifier") == "s.bernard2" and "À respecter :" in seen(details)
    no_email = await post(web, "/activation-par-courrier/details", details, password=NEW_PASSWORD,
                          confirmation=NEW_PASSWORD)
    assert "Une adresse mail valide est obligatoire" in text_of(no_email.text, described_by(no_email.text, "email"))
    weak = await post(web, "/activation-par-courrier/details", no_email, email="sophie.lycee@example.org",
                      password="motdepasse", confirmation="motdepasse")
    assert "Critère non respecté : Doit contenir 1 chiffre" in text_of(weak.text, "password-criteria")
    assert 'value="sophie.lycee@example.org"' in weak.text and "motdepasse" not in weak.text

    done = await post(web, "/activation-par-courrier/details", weak, email="sophie.lycee@example.org",
                      password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    assert "Votre compte a été activé avec succès" in seen(done) and text_of(done.text, "identifier") == "s.bernard2"


async def test_the_home_page_lists_the_new_journeys(web):
    home = seen(await web.get("/"))
    for title, url in (("Identifiant oublié", "/identifiant-oublie"), ("Mot de passe oublié", "/mot-de-passe-oublie"),
                       ("J'ai reçu une notification de l'école", "/activation-par-courrier")):
        assert f'<a href="{url}">{title}</a>' in home
