"""Sophie Bernard in « Mon compte »: in headless Chromium on the running stack's front end she signs
in, confirms Tom (a new student, R-KID-2), looks at « Mes enfants », changes her email address,
reads the confirmation link on the dev inbox page, opens it (the page behind public_base_url) and
confirms; axe-core finds no WCAG 2.1 A/AA violation on any page she reaches. With
PARCOURS_WEB_SCREENSHOTS=<folder> set, the main screens are saved there (docs/web/)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from parcours.db.demo import DEMO_ACTIVE_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]

from browser import Family, axe_ready_chromium  # noqa: E402  (skips the module without Chromium)
from selenium.webdriver.common.by import By  # noqa: E402

NEW_EMAIL = "sophie.nouvelle@example.org"
LINK = re.compile(r"http\S+/mon-compte/email/confirmer\?\S+")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with axe_ready_chromium(tmp_path_factory) as driver:
        yield driver



def test_sophie_changes_her_email_and_confirms_it_through_the_mailed_link(embedded_stack, browser):
    sophie = Family(browser, embedded_stack.web_url)
    sophie.open("/")
    browser.find_element(By.LINK_TEXT, "Mon compte").click()
    sophie.check("10-connexion")
    assert "Connectez-vous" in sophie.text()
    sophie.fill("identifier", "s.bernard1")
    sophie.fill("password", DEMO_ACTIVE_PASSWORD)
    sophie.submit("Se connecter", "11-nouveaux-enfants")
    assert "Tom B." in sophie.text()  # a new student to confirm first (R-KID-2)
    sophie.fill("stu-tom-bernard-birth_date", "05 11 2015")
    sophie.submit("Confirmer")
    sophie.open("/mes-enfants")
    sophie.check("12-mes-enfants")
    assert "Né(e) le 05/11/2015" in sophie.text() and "lien confirmé" in sophie.text().lower()  # a badge: capitals

    sophie.open("/mon-compte/email")
    sophie.fill("new_email", NEW_EMAIL)
    sophie.fill("confirmation", "autre@example.org")
    sophie.submit("Envoyer")  # two different addresses: told next to the confirmation
    assert "identiques" in sophie.error_of("confirmation")
    sophie.fill("confirmation", NEW_EMAIL)
    sophie.submit("Envoyer", "13-email-a-confirmer")
    assert "Vous devez confirmer votre adresse mail" in sophie.text()

    link = urlsplit(sophie.mailed_link(LINK))
    assert f"{link.scheme}://{link.netloc}" == embedded_stack.web_url  # public_base_url is this front end
    sophie.open(f"{link.path}?{link.query}")
    assert "jeton" not in browser.current_url  # the token went into the session, out of the address
    assert browser.find_element(By.ID, "new-email").text == NEW_EMAIL
    sophie.submit("Confirmer ma nouvelle adresse mail", "14-email-confirme")
    assert "Votre nouvelle adresse mail est enregistrée" in sophie.text()
    assert browser.find_element(By.ID, "email").text.startswith(NEW_EMAIL)
    assert len(sophie.pages) >= 9 and "Erreur - Modifier mon adresse mail - EduConnect" in sophie.pages
