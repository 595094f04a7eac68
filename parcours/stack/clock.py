"""The tester mode's clock: the time-skipping test server's time, read and moved forward.

Between advances the test server's clock runs at wall speed; an advance fires every timer due on
the way. The server skips no time while a workflow task is outstanding, so a workflow started on a
task queue nobody polls blocks every later advance (until the server restarts, even once that
workflow is terminated): `advance` looks for such workflows first and waits a bounded time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from google.protobuf.empty_pb2 import Empty
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.api.workflowservice.v1 import ListOpenWorkflowExecutionsRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from parcours.cli_errors import CliProblem

DURATION = re.compile(r"^(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?$")
TIMED_OUT = (RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED)  # the SDK's "Timeout expired" is CANCELLED
QUEUE_NOBODY_POLLS = (
    "Le temps est bloqué : {workflows} sur une file de tâches qu'aucun worker n'écoute (le worker de la pile "
    "écoute « {polled} »), et le serveur de test ne saute pas le temps tant qu'une tâche attend. Redémarrez "
    "`parcours up --tester` (terminer ces parcours ne débloque pas le serveur)."
)
TIME_STUCK = (
    "L'horloge n'a pas avancé en {seconds:g} s (PARCOURS_CLOCK_ADVANCE_TIMEOUT) : le serveur de test ne saute plus "
    "le temps, sans doute à cause d'un parcours lancé sur une file de tâches qu'aucun worker n'écoute (même terminé, "
    "il le bloque). Redémarrez `parcours up --tester`."
)


def parse_duration(text: str) -> timedelta:
    """'31m', '1h30m', '2d', '90s' -> a timedelta; anything else is a ValueError naming the format."""
    match = DURATION.match(text.strip().lower())
    if not text.strip() or match is None:
        raise ValueError(f"« {text} » n'est pas une durée comme 31m, 1h30m, 2d ou 90s.")
    return timedelta(**{unit: int(value) for unit, value in match.groupdict().items() if value})


def shown(moment: datetime) -> str:
    """A test-server time to the millisecond (an advance of a few ms must show)."""
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} UTC"


async def current_time(client: Client) -> datetime:
    response = await client.test_service.get_current_time(Empty())
    return response.time.ToDatetime().replace(tzinfo=UTC)


async def workflows_on_unpolled_queues(client: Client, polled_queue: str) -> list[tuple[str, str]]:
    """(workflow id, task queue) of the open workflows on another queue than the stack worker's.
    The test server lists open workflows without their queue: each is described."""
    listed = await client.workflow_service.list_open_workflow_executions(
        ListOpenWorkflowExecutionsRequest(namespace=client.namespace))
    found = []
    for execution in listed.executions:
        workflow_id = execution.execution.workflow_id
        description = await client.get_workflow_handle(workflow_id, run_id=execution.execution.run_id).describe()
        if description.task_queue != polled_queue:
            found.append((workflow_id, description.task_queue))
    return found


# `timeout` is the RPC deadline the test server gets, not a local wait asyncio.timeout could replace.
async def advance(client: Client, duration: timedelta, *, polled_queue: str, timeout: timedelta,  # noqa: ASYNC109
                  ) -> datetime:
    """Move the test server's clock forward by `duration`, firing every timer due on the way (the
    journeys' workflow tasks run as it goes); returns the new time. Refused, naming them, while
    workflows wait on a queue nobody polls; given up after `timeout` when time does not move."""
    blocking = await workflows_on_unpolled_queues(client, polled_queue)
    if blocking:
        workflows = ", ".join(f"{workflow_id} (file « {queue} »)" for workflow_id, queue in blocking)
        raise CliProblem("time_blocked", QUEUE_NOBODY_POLLS.format(workflows=workflows, polled=polled_queue))
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    try:
        await client.test_service.unlock_time_skipping_with_sleep(request, timeout=timeout)
    except RPCError as error:
        if error.status not in TIMED_OUT:
            raise
        raise CliProblem("time_blocked", TIME_STUCK.format(seconds=timeout.total_seconds())) from None
    return await current_time(client)
