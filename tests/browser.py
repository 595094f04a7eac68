"""Headless Chromium (Debian's chromium + chromedriver, driven by selenium) for the browser tests:
skipped where they are missing, required on CI (.ci/run installs them)."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI runs the browser test: .ci/run installs Debian's chromium and chromium-driver")
    pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium "
                "chromium-driver); CI installs them", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}}).then(
  (result) => done(result.violations.map(
    (v) => ({rule: v.id, help: v.help, where: v.nodes.map((n) => n.target.join(" "))}))),
  (error) => done([{rule: "axe failed", help: String(error), where: []}]));"""


def headless_chromium(profile: os.PathLike[str], width: int = 1600, height: int = 1000) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}", f"--user-data-dir={profile}",
                 "--lang=fr-FR"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@contextmanager
def axe_ready_chromium(tmp_path_factory) -> Iterator[webdriver.Chrome]:
    """The browser of the front end's tests, with axe-core at hand (npm, pinned in web/package-lock.json)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: npm ci --ignore-scripts --prefix web (.ci/run does it)")
    driver = headless_chromium(tmp_path_factory.mktemp("chromium"), width=1280, height=900)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


MAIL_READS, MAIL_READ_PAUSE_S = 50, 0.2  # bounded: ~10 s


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

    def mailed_link(self, link: re.Pattern[str]) -> str:
        """The first link of this shape on the dev inbox page, read as a family would: the page is
        read again until the mail is there (it leaves after the answer, R-REC-7)."""
        for _ in range(MAIL_READS):
            self.open("/dev/boite-de-reception")
            if found := link.search(self.text()):
                return found.group(0)
            time.sleep(MAIL_READ_PAUSE_S)
        raise AssertionError(f"no mail with a link like {link.pattern} on the dev inbox page")

    def criterion(self, key: str) -> str:
        return self.browser.find_element(By.CSS_SELECTOR, f"[data-criterion='{key}']").get_attribute("data-state")
