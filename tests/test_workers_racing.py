"""Two worker processes on one task queue and one database, many journeys started at once so that
both race: the limits shared between journeys hold across workers, in the answers the client gets
and in the rows. On PostgreSQL (PARCOURS_TEST_DATABASE_URL, as CI runs it) that is production's
set-up; on SQLite the two processes share one file, as a second `parcours-worker` beside
`parcours up` does, and SQLite's file lock is what serialises them — the same guarantees asked of a
different mechanism, so the test runs there too rather than skip."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from parcours.activities.claims import ACTIVATION_CLAIM
from parcours.client import JourneyActionRejected, ParcoursClient
from parcours.contracts.events import EVENTS_RELAY_ID
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.db.models import JourneyClaim
from parcours.db.school_records import GuardianImport, import_guardian
from parcours.settings import Settings
from parcours.stack.embedded import WorkerProcess
from parcours.testing import Inbox, until_polling
from tests.activation_helpers import CAMILLE_SMS

pytestmark = pytest.mark.timeout(240)

RACERS = 12  # journeys started at once: enough that each worker takes some
SHARED_MOBILE = "+33610203040"  # the school's number for every guardian of the send-cap race
FIRST_NAMES = ["Alice", "Bruno", "Chloe", "David", "Emma", "Farid", "Gaelle", "Hugo", "Ines", "Jules", "Karine",
               "Louis"]


@dataclass
class TwoWorkers:
    settings: Settings
    client: Client
    parcours: ParcoursClient
    pids: set[int]
    inbox: Inbox
    sessions: object

    async def workers_that_ran(self) -> set[int]:
        """The worker processes that completed workflow tasks of the test's journeys (their
        histories say): both, or the test did not race them."""
        pids = set()
        async for journey in self.client.list_workflows(f"TaskQueue = '{self.settings.task_queue}'"):
            if journey.id == EVENTS_RELAY_ID:  # one worker runs it, whatever the journeys did
                continue
            async for event in self.client.get_workflow_handle(journey.id).fetch_history_events():
                if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                    pids.add(int(event.workflow_task_completed_event_attributes.identity.split("@")[0]))
        return pids


@pytest.fixture
def two_workers(worker_in_its_process, tmp_path):
    """The test's own dev server and database (demo records), and two worker processes polling."""

    @asynccontextmanager
    async def started(settings: Settings) -> AsyncIterator[TwoWorkers]:
        async with worker_in_its_process(settings) as stack:
            (tmp_path / "second").mkdir()
            second = WorkerProcess(stack.settings, tmp_path / "second")
            second.start()
            try:
                pids = {stack.worker.process.pid, second.process.pid}
                await until_polling(stack.client, stack.settings.task_queue, pids)
                yield TwoWorkers(stack.settings, stack.client, stack.parcours, pids,
                                 Inbox(stack.settings.dev_inbox_path), stack.dependencies.sessions)
            finally:
                second.kill()

    return started


async def outcome_or_refusal(action):
    try:
        return await action
    except JourneyActionRejected as refused:
        return refused


async def test_a_number_gets_no_more_sms_than_its_cap_when_two_workers_race(two_workers, settings):
    """RACERS guardians the school reaches on one number start their activation at once: exactly
    `cap` are told their code is sent, every other is refused with when to come back, and the
    number received `cap` SMS."""
    cap = 3
    limited = settings.model_copy(update={"sms_per_destination_per_hour": cap, "sms_per_destination_per_day": cap})
    async with two_workers(limited) as racing:
        async with racing.sessions.begin() as session:
            for first_name in FIRST_NAMES[:RACERS]:
                await import_guardian(session, GuardianImport(last_name="Coureur", first_name=first_name,
                                                              mobile=SHARED_MOBILE))
        answers = await asyncio.gather(*(
            outcome_or_refusal(racing.parcours.start_activation(
                {"channel": "sms", "last_name": "Coureur", "first_name": first_name, "mobile": SHARED_MOBILE}))
            for first_name in FIRST_NAMES[:RACERS]))
        accepted = [journey for journey, outcome in (a for a in answers if isinstance(a, tuple))
                    if outcome.status == "accepted"]
        refused = [a for a in answers if isinstance(a, JourneyActionRejected)]
        assert len(accepted) == cap and len(refused) == RACERS - cap, answers
        assert {r.reason for r in refused} == {"destination_limited"}
        assert all(r.retry_at is not None for r in refused)
        assert len([m for m in racing.inbox.messages() if m["to"] == SHARED_MOBILE]) == cap
        assert await racing.workers_that_ran() == racing.pids


async def test_failed_tries_of_an_account_are_counted_once_across_two_workers(two_workers, settings):
    """RACERS wrong passwords for one account at once: exactly `tries` are judged (invalid), the
    others are refused as locked; then even the right password is refused until the hour ends."""
    tries = 3
    limited = settings.model_copy(update={"account_failed_tries_per_hour": tries, "sign_in_max_failures": 50})
    async with two_workers(limited) as racing:
        results = await asyncio.gather(*(racing.parcours.sign_in("s.bernard1", f"Pas-Le-Bon-{n}!")
                                         for n in range(RACERS)))
        statuses = sorted(result.status for result in results)
        assert statuses == ["invalid"] * tries + ["locked"] * (RACERS - tries), statuses
        locked = {result.retry_at for result in results if result.status == "locked"}
        assert len(locked) == 1 and None not in locked  # one window, one time to come back
        right = await racing.parcours.sign_in("s.bernard1", DEMO_ACTIVE_PASSWORD)
        assert right.status == "locked" and right.retry_at in locked
        assert await racing.workers_that_ran() == racing.pids


async def test_two_workers_racing_starts_leave_one_live_activation_per_account(two_workers, settings):
    """RACERS activations of one account at once (each told its code is sent): once the newer ones
    have ended the older, one journey is live — the one the account's claim names — and every other
    says it was replaced."""
    roomy = settings.model_copy(update={"sms_per_destination_per_hour": RACERS, "sms_per_destination_per_day": RACERS})
    async with two_workers(roomy) as racing:
        answers = await asyncio.gather(*(racing.parcours.start_activation(CAMILLE_SMS) for _ in range(RACERS)))
        assert [outcome.status for _, outcome in answers] == ["accepted"] * RACERS
        await one_live_activation(racing, [journey for journey, _ in answers])


async def test_racing_starts_refused_by_the_cap_displace_nobody_and_leave_one_live_activation(two_workers, settings):
    """RACERS activations of one account at once, the number's cap letting `cap` codes out: the
    journeys refused displace nobody, and of the `cap` told their code is sent one is live (the
    claim's), the others say they were replaced. (Claimed at the identity match, a journey whose
    send was then refused displaced the live one without ever ending it: two stayed live.)"""
    cap = 4
    limited = settings.model_copy(update={"sms_per_destination_per_hour": cap, "sms_per_destination_per_day": cap})
    async with two_workers(limited) as racing:
        answers = await asyncio.gather(*(outcome_or_refusal(racing.parcours.start_activation(CAMILLE_SMS))
                                         for _ in range(RACERS)))
        accepted = [journey for journey, outcome in (a for a in answers if isinstance(a, tuple))
                    if outcome.status == "accepted"]
        assert len(accepted) == cap, answers
        await one_live_activation(racing, accepted)


async def one_live_activation(racing: TwoWorkers, journeys) -> None:
    """Once the newer journeys have ended the older, one of `journeys` is live, the one the
    account's claim names, and every other says it was replaced; both workers took part."""
    for _ in range(300):  # the superseding signals, handled by either worker
        states = [(await journey.current_step()).state for journey in journeys]
        if states.count("superseded") == len(journeys) - 1:
            break
        await asyncio.sleep(0.1)
    assert sorted(states) == ["code_sent"] + ["superseded"] * (len(journeys) - 1), states
    live = journeys[states.index("code_sent")].journey_id
    async with racing.sessions() as session:
        claimed = await session.scalar(select(JourneyClaim.journey_id).where(JourneyClaim.kind == ACTIVATION_CLAIM))
    assert claimed == live
    assert await racing.workers_that_ran() == racing.pids
