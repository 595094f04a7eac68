"""Records the histories the replay test (tests/test_replay.py) replays against today's workflows:

    .venv/bin/python -m tests.record_histories          # from the repository's root

Every journey kind is run through its main paths (updates, and timers: code and link expiry, idle
abandonment) on the time-skipping server, and each workflow it started is written as JSON to
tests/histories/<Parcours version>/<workflow type>--<scenario>[-<n>].json, replacing what that
version's folder held. Run it after each change to a workflow and at each release; keep the folders of
earlier versions while journeys of theirs may be open (docs/deploys.md).

Payloads are encrypted as in production (parcours/temporal/codec.py) with HISTORY_PAYLOAD_KEYS, a key committed
for these recordings alone: the demo records' data and passwords, never a deployment's."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from temporalio.client import Client, Interceptor, OutboundInterceptor, StartWorkflowInput, WorkflowExecutionStatus

from parcours.client import ParcoursClient
from parcours.contracts.events import (
    EVENTS_RELAY_ID,
    RESUME_UPDATE,
    SKIP_UPDATE,
    RelayStart,
    SubscriberStart,
    subscriber_workflow_id,
)
from parcours.contracts.retention import RETENTION_SCHEDULE_ID, PurgeProgress
from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_PROVISIONAL_PASSWORD
from parcours.settings import EventWebhook, Settings
from parcours.testing import Inbox, free_port, running_parcours, settings_for, start_time_skipping_env
from parcours.workflows.events_relay import EventsRelayWorkflow
from parcours.workflows.events_subscriber import EventsSubscriberWorkflow
from parcours.workflows.retention_purge import RetentionPurgeWorkflow
from tests.activation_helpers import CAMILLE_SMS, GOOD_PASSWORD, LEA
from tests.waiting import settled

HISTORY_PAYLOAD_KEYS = "histories:Kns6k0FgyglZJoRiUin4haQurupGb1m8MgwT+ZB9QHE="
HISTORIES = Path(__file__).parent / "histories"
CODE_VALIDITY_PASSED = timedelta(minutes=30, seconds=1)
IDLE_LIFETIME_PASSED = timedelta(hours=24, seconds=1)
CAMILLE_FC = {"subject": "fc-sub-camille-0001", "family_name": "MARTIN", "given_name": "Camille",
              "birth_date": "1985-04-12", "email": "Camille.Martin@example.org"}
SOPHIE = "s.bernard1"
NEW_PASSWORD = "Nouveau-Cartable-7!"
RELAY_POLL = timedelta(seconds=1)
HISTORY_SUBSCRIBER = "history"
HISTORY_WEBHOOK_SECRET = "whsec_aGlzdG9yaWVzLW9ubHktbm90LWEtcmVhbC1zZWNyZXQ="  # for these recordings alone


def history_settings(directory: Path) -> Settings:
    """Settings whose payload keys are the recordings' (a recorder's worker, the replayer), and a
    webhook subscriber that never answers (nothing listens on its port)."""
    return settings_for(directory, payload_keys=HISTORY_PAYLOAD_KEYS,
                        event_webhooks=[EventWebhook(name=HISTORY_SUBSCRIBER, url=f"http://127.0.0.1:{free_port()}/",
                                                     secret=HISTORY_WEBHOOK_SECRET)])


class _StartedWorkflows(Interceptor):
    """Notes the id of every workflow the client starts, in order, with the run it started: the one
    recorded (a relay continued as new has its first run's history, CONTINUED_AS_NEW included)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.first_runs: dict[str, str | None] = {}

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        started = self

        class Noting(OutboundInterceptor):
            async def start_workflow(self, input: StartWorkflowInput):
                handle = await super().start_workflow(input)
                if input.id not in started.ids:
                    started.ids.append(input.id)
                    started.first_runs[input.id] = handle.first_execution_run_id
                return handle

        return Noting(next)


def link_token(inbox: Inbox, to: str) -> str:
    mail = [message for message in inbox.messages() if message["to"] == to][-1]
    return parse_qs(urlparse(re.search(r"http\S+", mail["body"]).group(0)).query)["jeton"][0]


async def signed_in(parcours: ParcoursClient, identifier: str = SOPHIE, password: str = DEMO_ACTIVE_PASSWORD) -> str:
    return (await parcours.sign_in(identifier, password)).account_ref


# -- the scenarios: (parcours, inbox, env) -> None ---------------------------------------------------

async def activation_by_sms(parcours, inbox, env) -> None:
    journey, _ = await parcours.start_activation(CAMILLE_SMS)
    await journey.submit_code(inbox.last_code())
    await journey.answer_child(LEA)
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)


async def activation_code_expired_then_resent(parcours, inbox, env) -> None:
    journey, _ = await parcours.start_activation(CAMILLE_SMS)
    await env.sleep(CODE_VALIDITY_PASSED)
    await journey.resend_code()
    await journey.submit_code(inbox.last_code())
    await journey.answer_child(LEA)
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)


async def activation_abandoned(parcours, inbox, env) -> None:
    await parcours.start_activation(CAMILLE_SMS)
    await env.sleep(IDLE_LIFETIME_PASSED)


async def password_change(parcours, inbox, env) -> None:
    journey = await parcours.start_password_change(await signed_in(parcours))
    await journey.change_password(DEMO_ACTIVE_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)


async def identifier_recovery(parcours, inbox, env) -> None:
    journey, _ = await parcours.start_identifier_recovery({"channel": "mail", "email": "sophie.bernard@example.org"})
    await settled(journey)


async def password_reset_by_mail(parcours, inbox, env) -> None:
    journey, _ = await parcours.start_password_reset({"channel": "mail", "identifier": SOPHIE,
                                                      "email": "sophie.bernard@example.org"})
    await settled(journey)
    token = link_token(inbox, "sophie.bernard@example.org")
    await journey.open_link(token)
    await journey.choose_password(token, NEW_PASSWORD, NEW_PASSWORD)


async def password_reset_link_expired(parcours, inbox, env) -> None:
    journey, _ = await parcours.start_password_reset({"channel": "mail", "identifier": SOPHIE,
                                                      "email": "sophie.bernard@example.org"})
    await settled(journey)
    await env.sleep(timedelta(hours=1, minutes=1))
    await settled(journey, leaving="link_sent")


async def password_reset_by_sms_code_expired(parcours, inbox, env) -> None:
    journey, _ = await parcours.start_password_reset({"channel": "sms", "identifier": SOPHIE})
    await settled(journey)
    await env.sleep(CODE_VALIDITY_PASSED)
    await journey.resend_code()
    await journey.submit_code(inbox.last_code())
    await journey.choose_password(None, NEW_PASSWORD, NEW_PASSWORD)


async def children(parcours, inbox, env) -> None:
    account_ref = await signed_in(parcours)
    await parcours.account_view(account_ref)
    journey = await parcours.start_children_confirmation(account_ref)
    await journey.answer_child({"student_ref": "stu-tom-bernard", "is_guardian": True, "birth_date": "01 01 2015"})
    await journey.answer_child({"student_ref": "stu-tom-bernard", "is_guardian": True, "birth_date": "05 11 2015"})
    await parcours.report_link(account_ref, "stu-tom-bernard")


async def merge(parcours, inbox, env) -> None:
    journey = await parcours.start_merge(await signed_in(parcours))
    await journey.merge("s.bernard2", DEMO_PROVISIONAL_PASSWORD)


async def email_change(parcours, inbox, env) -> None:
    account_ref = await signed_in(parcours)
    journey = await parcours.email_change(account_ref)
    new_email = "sophie.nouvelle@example.org"
    await journey.request_change(new_email, new_email)
    token = link_token(inbox, new_email)
    await journey.open_link(token)
    await journey.confirm(token, account_ref)


async def mobile_change_code_expired(parcours, inbox, env) -> None:
    journey = await parcours.mobile_change(await signed_in(parcours))
    await journey.request_change("07 81 22 33 44")
    await env.sleep(CODE_VALIDITY_PASSED)
    await journey.resend_code()
    await journey.submit_code(inbox.code_sent_to("+33781223344"))


async def letter_activation(parcours, inbox, env) -> None:
    journey = await parcours.start_letter_activation()
    await journey.submit_credentials("s.bernard2", DEMO_PROVISIONAL_PASSWORD)
    await journey.submit_details("sophie.lycee@example.org", GOOD_PASSWORD, GOOD_PASSWORD)


async def franceconnect_activation(parcours, inbox, env) -> None:
    journey = await parcours.start_franceconnect_activation(CAMILLE_FC)
    await journey.answer_child(LEA)


async def events_relay(parcours, inbox, env) -> None:
    """The relay through two steps (an activity, a timer each), then continued as new."""
    start = RelayStart(poll_interval=RELAY_POLL, step_timeout=RELAY_POLL * 10, retry_initial=RELAY_POLL,
                       retry_maximum=RELAY_POLL * 10, steps_per_run=2)
    handle = await parcours.client.start_workflow(EventsRelayWorkflow.run, start, id=EVENTS_RELAY_ID,
                                         task_queue=parcours.task_queue)
    first_run = parcours.client.get_workflow_handle(EVENTS_RELAY_ID, run_id=handle.first_execution_run_id)
    while (await first_run.describe()).status == WorkflowExecutionStatus.RUNNING:
        await env.sleep(RELAY_POLL)


async def events_subscriber(parcours, inbox, env) -> None:
    """An activation's events given positions by one relay step, then a subscriber that never
    answers: held after its tries, skipped past one event, held again, resumed, held again."""
    await activation_by_sms(parcours, inbox, env)
    await parcours.client.start_workflow(EventsRelayWorkflow.run, RelayStart(
        poll_interval=RELAY_POLL, step_timeout=RELAY_POLL * 10, retry_initial=RELAY_POLL,
        retry_maximum=RELAY_POLL * 10, steps_per_run=1), id=EVENTS_RELAY_ID, task_queue=parcours.task_queue)
    start = SubscriberStart(poll_interval=RELAY_POLL, step_timeout=RELAY_POLL * 10, retry_initial=RELAY_POLL,
                            retry_maximum=RELAY_POLL * 10, steps_per_run=10, subscriber=HISTORY_SUBSCRIBER,
                            give_up_after=RELAY_POLL)
    subscriber = await parcours.client.start_workflow(EventsSubscriberWorkflow.run, start,
                                                      id=subscriber_workflow_id(HISTORY_SUBSCRIBER),
                                                      task_queue=parcours.task_queue)
    for update in (SKIP_UPDATE, RESUME_UPDATE, None):
        while (await subscriber.query(EventsSubscriberWorkflow.status)).failing is None:
            await env.sleep(RELAY_POLL)
        if update is not None:
            await subscriber.execute_update(update)


async def retention_purge(parcours, inbox, env) -> None:
    """A purge as its Schedule starts it (the test server has no Schedules: started directly)."""
    await parcours.client.execute_workflow(RetentionPurgeWorkflow.run, PurgeProgress(), id=RETENTION_SCHEDULE_ID,
                                           task_queue=parcours.task_queue)


SCENARIOS: list[Callable[..., Awaitable[None]]] = [
    activation_by_sms, activation_code_expired_then_resent, activation_abandoned, password_change,
    identifier_recovery, password_reset_by_mail, password_reset_link_expired, password_reset_by_sms_code_expired,
    children, merge, email_change, mobile_change_code_expired, letter_activation, franceconnect_activation,
    events_relay, events_subscriber, retention_purge,
]


async def record(scenario, directory: Path, into: Path) -> list[Path]:
    """Runs one scenario on a server and database of its own; writes the histories of what it started."""
    settings = history_settings(directory)
    env = await start_time_skipping_env(settings)
    try:
        started = _StartedWorkflows()
        client = Client(**{**env.client.config(), "interceptors": [started]})
        with env.auto_time_skipping_disabled():  # time moves when the scenario says so
            async with running_parcours(client, settings, update_with_start=False) as (parcours, _):
                await scenario(parcours, Inbox(settings.dev_inbox_path), env)
                histories = [await client.get_workflow_handle(id, run_id=started.first_runs[id]).fetch_history()
                             for id in started.ids]
    finally:
        await env.shutdown()
    written, name = [], scenario.__name__.replace("_", "-")
    for history in histories:
        workflow_type = history.events[0].workflow_execution_started_event_attributes.workflow_type.name
        same_type = sum(path.name.startswith(f"{workflow_type}--{name}") for path in written)
        path = into / f"{workflow_type}--{name}{f'-{same_type + 1}' if same_type else ''}.json"
        path.write_text(history.to_json())
        written.append(path)
    return written


async def record_all() -> Path:
    into = HISTORIES / version("parcours")
    into.mkdir(parents=True, exist_ok=True)
    for old in into.glob("*.json"):
        old.unlink()
    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory() as directory:
            for path in await record(scenario, Path(directory), into):
                print(path.relative_to(HISTORIES.parent.parent))
    return into


if __name__ == "__main__":
    asyncio.run(record_all())
