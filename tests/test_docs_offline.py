"""/docs (Swagger UI) works on a closed network: its scripts and styles come from the API itself
(fastapi-offline), checked in headless Chromium (Debian's chromium + chromedriver, driven by
selenium, as tests/test_web_ui.py) whose every other host is unreachable; no /redoc (its bundle
fetches a logo from a CDN); the bearer token still guards the journeys' routes, not the docs."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from parcours.http_api import create_app
from parcours.http_api.serve import app_server
from parcours.settings import Settings
from parcours.testing import free_port

TOKEN = "docs-test-token"
PAGE_WAIT_S = 30


@pytest.fixture(scope="module")
def app():
    """The API with a token and no Temporal (no lifespan): the docs need neither a client nor a server."""
    return create_app(Settings(_env_file=None, http_api_token=SecretStr(TOKEN)))


@pytest.fixture
async def api(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://parcours") as client:
        yield client


async def test_the_docs_page_loads_everything_from_the_api_itself(api):
    html = (await api.get("/docs")).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static-offline-docs/") for asset in assets), assets
    assert not re.search(r"https?://", html), "the docs page names another host"
    for asset in assets:
        served = await api.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset


async def test_no_redoc(api):
    assert (await api.get("/redoc")).status_code == 404


async def test_the_docs_stay_open_and_the_token_still_guards_the_journeys(api):
    for open_path in ("/docs", "/openapi.json", "/static-offline-docs/swagger-ui-bundle.js"):
        assert (await api.get(open_path)).status_code == 200, open_path  # no data in them, as before
    assert (await api.post("/activations", json={})).status_code == 401
    assert (await api.post("/activations", json={}, headers={"Authorization": "Bearer wrong"})).status_code == 401


def test_the_static_files_are_not_in_the_openapi_document(app):
    assert not [path for path in app.openapi()["paths"] if "static" in path or "docs" in path]


# The browser: CI must run it; elsewhere it is skipped when Debian's packages are missing.
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def served(app):
    """The app served by uvicorn in a thread of its own (the browser needs a real socket)."""
    port = free_port()
    server = app_server(app, "127.0.0.1", port, embedded=True, lifespan="off")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the HTTP API did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            raise RuntimeError("CI runs the browser test: .ci/run installs Debian's chromium and chromium-driver")
        pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium "
                    "chromium-driver); CI installs them")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # A closed network: no name resolves but the API's address, so a script fetched from a CDN
    # would fail here as it does on the operators' machines. The performance log records every
    # request the page makes, to prove none tried another host.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1600,1000",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def requested_urls(browser, base: str) -> list[str]:
    """Every URL requested for a page of `base` since the last call (the log is emptied as it is
    read); the browser's own pages (its new tab page, chrome://…) are not the docs'."""
    events = (json.loads(entry["message"])["message"] for entry in browser.get_log("performance"))
    return [event["params"]["request"]["url"] for event in events
            if event["method"] == "Network.requestWillBeSent" and event["params"]["documentURL"].startswith(base)]


def assert_no_other_host(urls: list[str], base: str) -> None:
    own = urlsplit(base).netloc
    elsewhere = [url for url in urls if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own]
    assert not elsewhere, f"requests left for another host: {elsewhere}"


def wait_for_text(browser, text: str, what: str, tmp_path) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(browser, PAGE_WAIT_S).until(lambda driver: text in driver.find_element(By.TAG_NAME, "body").text)
    except TimeoutException:
        browser.save_screenshot(str(tmp_path / "docs.png"))
        raise AssertionError(f"{what} did not render {text!r}; screenshot {tmp_path / 'docs.png'}") from None


def test_swagger_ui_renders_every_operation_offline(served, browser, app, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get_log("performance")  # start from an empty log
    browser.get(f"{served}/docs")
    wait_for_text(browser, "/activations", "Swagger UI", tmp_path)
    operations = {(method.upper(), path) for path, methods in app.openapi()["paths"].items() for method in methods}
    shown = {(block.find_element(By.CLASS_NAME, "opblock-summary-method").text,
              block.find_element(By.CLASS_NAME, "opblock-summary-path").get_attribute("data-path"))
             for block in browser.find_elements(By.CLASS_NAME, "opblock")}
    assert shown == operations
    urls = requested_urls(browser, served)
    assert f"{served}/static-offline-docs/swagger-ui-bundle.js" in urls and f"{served}/openapi.json" in urls
    assert_no_other_host(urls, served)
