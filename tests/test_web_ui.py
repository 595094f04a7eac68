"""The operators' view: headless Chromium (Debian's chromium + chromedriver, driven by selenium)
opens the dev server's Web UI of the running stack, filters journeys by the search attributes and
finds the one this test started, in the state it is in."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest
from activation_helpers import CAMILLE_SMS

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]

from browser import headless_chromium  # noqa: E402  (skips the module without Chromium)
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

UI_WAIT_S = 60
NOTHING_FOUND = "No Workflows Found"  # the Web UI's list, loaded and empty


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = headless_chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def workflows_page(stack, query: str) -> str:
    return f"{stack.ui_url}/namespaces/default/workflows?query={quote(query)}"


def listed_ids(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def page_text(browser) -> str:
    """The page's text and its frames' (the UI renders current details, Markdown, in an iframe)."""
    texts = [listed_ids(browser)]
    for frame in browser.find_elements(By.TAG_NAME, "iframe"):
        browser.switch_to.frame(frame)
        texts.append(listed_ids(browser))
        browser.switch_to.default_content()
    return "\n".join(texts)


def test_operators_find_a_waiting_journey_by_kind_and_state(embedded_stack, browser, tmp_path):
    started = httpx.post(f"{embedded_stack.api_url}/activations", json=CAMILLE_SMS, timeout=30)
    assert started.status_code == 201, started.text
    journey_id = started.json()["journey_id"]

    waiting = "JourneyKind='activation' AND JourneyState='code_sent'"
    browser.get(workflows_page(embedded_stack, waiting))
    try:  # visibility is eventually consistent: the UI is reloaded until the journey shows, each time once
        # its list has loaded (reloaded every second regardless, a page slower than that on a loaded
        # machine never rendered: a blank page for a minute)
        WebDriverWait(browser, UI_WAIT_S, poll_frequency=0.5).until(lambda driver: journey_id in listed_ids(driver) or (
            NOTHING_FOUND in listed_ids(driver) and driver.refresh()))
    except TimeoutException:
        browser.save_screenshot(str(tmp_path / "web-ui.png"))
        raise AssertionError(f"{journey_id} not listed for {waiting}; screenshot {tmp_path / 'web-ui.png'}") from None
    assert "Running" in listed_ids(browser)

    browser.get(workflows_page(embedded_stack, "JourneyKind='activation' AND JourneyState='activated'"))
    # Once loaded, the list tells it found nothing, or shows the journey: the UI goes from a blank list to one
    # or the other, never through the empty state on its way to results (watched at 20 ms steps).
    WebDriverWait(browser, UI_WAIT_S).until(
        lambda driver: NOTHING_FOUND in listed_ids(driver) or journey_id in listed_ids(driver))
    assert journey_id not in listed_ids(browser) and NOTHING_FOUND in listed_ids(browser)

    # The journey's page: payloads decrypted by the codec server, its state in the search
    # attributes and in the current details.
    browser.get(f"{embedded_stack.ui_url}/namespaces/default/workflows/{quote(journey_id, safe='')}")
    WebDriverWait(browser, UI_WAIT_S).until(lambda driver: "code_validity" in listed_ids(driver))  # decrypted input
    for tab in ("Search Attributes", "User Metadata"):
        browser.find_element(By.XPATH, f"//*[normalize-space(text())='{tab}']").click()
        WebDriverWait(browser, UI_WAIT_S).until(lambda driver: "code_sent" in page_text(driver))
    assert "waiting for the code" in page_text(browser)  # the current details
