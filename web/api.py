"""The HTTP API as the front end sees it: JSON over HTTP (httpx), the bearer token when the API
wants one, the signed-in user's `Parcours-Session` token when a page has one. Nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from parcours.web.settings import WebSettings

PROBLEM_JSON = "application/problem+json"
SESSION_HEADER = "Parcours-Session"


class ServiceUnavailable(Exception):
    """The API cannot be reached or answered 5xx: the page says so, nothing is retried behind the user's back."""


@dataclass
class FormErrors:
    """A refusal as a form shows it: a summary at the top, each message next to the field it names."""

    summary: str | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_problem(cls, problem: dict[str, Any], *, prefix: str = "") -> FormErrors:
        """An RFC 9457 problem of the API: `errors` by field (`prefix` tells apart the same field
        in several forms of one page, e.g. one birth date per child), or else `detail` on top. With
        fields, the summary is the page's (forms.summary names them by their labels): the API's
        `detail` names them as the API does (« last_name, mobile »)."""
        fields = problem.get("errors") or []
        errors = cls(summary=None if fields else problem.get("detail") or problem.get("title"))
        for error in fields:
            errors.add(prefix + error.get("field", ""), error.get("message", ""))
        return errors

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.summary or self.fields)


@dataclass
class ApiAnswer:
    status_code: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def errors(self, *, prefix: str = "") -> FormErrors:
        return FormErrors() if self.ok else FormErrors.from_problem(self.body, prefix=prefix)


class ParcoursApi:
    def __init__(self, settings: WebSettings, transport: httpx.AsyncBaseTransport | None = None):
        headers = {"Accept": f"application/json, {PROBLEM_JSON}"}
        if settings.api_token is not None:
            headers["Authorization"] = f"Bearer {settings.api_token.get_secret_value()}"
        self.client = httpx.AsyncClient(base_url=settings.api_url, headers=headers, transport=transport,
                                        timeout=settings.api_timeout.total_seconds())

    async def get(self, path: str, *, session_token: str | None = None) -> ApiAnswer:
        return await self._send("GET", path, session_token=session_token)

    async def post(self, path: str, body: dict[str, Any] | None = None, *,
                   session_token: str | None = None) -> ApiAnswer:
        return await self._send("POST", path, body=body, session_token=session_token)

    async def _send(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                    session_token: str | None = None) -> ApiAnswer:
        headers = {SESSION_HEADER: session_token} if session_token else {}
        try:
            response = await self.client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(f"{method} {path}: {error!r}") from error
        if response.status_code >= 500:
            raise ServiceUnavailable(f"{method} {path}: {response.status_code}")
        return ApiAnswer(response.status_code, response.json())

    async def aclose(self) -> None:
        await self.client.aclose()
