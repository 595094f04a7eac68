"""`parcours events`: the operator's view of the webhook subscribers (docs/events.md) — where each
one is, which is held as failing — and the way past one held: resume it (after fixing the
service), or skip the one event it refuses (the pull feed still serves it)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from parcours.cli_common import emit, run_async, say, temporal_client
from parcours.cli_errors import CliProblem, invalid_input
from parcours.cli_group import sub_app
from parcours.contracts.events import (
    RESUME_UPDATE,
    SKIP_UPDATE,
    STATUS_QUERY,
    SkippedEvent,
    SubscriberStatus,
    subscriber_workflow_id,
)
from parcours.settings import get_settings

events_app = sub_app("Events out: the webhook subscribers, and the way past one held as failing (docs/events.md).")
SUBSCRIBER_HELP = "The subscriber's name (PARCOURS_EVENT_WEBHOOKS)."
UNKNOWN = "Abonné inconnu : « {name} » (PARCOURS_EVENT_WEBHOOKS : {known})."
NOT_RUNNING = "La livraison à « {name} » ne tourne pas : démarrez un worker (il la relance)."


def configured(name: str) -> str:
    known = [hook.name for hook in get_settings().event_webhooks]
    if name not in known:
        raise invalid_input("SUBSCRIBER", UNKNOWN.format(name=name, known=", ".join(known) or "aucun"))
    return name


async def subscriber_update(name: str, update: str, result_type: type | None = None):
    workflow_id = subscriber_workflow_id(configured(name))
    handle = (await temporal_client()).get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update, result_type=result_type)
    except WorkflowUpdateFailedError as refused:  # not held: the validator's French message
        raise CliProblem("refused", str(refused.cause)) from None
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise CliProblem("refused", NOT_RUNNING.format(name=name)) from None


@events_app.command("status")
@run_async
async def status_command() -> None:
    """Each subscriber: delivering, or held as failing (since when, why), with its backlog."""
    from parcours.db.engine import make_engine, make_session_factory
    from parcours.events.outbox import cursor_of, waiting_for

    settings = get_settings()
    client, engine = await temporal_client(), make_engine(settings.database_url)
    rows = []
    try:
        for hook in settings.event_webhooks:
            async with make_session_factory(engine)() as session:
                count, oldest = await waiting_for(session, await cursor_of(session, hook.name))
            try:
                state = await client.get_workflow_handle(subscriber_workflow_id(hook.name)).query(
                    STATUS_QUERY, result_type=SubscriberStatus)
            except RPCError:  # not started yet (no worker since it was added)
                state = SubscriberStatus(subscriber=hook.name, failing=None, failing_since=None)
            age = 0 if oldest is None else round((datetime.now(UTC) - oldest).total_seconds())
            rows.append({**state.model_dump(), "backlog": count, "oldest_waiting_seconds": age})
            held = f"EN ÉCHEC depuis {state.failing_since} ({state.failing})" if state.failing else "livre"
            say(f"{hook.name} : {held} ; {count} événement(s) en attente, le plus ancien depuis {age} s")
    finally:
        await engine.dispose()
    emit(rows)  # for --json: one array, a subscriber each


@events_app.command("resume")
@run_async
async def resume_command(subscriber: str = typer.Argument(..., metavar="SUBSCRIBER", help=SUBSCRIBER_HELP)) -> None:
    """Deliver again to a subscriber held as failing, from its first event not taken (after the
    service was fixed): tried again with backoff, held again if it still fails."""
    await subscriber_update(subscriber, RESUME_UPDATE)
    emit({"subscriber": subscriber, "resumed": True}, f"« {subscriber} » reprend ses livraisons.")


@events_app.command("skip")
@run_async
async def skip_command(subscriber: str = typer.Argument(..., metavar="SUBSCRIBER", help=SUBSCRIBER_HELP)) -> None:
    """Pass the one event a subscriber held as failing refuses (never sent to it again by
    webhook: the pull feed still has it), then deliver the next ones."""
    skipped: SkippedEvent = await subscriber_update(subscriber, SKIP_UPDATE, SkippedEvent)
    emit({"subscriber": subscriber, **skipped.model_dump()},
         f"« {subscriber} » : événement {skipped.event_id} passé, livraisons reprises." if skipped.event_id
         else f"« {subscriber} » : aucun événement en attente, livraisons reprises.")
