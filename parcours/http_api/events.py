"""GET /events: the pull feed of events out (docs/events.md), for services that poll rather than
take webhooks. The same events, ids and order as the webhooks; read from the outbox itself (a
read of committed, sequenced rows: no journey is involved, so no workflow is started per poll)."""

# No `from __future__ import annotations`: the query's bound (a setting) is a local, which FastAPI
# must see evaluated in the signature.

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from parcours.db.engine import make_engine, make_session_factory
from parcours.events.outbox import events_after, oldest_kept_position
from parcours.events.payload import CURSOR_MAX_LENGTH, BadCursor, EventCursors, event_document
from parcours.http_api import wording
from parcours.http_api.problems import problem_response, problem_responses
from parcours.settings import Settings

INVALID_CURSOR = "Ce curseur (after) n'a pas été donné par ce service : reprenez avec le dernier `next_cursor` reçu."
# A poller away longer than the feed's retention (PARCOURS_EVENT_FEED_RETENTION): the events after
# its cursor were purged (parcours/db/retention.py). Said, rather than a page that skips them.
EVENTS_PURGED = ("Les événements qui suivent ce curseur (after) ne sont plus conservés : le flux garde {retention} "
                 "d'événements. Reprenez sans curseur, depuis le plus ancien événement conservé, puis rapprochez "
                 "vos données de celles du service (des événements vous ont manqué).")
TITLE_EVENTS_PURGED = "Événements plus conservés"


def duration_in_french(duration: timedelta) -> str:
    """« 30 jours », « 12 heures », « 45 minutes »: the largest whole unit."""
    for unit, name in ((timedelta(days=1), "jour"), (timedelta(hours=1), "heure"), (timedelta(minutes=1), "minute")):
        if duration >= unit and duration % unit == timedelta(0):
            count = duration // unit
            return f"{count} {name}{'s' if count > 1 else ''}"
    return f"{int(duration.total_seconds())} secondes"


class EventFeedPage(BaseModel):
    events: list[dict[str, Any]]  # {id, type, timestamp, data: refs} as the webhooks post them
    next_cursor: str  # give it as `after` for the events that follow; the same when none did


def events_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["events"], responses=problem_responses(410, 422))
    max_limit = settings.event_feed_max_limit
    cursors: list[EventCursors] = []  # made at the first poll: an app without the feed needs no key

    @router.get("/events", summary="Events for the services, after a cursor, oldest first",
                response_model=EventFeedPage)
    async def feed(request: Request, after: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None,
                   limit: Annotated[int, Query(ge=1, le=max_limit)] = max_limit) -> EventFeedPage | JSONResponse:
        if not cursors:
            cursors.append(EventCursors(settings.require_secret_key()))
        try:
            position = cursors[0].decode(after)
        except BadCursor:
            return problem_response(request, 422, "invalid_cursor", wording.TITLE_INVALID_INPUT, INVALID_CURSOR)
        sessions = request.app.state.event_sessions
        if sessions is None:  # one engine for the API's life, made at the first poll
            request.app.state.event_engine = make_engine(settings.database_url)
            sessions = request.app.state.event_sessions = make_session_factory(request.app.state.event_engine)
        async with sessions() as session:
            oldest = await oldest_kept_position(session)
            if after and oldest is not None and position < oldest - 1:  # positions have no gaps but purged ones
                return problem_response(request, 410, "events_purged", TITLE_EVENTS_PURGED,
                                        EVENTS_PURGED.format(retention=duration_in_french(settings.event_feed_retention)))
            events = await events_after(session, position, limit)
        last = events[-1].position if events else position
        return EventFeedPage(events=[event_document(event) for event in events],
                             next_cursor=cursors[0].encode(last if last is not None else position))

    return router

