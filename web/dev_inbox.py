"""The dev inbox page: the SMS and mails the development providers « sent », as a family reads
them. The app has it only when the embedded stack hands it a reader (its providers are the dev
ones): the front end cannot read the file by itself, so no setting can show it in production."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from parcours.web.pages import render

InboxReader = Callable[[], list[dict]]  # the messages, oldest first
router = APIRouter()


@router.get("/dev/boite-de-reception")
async def dev_inbox(request: Request) -> Response:
    read: InboxReader = request.app.state.dev_inbox
    return render(request, "dev_inbox.html", messages=list(reversed(read())))
