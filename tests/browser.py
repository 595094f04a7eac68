"""Headless Chromium (Debian's chromium + chromedriver, driven by selenium) for the browser tests:
skipped where they are missing, required on CI (.ci/run installs them)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI runs the browser test: .ci/run installs Debian's chromium and chromium-driver")
    pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium "
                "chromium-driver); CI installs them", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402


def headless_chromium(profile: os.PathLike[str], width: int = 1600, height: int = 1000) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}", f"--user-data-dir={profile}",
                 "--lang=fr-FR"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
