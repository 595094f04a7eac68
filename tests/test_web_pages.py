"""The reference front end's pages without a browser: httpx against the web app, itself talking
HTTP to the HTTP API in process (the API's own tests' way), on the time-skipping server. And its
boundary: it imports nothing from the rest of Parcours."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest
from activation_helpers import CAMILLE_MAIL, GOOD_PASSWORD
from web_helpers import described_by, post, seen, text_of, web_client

from parcours.web.app import SESSION_COOKIE, create_web_app
from parcours.web.settings import WebSettings

WEB = Path(__file__).resolve().parents[1] / "web"
CAMILLE = {"channel": "sms", "last_name": "Martin", "first_name": "Camille", "mobile": "06 12 34 56 78"}


def test_the_front_end_imports_nothing_of_parcours_but_itself():
    """An API layer: what it knows of journeys comes over HTTP, not from the service's modules."""
    for module in WEB.rglob("*.py"):
        if "node_modules" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith("parcours") or name.startswith("parcours.web"), f"{module}: {name}"


@pytest.fixture
async def web(parcours, settings):
    async with web_client(parcours, settings) as client:
        yield client


async def test_every_page_carries_the_security_headers(web):
    home = await web.get("/")
    assert home.status_code == 200 and "Je n'ai pas de compte" in seen(home)
    policy = home.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert home.headers["x-frame-options"] == "DENY" and home.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="fr"' in home.text and "<script>" not in home.text and "style=" not in home.text
    cookie = home.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()


async def test_a_form_without_its_csrf_token_is_refused_and_sends_nothing(web, inbox):
    await web.get("/activation")
    refused = await web.post("/activation/identite", data=CAMILLE)
    assert refused.status_code == 403 and "Formulaire expiré" in seen(refused)
    forged = await web.post("/activation/identite", data={**CAMILLE, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert inbox.messages() == []


async def test_an_activation_by_sms_in_the_browser_pages(web, inbox):
    page = await web.get("/activation")
    assert "Je confirme mon identité" in seen(page)

    refused = await post(web, "/activation/identite", page, **{**CAMILLE, "mobile": "12"})
    assert refused.status_code == 422
    assert text_of(refused.text, described_by(refused.text, "mobile")), "the mobile's error is next to it"
    assert 'href="#mobile"' in refused.text  # the summary links to the field
    assert inbox.messages() == []

    code_page = await post(web, "/activation/identite", refused, **CAMILLE)
    assert "Renvoyer le SMS" in seen(code_page) and "/activations/" not in code_page.text  # the ref stays in the cookie
    assert "data-countdown-until" in seen(code_page) and "secondes" in text_of(code_page.text, "resend-countdown")
    too_soon = await post(web, "/activation/renvoi", code_page)
    assert text_of(too_soon.text, "resend-error") and len(inbox.messages()) == 1

    wrong = await post(web, "/activation/code", code_page, code="000000" if inbox.last_code() != "000000" else "111111")
    assert "aria-invalid" in seen(wrong) and text_of(wrong.text, described_by(wrong.text, "code"))

    children = await post(web, "/activation/code", wrong, code=inbox.last_code())
    assert "Je ne suis pas le représentant légal de cet élève" in seen(children)
    wrong_date = await post(web, "/activation/enfants", children, student_ref="stu-lea-martin", answer="oui",
                            birth_date="01 01 2015")
    field = "stu-lea-martin-birth_date"
    told = text_of(wrong_date.text, described_by(wrong_date.text, field))
    assert "La date de naissance saisie est incorrecte" in told

    password_page = await post(web, "/activation/enfants", wrong_date, student_ref="stu-lea-martin", answer="oui",
                               birth_date="02 03 2014")
    identifier = text_of(password_page.text, "identifier")
    assert identifier.startswith("c.martin") and "À respecter :" in seen(password_page)
    weak = await post(web, "/activation/mot-de-passe", password_page, password="motdepasse", confirmation="motdepasse")
    assert weak.status_code == 422
    criteria = text_of(weak.text, "password-criteria")  # what the password field is described by
    assert "Critère non respecté : Doit contenir 1 majuscule" in criteria
    assert "Critère respecté : Doit contenir 1 minuscule" in criteria
    assert "motdepasse" not in weak.text  # a password is never written back into the page

    done = await post(web, "/activation/mot-de-passe", weak, password=GOOD_PASSWORD, confirmation=GOOD_PASSWORD)
    assert "Votre compte a été activé avec succès" in seen(done) and text_of(done.text, "identifier") == identifier


async def test_an_activation_by_mail_reporting_the_child(web, inbox):
    """« Je ne suis pas le représentant légal »: the link is reported, told as news on the next step."""
    page = await web.get("/activation")
    code_page = await post(web, "/activation/identite", page, **CAMILLE_MAIL)
    assert "Renvoyer le mail" in seen(code_page) and "reçu par mail" in seen(code_page)
    children = await post(web, "/activation/code", code_page, code=inbox.last_code())
    reported = await post(web, "/activation/enfants", children, student_ref="stu-lea-martin", answer="non")
    assert "Je choisis mon nouveau mot de passe" in seen(reported) and 'role="status"' in reported.text


async def test_the_dev_inbox_page_shows_the_sms_and_exists_only_when_given(web, inbox, settings):
    page = await web.get("/activation")
    await post(web, "/activation/identite", page, **CAMILLE)
    shown = await web.get("/dev/boite-de-reception")
    assert shown.status_code == 200 and inbox.last_code() in shown.text
    app = create_web_app(WebSettings(secret_key="k" * 32, cookie_secure=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://web") as alone:
        missing = await alone.get("/dev/boite-de-reception")
        assert missing.status_code == 404 and "Boîte de réception" not in missing.text
