"""A family in the browser: headless Chromium on the reference front end of the running stack
(`parcours up`). Camille Martin activates by SMS, reading the code on the dev inbox page, gets
Léa's birth date wrong then right, watches the password criteria as she types; axe-core finds no
WCAG 2.1 A/AA violation on any page she reaches. With PARCOURS_WEB_SCREENSHOTS=<folder> set, the
main screens are saved there (docs/web/ holds the ones docs/web.md shows)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from activation_helpers import GOOD_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]

from browser import headless_chromium  # noqa: E402  (skips the module without Chromium)
from selenium.webdriver.common.by import By  # noqa: E402

AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}}).then(
  (result) => done(result.violations.map(
    (v) => ({rule: v.id, help: v.help, where: v.nodes.map((n) => n.target.join(" "))}))),
  (error) => done([{rule: "axe failed", help: String(error), where: []}]));"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not AXE.exists():
        pytest.fail("axe-core is missing: npm ci --ignore-scripts --prefix web (.ci/run does it)")
    driver = headless_chromium(tmp_path_factory.mktemp("chromium"), width=1280, height=900)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


class Family:
    """What the person does and sees; every page reached goes through axe-core."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url, self.pages = browser, base_url, []
        self.screenshots = os.environ.get("PARCOURS_WEB_SCREENSHOTS")

    def open(self, path: str) -> None:
        self.browser.get(self.base_url + path)
        self.check()

    def check(self, screenshot: str | None = None) -> None:
        self.browser.execute_script(AXE.read_text(encoding="utf-8"))
        violations = self.browser.execute_async_script(RUN_AXE, WCAG_21_AA)
        assert violations == [], f"{self.browser.current_url} ({self.browser.title}): {violations}"
        self.pages.append(self.browser.title)
        if screenshot and self.screenshots:
            Path(self.screenshots).mkdir(parents=True, exist_ok=True)
            self.browser.save_screenshot(str(Path(self.screenshots) / f"{screenshot}.png"))

    def fill(self, element_id: str, text: str) -> None:
        field = self.browser.find_element(By.ID, element_id)
        field.clear()
        field.send_keys(text)

    def submit(self, label: str, screenshot: str | None = None) -> None:
        self.browser.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()
        self.check(screenshot)

    def text(self) -> str:
        return self.browser.find_element(By.TAG_NAME, "main").text

    def error_of(self, element_id: str) -> str:
        """The text the field is described by: where its error is told to a screen reader."""
        described_by = self.browser.find_element(By.ID, element_id).get_attribute("aria-describedby")
        return " ".join(self.browser.find_element(By.ID, part).text for part in described_by.split())

    def criterion(self, key: str) -> str:
        return self.browser.find_element(By.CSS_SELECTOR, f"[data-criterion='{key}']").get_attribute("data-state")


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
    assert len(camille.pages) == 10 and "Erreur - Je confirme mes enfants - ÉduConnect" in camille.pages
