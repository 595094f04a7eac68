"""What a newcomer met beyond the first try (issue 21), through the pages without a browser: a
form's summary naming fields as the form does, a link cut short, a reset link used in two
sessions, a form sent twice, a finished journey left behind for the next person."""

from __future__ import annotations

import re

import httpx
import pytest
from activation_helpers import CAMILLE_SMS, GOOD_PASSWORD
from recovery_helpers import NEW_PASSWORD, SOPHIE
from test_web_recovery_pages import mailed_link
from web_helpers import post, seen, text_of, web_clients

API_FIELD_NAMES = re.compile(r"\b(last_name|first_name|mobile|birth_date|new_email|confirmation|new_mobile|"
                             r"identifier|token)\b")


@pytest.fixture
async def browsers(parcours, settings):
    async with web_clients(parcours, settings, 2) as clients:
        yield clients


async def at_the_password_step(web, inbox) -> httpx.Response:
    """Camille's activation page walked to the password step: code, then Léa's birth date."""
    page = await post(web, "/activation/identite", await web.get("/activation"), **CAMILLE_SMS)
    page = await post(web, "/activation/code", page, code=inbox.last_code())
    return await post(web, "/activation/enfants", page, student_ref="stu-lea-martin", answer="oui",
                      birth_date="02 03 2014")


def summary_of(html: str) -> str:
    return text_of(html, "resume-erreurs")


async def test_the_summary_names_the_fields_by_their_labels(browsers):
    web = browsers[0]
    page = await web.get("/activation")
    refused = await post(web, "/activation/identite", page, channel="sms", last_name="", first_name="", mobile="12")
    summary = summary_of(refused.text)
    assert summary.startswith("Certaines informations sont invalides : Nom, Prénom, N° de téléphone portable.")
    assert not API_FIELD_NAMES.search(summary), summary


async def test_the_confirmations_label_is_the_same_in_the_summary(browsers, inbox):
    web = browsers[0]
    page = await at_the_password_step(web, inbox)
    differ = await post(web, "/activation/mot-de-passe", page, password=GOOD_PASSWORD, confirmation="Autre-7!x")
    assert "Confirmation du nouveau mot de passe :" in summary_of(differ.text)
    assert '<label class="fr-label" for="confirmation">Confirmation du nouveau mot de passe' in differ.text


@pytest.mark.parametrize("link", ["/mon-compte/email/confirmer?parcours=email-change/acc-x&jeton=1",
                                  "/mot-de-passe/nouveau?parcours=password-reset/x&jeton=1",
                                  "/mot-de-passe/nouveau?parcours=password-reset"])
async def test_a_link_cut_short_is_told_alike_out_of_the_address_bar(browsers, link):
    web = browsers[0]
    opened = await web.get(link)
    assert opened.status_code == 303 and "jeton" not in opened.headers["location"]
    page = await web.get(opened.headers["location"])
    assert "Ce lien n'est pas complet" in seen(page) and "invalides" not in seen(page)


async def test_a_reset_link_used_in_another_session_says_this_password_was_not_set(browsers, inbox):
    first, second = browsers
    page = await first.get("/mot-de-passe-oublie")
    await post(first, "/mot-de-passe-oublie/demande", page, channel="mail", **SOPHIE)
    link = await mailed_link(inbox)
    forms = [await web.get(f"{link.path}?{link.query}", follow_redirects=True) for web in browsers]

    done = await post(first, "/mot-de-passe-oublie/mot-de-passe", forms[0], password=NEW_PASSWORD,
                      confirmation=NEW_PASSWORD)
    assert "Votre mot de passe a été réinitialisé" in seen(done)
    late = await second.post("/mot-de-passe-oublie/mot-de-passe", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', forms[1].text).group(1),
        "password": "Autre-Cartable-8!", "confirmation": "Autre-Cartable-8!"})
    assert late.status_code == 303 and "jeton" not in late.headers["location"]
    told = await second.get(late.headers["location"])
    assert "Votre mot de passe n'a pas été modifié" in summary_of(told.text)
    assert "réinitialisé" not in seen(told) and "Ce parcours" not in seen(told)
    assert 'action="/mot-de-passe-oublie/demande"' in told.text  # what to do: a new request, right there

    again = await second.get(f"{link.path}?{link.query}")  # opening the used link: told, token out of the address
    assert again.status_code == 303 and again.headers["location"] == "/mot-de-passe-oublie"
    assert "Ce lien a déjà servi" in summary_of((await second.get("/mot-de-passe-oublie")).text)


async def test_a_code_sent_twice_shows_the_next_step_without_an_error(browsers, inbox):
    web = browsers[0]
    code_page = await post(web, "/activation/identite", await web.get("/activation"), **CAMILLE_SMS)
    children = await post(web, "/activation/code", code_page, code=inbox.last_code())
    twice = await post(web, "/activation/code", code_page, code=inbox.last_code())
    assert twice.status_code == 200 and seen(twice) == seen(children)
    assert 'id="resume-erreurs"' not in twice.text and "pas possible" not in seen(twice)


async def test_a_finished_activation_is_shown_once_then_the_page_starts_afresh(browsers, inbox):
    web = browsers[0]
    page = await at_the_password_step(web, inbox)
    done = await post(web, "/activation/mot-de-passe", page, password=GOOD_PASSWORD, confirmation=GOOD_PASSWORD)
    assert "Votre compte a été activé avec succès" in seen(done)
    assert 'href="/connexion"' in done.text and 'href="/activation">Activer un autre compte' in done.text
    assert "Je confirme mon identité" in seen(await web.get("/activation"))  # the next parent starts here
    identifier = text_of(done.text, "identifier")
    assert f'value="{identifier}"' in (await web.get("/connexion")).text  # « Me connecter » names the account


async def test_an_account_already_active_is_told_once_with_its_ways_out_linked(browsers):
    web = browsers[0]
    sophie = {"channel": "sms", "last_name": "Bernard", "first_name": "Sophie", "mobile": "06 55 44 33 22"}
    told = await post(web, "/activation/identite", await web.get("/activation"), **sophie)
    assert seen(told).count("Votre compte est déjà activé") == 1
    for href in ("/connexion", "/identifiant-oublie", "/mot-de-passe-oublie"):
        assert f'href="{href}"' in told.text


async def test_mes_informations_shows_the_mobile_as_a_family_reads_it(browsers):
    web = browsers[0]
    await post(web, "/connexion", await web.get("/connexion"), identifier=SOPHIE["identifier"],
               password="Demo-Compte-2026!")
    shown = await web.get("/mon-compte")
    assert text_of(shown.text, "mobile").startswith("06 55 44 33 22")
