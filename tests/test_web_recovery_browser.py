"""Sophie Bernard forgot her password: in headless Chromium on the running stack's front end she
asks for a link by mail, reads it on the dev inbox page, opens it (the page behind public_base_url)
and chooses a new password; axe-core finds no WCAG 2.1 A/AA violation on any page she reaches.
With PARCOURS_WEB_SCREENSHOTS=<folder> set, the main screens are saved there (docs/web/)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from recovery_helpers import NEW_PASSWORD, SOPHIE

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]

from browser import Family, axe_ready_chromium  # noqa: E402  (skips the module without Chromium)
from selenium.webdriver.common.by import By  # noqa: E402

LINK = re.compile(r"http\S+/mot-de-passe/nouveau\?\S+")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with axe_ready_chromium(tmp_path_factory) as driver:
        yield driver



def test_sophie_resets_her_password_through_the_mailed_link(embedded_stack, browser):
    sophie = Family(browser, embedded_stack.web_url)
    sophie.open("/")
    browser.find_element(By.LINK_TEXT, "Mot de passe oublié").click()
    sophie.check("7-mot-de-passe-oublie")
    sophie.fill("identifier", SOPHIE["identifier"])
    sophie.submit("Envoyer")  # no address: the refusal is told next to the field
    assert "requise" in sophie.error_of("email")
    sophie.fill("email", SOPHIE["email"])
    sophie.submit("Envoyer")
    assert "un mail contenant un lien pour réinitialiser votre mot de passe" in sophie.text()

    link = urlsplit(sophie.mailed_link(LINK))
    assert f"{link.scheme}://{link.netloc}" == embedded_stack.web_url  # public_base_url is this front end
    sophie.open(f"{link.path}?{link.query}")
    sophie.check("8-nouveau-mot-de-passe")
    assert "jeton" not in browser.current_url  # the token went into the session, out of the address
    assert browser.find_element(By.ID, "identifier").text == SOPHIE["identifier"]
    sophie.fill("password", NEW_PASSWORD)
    assert all(sophie.criterion(key) == "met" for key in ("length", "uppercase", "lowercase", "digit", "special"))
    sophie.fill("confirmation", NEW_PASSWORD)
    sophie.submit("Suivant", "9-mot-de-passe-reinitialise")
    assert "Votre mot de passe a été réinitialisé" in sophie.text()
    assert len(sophie.pages) >= 7 and "Erreur - Mot de passe oublié - EduConnect" in sophie.pages
