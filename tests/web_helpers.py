"""Reading the front end's pages in tests: a form's CSRF token, an element's text by id, the
fields an error is tied to."""

from __future__ import annotations

import re
from html import unescape

import httpx

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
