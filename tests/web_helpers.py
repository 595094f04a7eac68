"""Reading the front end's pages in tests: a form's CSRF token, an element's text by id, the
fields an error is tied to."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from html import unescape

import httpx

from parcours.http_api import create_app
from parcours.messaging.providers import DevInbox
from parcours.web.app import create_web_app
from parcours.web.settings import WebSettings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response | str) -> str:
    text = page if isinstance(page, str) else page.text
    match = CSRF.search(text)
    assert match, "no CSRF token in the page"
    return match.group(1)


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (tags dropped, spaces folded)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element #{element_id}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def described_by(html: str, element_id: str) -> str:
    """The aria-describedby of the input with this id: where its errors are told."""
    match = re.search(rf'<input[^>]*\bid="{re.escape(element_id)}"[^>]*>', html, re.S)
    assert match, f"no input #{element_id}"
    described = re.search(r'aria-describedby="([^"]+)"', match.group(0))
    assert described, f"#{element_id} has no aria-describedby"
    return described.group(1)


def seen(page: httpx.Response) -> str:
    """The page's markup as read: entities decoded, spaces folded (for « … » and l'apostrophe)."""
    return " ".join(unescape(page.text).split())


@asynccontextmanager
async def web_clients(parcours, settings, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """The front end as `count` browsers reach it (a cookie jar each), talking HTTP to the HTTP API in process."""
    api_app = create_app(settings, parcours)
    web_settings = WebSettings(secret_key="k" * 32, cookie_secure=False, api_url="http://api")
    app = create_web_app(web_settings, api_transport=httpx.ASGITransport(app=api_app),
                         dev_inbox=DevInbox(settings.dev_inbox_path).read)
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                                 base_url="http://web")) for _ in range(count)]


@asynccontextmanager
async def web_client(parcours, settings) -> AsyncIterator[httpx.AsyncClient]:
    async with web_clients(parcours, settings, 1) as [client]:
        yield client


async def post(web: httpx.AsyncClient, path: str, page: httpx.Response, **fields: str) -> httpx.Response:
    """A form of `page` sent as the browser would, following the redirect of an accepted action."""
    answer = await web.post(path, data={"csrf_token": csrf_of(page), **fields})
    return await web.get(answer.headers["location"]) if answer.status_code == 303 else answer
