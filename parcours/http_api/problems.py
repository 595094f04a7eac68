"""Errors as RFC 9457 problem details (application/problem+json), each naming the fields at fault.

`type` is a URN per reason (urn:parcours:problem:<reason>), stable for API layers to branch on;
`title` and `detail` are French, `detail` the message the user may be shown; `errors` lists the
fields and why (French too); `debug`, when present, is for developers only (English)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from parcours import messages
from parcours.client import IdempotencyKeyReused, JourneyActionRejected
from parcours.contracts.common import UNKNOWN_ACCOUNT, FieldError
from parcours.http_api import wording
from parcours.refusals import refusal_of

logger = logging.getLogger("parcours.http_api")
PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:parcours:problem:"

# A refused action's HTTP status by reason; any other refusal conflicts with the journey's state.
STATUS_BY_REASON = {
    "unknown_journey": 404,
    **dict.fromkeys(wording.SESSION_REFUSED, 401),  # « Mon compte » without a valid session
    "journey_finished": 409,
    "unknown_account": 404,
    "invalid_input": 422,
    "send_failed": 503,
    "failed": 502,
    "internal_error": 500,
}


class FieldProblem(BaseModel):
    field: str = Field(description="The field at fault, dotted (e.g. 'mobile' or 'children.0.birth_date').")
    message: str = Field(description="Why, in French, for the user.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="urn:parcours:problem:<reason>")
    title: str = Field(description="The kind of problem, in French.")
    status: int
    detail: str = Field(description="The French message for the user: nothing internal.")
    instance: str | None = None
    reason: str = Field(description="The same reason as the type's last part, for convenience.")
    errors: list[FieldProblem] = Field(default_factory=list)
    retry_at: datetime | None = Field(default=None, description="When the same request may succeed.")
    debug: str | None = Field(default=None, description=(
        "For developers, never to show to users: what `detail` leaves out (e.g. the action and the "
        "journey's state that refused it). English, free text: not to parse."))


def retry_after(moment: datetime) -> str:
    """The Retry-After header's value for a known time (an HTTP-date)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def answer_with_retry_after(response: Response, answer: Any) -> Any:
    """A 200 answer that says when the same action may succeed (`retry_at`: a resend cooldown, a
    lock) says it in Retry-After too, as a refusal does."""
    moment = getattr(answer, "retry_at", None)
    if moment is not None:
        response.headers["Retry-After"] = retry_after(moment)
    return answer


def problem_response(request: Request | None, status: int, reason: str, title: str, detail: str,
                     errors: Sequence[FieldError | FieldProblem] = (), retry_at: datetime | None = None,
                     debug: str | None = None) -> JSONResponse:
    problem = Problem(type=f"{TYPE_PREFIX}{reason}", title=title, status=status, detail=detail, reason=reason,
                      instance=request.url.path if request is not None else None, retry_at=retry_at, debug=debug,
                      errors=[FieldProblem(field=error.field, message=error.message) for error in errors])
    headers = {}
    if retry_at is not None:
        headers["Retry-After"] = retry_after(retry_at)
    return JSONResponse(problem.model_dump(mode="json", exclude_none=True), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def _body_not_json(request: Request) -> JSONResponse:
    """400 for a body that is not JSON; 415 when it was not sent as JSON (another Content-Type: the
    body may well be JSON, the header is what to fix)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        title, detail = wording.HTTP_PROBLEMS[415]
        return problem_response(request, 415, "unsupported_media_type", title, detail)
    return problem_response(request, 400, "malformed_body", wording.TITLE_MALFORMED_BODY, wording.BODY_NOT_JSON)


def _is_json_failure(problem: dict) -> bool:
    """FastAPI's error for a body that did not parse (its "field" a byte offset), or for one it did
    not read as JSON (another content type): the body handed over as bytes."""
    return problem["type"] == "json_invalid" or (problem["loc"] == ("body",) and isinstance(problem["input"], bytes))


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    if any(_is_json_failure(problem) for problem in error.errors()):
        return _body_not_json(request)
    errors = [FieldError.from_pydantic(problem, leave_out=("body",), whole="body") for problem in error.errors()]
    return problem_response(request, 422, "invalid_input", wording.TITLE_INVALID_INPUT,
                            messages.INPUT_INVALID.format(fields=", ".join(e.field for e in errors)),
                            errors)


async def _refused(request: Request, error: JourneyActionRejected) -> JSONResponse:
    status = STATUS_BY_REASON.get(error.reason, 422 if error.errors else 409)
    if error.retry_at is not None:
        status = 429
    title = {404: wording.TITLE_JOURNEY_NOT_FOUND, 401: wording.TITLE_SIGN_IN_NEEDED}.get(status, wording.TITLE_REFUSED)
    if error.reason == "journey_finished":
        title = wording.TITLE_JOURNEY_FINISHED
    return problem_response(request, status, error.reason, title, error.message, error.errors, error.retry_at,
                            error.debug)


async def _key_reused(request: Request, _error: IdempotencyKeyReused) -> JSONResponse:
    return problem_response(request, 422, "idempotency_key_reused", wording.TITLE_IDEMPOTENCY_KEY_REUSED,
                            wording.IDEMPOTENCY_KEY_REUSED,
                            [FieldError(field="Idempotency-Key", message=wording.IDEMPOTENCY_KEY_REUSED_FIELD)])


async def _temporal_error(request: Request, error: RPCError) -> JSONResponse:
    if error.status is RPCStatusCode.NOT_FOUND:
        return problem_response(request, 404, "unknown_journey", wording.TITLE_JOURNEY_NOT_FOUND,
                                messages.UNKNOWN_JOURNEY)
    return problem_response(request, 503, "temporal_unavailable", wording.TITLE_UNAVAILABLE,
                            wording.SERVICE_UNAVAILABLE, debug=f"Temporal: {error.status.name}")


async def _journey_failed(request: Request, error: WorkflowFailureError) -> JSONResponse:
    """A journey that ended on a refusal of its own (e.g. an unknown account) answers as the refusal."""
    cause: BaseException | None = error.cause
    while cause is not None:
        refusal = refusal_of(cause)
        if refusal is not None:
            return await _refused(request, JourneyActionRejected(refusal))
        if isinstance(cause, ApplicationError) and cause.type == UNKNOWN_ACCOUNT:  # a read, not a journey
            return problem_response(request, 404, "unknown_account", wording.TITLE_ACCOUNT_NOT_FOUND,
                                    messages.UNKNOWN_ACCOUNT,
                                    [FieldError(field="account_ref", message=messages.UNKNOWN_ACCOUNT)])
        cause = cause.__cause__
    return problem_response(request, 502, "journey_failed", wording.TITLE_JOURNEY_FAILED, messages.JOURNEY_FAILED)


async def _unexpected(request: Request, _error: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "internal_error", wording.TITLE_INTERNAL_ERROR, messages.INTERNAL_ERROR)


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    if error.status_code == 400:  # FastAPI's "There was an error parsing the body" (e.g. not UTF-8)
        return _body_not_json(request)
    # Starlette's and FastAPI's own text (« Not Found », « Method Not Allowed ») is English: for
    # developers, in `debug`; the French wording by status.
    reason = {400: "malformed_body", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
              413: "request_too_large", 415: "unsupported_media_type"}.get(error.status_code, "http_error")
    title, detail = wording.HTTP_PROBLEMS.get(error.status_code, wording.HTTP_PROBLEM_OTHER)
    return problem_response(request, error.status_code, reason, title, detail, debug=str(error.detail))


def install_problem_handlers(app: FastAPI) -> None:
    # The decorator's form: Starlette types add_exception_handler for handlers of Exception only.
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(JourneyActionRejected)(_refused)
    app.exception_handler(IdempotencyKeyReused)(_key_reused)
    app.exception_handler(RPCError)(_temporal_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(WorkflowFailureError)(_journey_failed)
    app.exception_handler(Exception)(_unexpected)


def problem_responses(*statuses: int) -> dict:
    """OpenAPI `responses` for the problems an operation can answer."""
    descriptions = {400: "The body is not JSON (not even UTF-8)", 401: "Missing or wrong bearer token",
                    404: "No such journey, or it has ended",
                    409: "The journey is not at a step where this action is possible",
                    410: "What the request points to is no longer kept (past its retention)", 413: "Request too large",
                    422: "Invalid input (each field named)", 429: "A limit: retry at `retry_at`",
                    503: "A message could not be sent, or Temporal is unreachable"}
    return {status: {"model": Problem, "description": descriptions[status],
                     "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}
