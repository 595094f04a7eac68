"""Rendering a page: the Jinja2 templates with what every page needs (the CSRF token, the form's
errors, the service's name, times in the user's zone)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from parcours.web.api import FormErrors
from parcours.web.security import CSRF_FIELD, csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def seconds_until(value: str | None) -> int:
    """Whole seconds from now to an ISO instant of the API (0 when past): the countdowns' text."""
    moment = instant(value)
    return max(int((moment - datetime.now(UTC)).total_seconds() + 0.999), 0) if moment else 0


def local_time(value: str | None, zone: str) -> str:
    """An ISO instant of the API as the user reads it: « 08:47:05 » in their zone."""
    moment = instant(value)
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M:%S") if moment else ""


def phone_number(value: str | None) -> str:
    """A number of the API (E.164) as a family reads it: a French one « 06 55 44 33 22 », any other as given."""
    if value and value.startswith("+33") and len(value) == 12 and value[3:].isdigit():
        national = "0" + value[3:]
        return " ".join(national[i:i + 2] for i in range(0, 10, 2))
    return value or ""


TEMPLATES.env.filters.update(local_time=local_time, seconds_until=seconds_until, phone_number=phone_number)


def render(request: Request, template: str, *, status_code: int = 200, errors: FormErrors | None = None,
           **context: Any) -> Response:
    settings = request.app.state.settings
    return TEMPLATES.TemplateResponse(request, template, status_code=status_code, context={
        "csrf_field": CSRF_FIELD, "csrf_token": csrf_token(request), "errors": errors or FormErrors(),
        "service_name": settings.service_name, "time_zone": settings.time_zone,
        "dev_inbox": request.app.state.dev_inbox is not None, **context})
