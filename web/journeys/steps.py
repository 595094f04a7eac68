"""What every journey's screens share: the journey's location kept in the session (never in a
URL), its current step read from the API, the template its state picks, and the page after an
action — an accepted one redirects to the journey's page (a reload sends nothing twice), a refusal
shows the step with its message next to the field it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from parcours.web.api import ApiAnswer, FormErrors, ParcoursApi
from parcours.web.pages import render

# The code step's states and outcomes, the same in every journey that sends a code (activation,
# password reset by SMS): one template, its refusals next to the code or the resend button.
CODE_STATES = ("code_sent", "code_expired", "code_void", "code_not_sent")
CODE_REFUSALS: dict[str, str | None] = {"code_incorrect": "code", "code_void": "code", "code_expired": "code",
                                        "resend_refused": "resend", "send_failed": "resend"}


def api(request: Request) -> ParcoursApi:
    return request.app.state.api


@dataclass(frozen=True)
class JourneyScreens:
    """One journey's screens: `start_url` its page, `session_key` where the session keeps its
    location in the API, `templates` by state (`first` without a journey, `other` for the states
    that only tell something), `refusals` the outcome statuses that turn the input down with the
    field their message goes next to (None: on top only); any other status is news (a notice)."""

    start_url: str
    session_key: str
    templates: dict[str, str]
    first: str
    other: str
    refusals: dict[str, str | None]
    defaults: dict[str, str] = field(default_factory=dict)  # the forms' values before any input

    async def current_step(self, request: Request) -> dict[str, Any] | None:
        """The journey's step from the API; None without a journey, or when the API no longer knows it."""
        location = request.session.get(self.session_key)
        if location is None:
            return None
        answer = await api(request).get(location)
        if not answer.ok:
            request.session.pop(self.session_key, None)
            return None
        return answer.body

    def render_step(self, request: Request, step: dict[str, Any] | None, *, errors: FormErrors | None = None,
                    notice: str | None = None, values: dict[str, str] | None = None, status_code: int = 200,
                    **context: Any) -> Response:
        template = self.templates.get(step["state"], self.other) if step else self.first
        return render(request, template, status_code=status_code, errors=errors, step=step, notice=notice,
                      values={**self.defaults, **(values or {})}, start_url=self.start_url, **context)

    async def show(self, request: Request) -> Response:
        return self.render_step(request, await self.current_step(request))

    async def answered(self, request: Request, answer: ApiAnswer, *, values: dict[str, str] | None = None,
                       prefix: str = "", redirect_to: str | None = None) -> Response:
        """The page after an action: a 4xx problem shows the current step with each error next to
        its field; an accepted outcome redirects; any other shows the step it carries, its message
        next to the field it concerns, or as a notice when it is news rather than a refusal."""
        if not answer.ok:
            return self.render_step(request, await self.current_step(request), errors=answer.errors(prefix=prefix),
                                    values=values, status_code=answer.status_code)
        outcome = answer.body.get("outcome") or answer.body  # a start answers {outcome, step, location}
        if outcome.get("status", "accepted") == "accepted":
            return RedirectResponse(redirect_to or self.start_url, status_code=303)
        errors, notice = FormErrors(), None
        if outcome["status"] in self.refusals:
            errors.summary = outcome["message"]
            if (name := self.refusals[outcome["status"]]) is not None:
                errors.add(prefix + name, outcome["message"])
        else:  # news, not a refusal: a child reported or left unconfirmed, an account already active
            notice = outcome["message"]
        return self.render_step(request, answer.body["step"], errors=errors, notice=notice, values=values)

    async def start(self, request: Request, resource: str, body: dict[str, Any] | None = None, *,
                    values: dict[str, str] | None = None) -> Response:
        """POST on the journey's resource: the location goes into the session, then its page."""
        answer = await api(request).post(resource, body)
        if answer.ok:
            request.session[self.session_key] = answer.body["location"]
        return await self.answered(request, answer, values=values)

    async def act(self, request: Request, action: str, body: dict[str, Any] | None = None, *, prefix: str = "",
                  values: dict[str, str] | None = None) -> Response:
        """One of the journey's actions (the API's POST <location>/<action>), then its page."""
        location = request.session.get(self.session_key)
        if location is None:  # no journey (the session ended): its first page
            return RedirectResponse(self.start_url, status_code=303)
        answer = await api(request).post(f"{location}/{action}", body)
        return await self.answered(request, answer, prefix=prefix, values=values)

    def restart(self, request: Request) -> Response:
        request.session.pop(self.session_key, None)
        return RedirectResponse(self.start_url, status_code=303)
