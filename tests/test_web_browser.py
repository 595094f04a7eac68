"""A family in the browser: headless Chromium on the reference front end of the running stack
(`parcours up`). Camille Martin activates by SMS, reading the code on the dev inbox page, gets
Léa's birth date wrong then right, watches the password criteria as she types; axe-core finds no
WCAG 2.1 A/AA violation on any page she reaches. With PARCOURS_WEB_SCREENSHOTS=<folder> set, the
main screens are saved there (docs/web/ holds the ones docs/web.md shows)."""

from __future__ import annotations

import re

import pytest
from activation_helpers import GOOD_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]

from browser import Family, axe_ready_chromium  # noqa: E402  (skips the module without Chromium)
from selenium.webdriver.common.by import By  # noqa: E402


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with axe_ready_chromium(tmp_path_factory) as driver:
        yield driver


def test_camille_activates_by_sms_in_the_browser(embedded_stack, browser):
    camille = Family(browser, embedded_stack.web_url)
    camille.open("/")
    browser.find_element(By.LINK_TEXT, "Je n'ai pas de compte").click()
    camille.check("1-identite")
    camille.fill("last_name", "Martin")
    camille.fill("first_name", "Camille")
    camille.fill("mobile", "06 12 34 56 78")
    camille.submit("Suivant", "2-code")
    assert "Un code de sécurité a été envoyé" in camille.text() and "Renvoyer le SMS" in camille.text()
    assert "secondes" in browser.find_element(By.ID, "resend-countdown").text  # the countdown, told as text

    camille.open("/dev/boite-de-reception")
    code = re.search(r"code de sécurité est (\d{6})", camille.text()).group(1)
    camille.open("/activation")
    camille.fill("code", code)
    camille.submit("Suivant", "3-enfants")
    assert "Je ne suis pas le représentant légal de cet élève" in camille.text()

    camille.fill("stu-lea-martin-birth_date", "01 01 2015")
    camille.submit("Confirmer", "4-date-incorrecte")
    assert "La date de naissance saisie est incorrecte" in camille.error_of("stu-lea-martin-birth_date")
    assert browser.switch_to.active_element.get_attribute("id") == "resume-erreurs"  # the summary has the focus
    camille.fill("stu-lea-martin-birth_date", "02 03 2014")
    camille.submit("Confirmer")

    identifier = browser.find_element(By.ID, "identifier").text
    assert identifier.startswith("c.martin")
    camille.fill("password", "cartable")
    assert camille.criterion("lowercase") == "met" and camille.criterion("uppercase") == "unmet"
    camille.fill("password", GOOD_PASSWORD)
    assert all(camille.criterion(key) == "met" for key in ("length", "uppercase", "lowercase", "digit", "special"))
    camille.check("5-mot-de-passe")
    camille.fill("confirmation", GOOD_PASSWORD)
    camille.submit("Suivant", "6-compte-active")
    assert "Votre compte a été activé avec succès" in camille.text() and identifier in camille.text()
    assert len(camille.pages) == 10 and "Erreur - Je confirme mes enfants - EduConnect" in camille.pages
