"""What every journey's screens share: the journey's location kept in the session (never in a
URL), its current step read from the API, the template its state picks, and the page after an
action — an accepted one redirects to the journey's page (a reload sends nothing twice), a refusal
shows the step with its message next to the field it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from parcours.web.api import ApiAnswer, FormErrors, ParcoursApi
from parcours.web.pages import render
from parcours.web.security import checked_form

# The code step's states and outcomes, the same in every journey that sends a code (activation,
# password reset by SMS): one template, its refusals next to the code or the resend button.
CODE_STATES = ("code_sent", "code_expired", "code_void", "code_not_sent")
CODE_REFUSALS: dict[str, str | None] = {"code_incorrect": "code", "code_void": "code", "code_expired": "code",
                                        "resend_refused": "resend", "send_failed": "resend"}
# The API's refusals that are not the user's mistake: the journey moved on (a double click, a form
# sent again after it was accepted: its current step is the answer) or ended (its page says so).
MOVED_ON, ENDED, UNKNOWN = "not_now", "journey_finished", "unknown_journey"
JOURNEY_UNKNOWN = "Cette demande n'existe plus ou a expiré : vous pouvez en commencer une nouvelle ci-dessous."
# A link cut short or altered (a mail's): the front end's own wording, the same for every mailed link.
LINK_INCOMPLETE = ("Ce lien n'est pas complet : ouvrez-le directement depuis le mail ou copiez-le en entier, "
                   "ou faites une nouvelle demande.")
REFUSAL = "refus"  # session key: a refusal for the next page (a link's, told after the redirect that hides it)
SIGN_IN_AS = "identifiant_propose"  # session key: the identifier « Me connecter » is filled with


def api(request: Request) -> ParcoursApi:
    return request.app.state.api


def refuse_on_next_page(request: Request, message: str) -> None:
    request.session[REFUSAL] = message


def propose_sign_in(request: Request, identifier: str | None) -> None:
    """The account a finished journey named (activated, reset, merged into): « Me connecter » is
    filled with its identifier (the session's, never a URL's)."""
    if identifier:
        request.session[SIGN_IN_AS] = identifier


def refusal_told(request: Request) -> FormErrors | None:
    """The refusal a redirect left for this page, said once."""
    message = request.session.pop(REFUSAL, None)
    return FormErrors(summary=message) if message else None


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
        """The journey's page. A finished journey is shown once, then forgotten: opening the page
        again starts a new one (a second parent on the same browser, a new request)."""
        step = await self.current_step(request)
        if step is not None and step["finished"]:
            self.forget(request)
            propose_sign_in(request, step.get("identifier"))
        return self.render_step(request, step, errors=refusal_told(request))

    def forget(self, request: Request) -> None:
        request.session.pop(self.session_key, None)

    async def answered(self, request: Request, answer: ApiAnswer, *, values: dict[str, str] | None = None,
                       prefix: str = "", redirect_to: str | None = None) -> Response:
        """The page after an action: a 4xx problem shows the current step with each error next to
        its field; an accepted outcome redirects; any other shows the step it carries, its message
        next to the field it concerns, or as a notice when it is news rather than a refusal."""
        reason = None if answer.ok else answer.body.get("reason")
        if reason in (MOVED_ON, ENDED):  # already past that step: its current step, not an error
            return RedirectResponse(redirect_to or self.start_url, status_code=303)
        if reason == UNKNOWN:
            self.forget(request)
            return self.render_step(request, None, errors=FormErrors(summary=JOURNEY_UNKNOWN),
                                    values=values, status_code=answer.status_code)
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
        self.forget(request)
        return RedirectResponse(self.start_url, status_code=303)

    def page_routes(self, router: APIRouter) -> None:
        """The journey's page (GET) and « Recommencer » (POST …/recommencer): every journey's."""

        async def show(request: Request) -> Response:
            return await self.show(request)

        async def restart(request: Request) -> Response:
            await checked_form(request)
            return self.restart(request)

        router.add_api_route("", show, methods=["GET"])
        router.add_api_route("/recommencer", restart, methods=["POST"])
