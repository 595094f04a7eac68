"""`POST /admin/records-imports`: the schools' export imported over HTTP, as `parcours records
import` does it (docs/school-records.md). Guarded by its own token (PARCOURS_RECORDS_ADMIN_TOKEN),
never the API layers' one: the route rewrites the records every journey checks people against."""

from __future__ import annotations

import hmac
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from parcours.http_api import wording
from parcours.http_api.problems import problem_response, problem_responses
from parcours.settings import Settings

PREFIX = "/admin"
SPOOL_CHUNK_BYTES = 1024 * 1024  # how much of the body is written at a time (never the whole export)
EXPORT_TOO_LARGE = "Le fichier dépasse {limit} octets (PARCOURS_RECORDS_IMPORT_MAX_BYTES)."


def admin_records_router(settings: Settings) -> APIRouter:
    token = settings.records_admin_token.get_secret_value() if settings.records_admin_token else None
    limit = settings.records_import_max_bytes
    engine: Any = None  # made at the first import: an API that never imports opens no database

    async def administrator(request: Request) -> None:
        given = request.headers.get("Authorization", "")
        if token is None or not hmac.compare_digest(given, f"Bearer {token}"):
            raise HTTPException(401, "Missing or wrong admin bearer token")  # the English for `debug`

    router = APIRouter(prefix=PREFIX, tags=["admin"], dependencies=[Depends(administrator)])

    @router.post("/records-imports", summary="Import the schools' export into the school records",
                 responses=problem_responses(401, 413, 422),
                 openapi_extra={"requestBody": {"required": True, "content": {
                     "text/csv": {"schema": {"type": "string"}},
                     "application/x-ndjson": {"schema": {"type": "string"}}}}})
    async def import_export(request: Request, dry_run: bool = Query(False, description="Write nothing."),
                            file_format: Literal["csv", "jsonl"] | None = Query(
                                None, alias="format", description="Default: from the Content-Type, else csv.")
                            ) -> JSONResponse:
        """The body is the export (CSV or JSON Lines), streamed to a temporary file; the answer is
        the report (200), bad rows included: the other schools were applied. A file refused
        whole (columns missing, schools interleaved) is a 422 problem."""
        nonlocal engine
        from parcours.db.engine import make_engine, make_session_factory
        from parcours.records.importer import import_records
        from parcours.records.rows import FileRefused

        content_type = request.headers.get("Content-Type", "")
        chosen = file_format or ("jsonl" if "ndjson" in content_type or "jsonl" in content_type else "csv")
        with tempfile.TemporaryDirectory(prefix="parcours-records-") as folder:
            path = Path(folder) / f"export.{chosen}"
            if not await spool(request, path, limit):
                return problem_response(request, 413, "request_too_large", wording.HTTP_PROBLEMS[413][0],
                                        EXPORT_TOO_LARGE.format(limit=limit))
            engine = engine or make_engine(settings.database_url)
            try:
                report = await import_records(make_session_factory(engine), path, chosen, dry_run=dry_run,
                                              now=datetime.now(UTC))
            except FileRefused as refused:
                return problem_response(request, 422, "invalid_input", wording.TITLE_INVALID_INPUT,
                                        f"Fichier refusé, {refused}")
        return JSONResponse(report.summary() | {"file": None})

    return router


async def spool(request: Request, path: Path, limit: int) -> bool:
    """The body into `path`, chunk by chunk; False (and the rest unread) past `limit` bytes."""
    written = 0
    with path.open("wb") as file:
        async for chunk in request.stream():
            written += len(chunk)
            if written > limit:
                return False
            file.write(chunk)
    return True
