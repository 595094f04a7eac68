"""End to end on the Temporal dev server (start_local), with a real SMTP server and a real HTTP
SMS gateway: what an API layer and an operator see."""

import asyncio
import re
from datetime import timedelta

import pytest

from parcours.testing import running_parcours, settings_for
from tests.activation_helpers import CAMILLE_MAIL, CAMILLE_SMS, GOOD_PASSWORD, LEA
from tests.receivers import SmsGateway, SmtpServer

pytestmark = pytest.mark.integration


@pytest.fixture
def peers():
    with SmsGateway() as gateway, SmtpServer() as smtp:
        yield gateway, smtp


@pytest.fixture
def real_settings(tmp_path, module_keys, peers):
    gateway, smtp = peers
    return settings_for(
        tmp_path, secret_key=module_keys.secret_key, payload_keys=module_keys.payload_keys,
        sms_provider="http", sms_gateway_url=gateway.url, sms_gateway_token=gateway.token,
        mail_provider="smtp", smtp_host="127.0.0.1", smtp_port=smtp.port,
    )


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


async def test_activation_by_sms_through_the_http_gateway(dev_env, real_settings, peers):
    """R-ACT-3 … R-ACT-9 end to end, started with update-with-start (one round trip)."""
    gateway, _ = peers
    async with running_parcours(dev_env.client, real_settings) as (parcours, _):
        journey, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert outcome.step.state == "code_sent"
        [sms] = gateway.received
        assert sms["to"] == "+33612345678" and "valable 30 min" in sms["text"]
        await journey.submit_code(code_in(sms["text"]))
        await journey.answer_child(LEA)
        outcome = await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
        assert outcome.step.state == "activated" and outcome.step.identifier == "c.martin1"
        assert len(gateway.received) == 1


async def test_activation_by_mail_through_smtp(dev_env, real_settings, peers):
    _, smtp = peers
    async with running_parcours(dev_env.client, real_settings) as (parcours, _):
        journey, _ = await parcours.start_activation(CAMILLE_MAIL)
        [mail] = smtp.messages
        assert mail["To"] == "camille.martin@example.org"
        await journey.submit_code(code_in(mail.get_content()))
        await journey.answer_child(LEA)
        assert (await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)).step.state == "activated"


async def test_gateway_outage_is_retried_and_the_code_sent_once(dev_env, real_settings, peers):
    """The SMS gateway answers 503 twice: the send is retried with backoff; one SMS arrives."""
    gateway, _ = peers
    gateway.queued_statuses = [503, 503]
    async with running_parcours(dev_env.client, real_settings) as (parcours, _):
        _, outcome = await parcours.start_activation(CAMILLE_SMS)
        assert outcome.step.state == "code_sent"
    assert gateway.requests == 3 and len(gateway.received) == 1


async def test_operators_find_journeys_by_kind_and_state(dev_env, real_settings):
    """Operators find a journey in the Temporal UI by kind, state and account (visibility query);
    with `operator_state_lag` 0, each state as soon as it is reached."""
    at_once = real_settings.model_copy(update={"operator_state_lag": timedelta(0)})
    async with running_parcours(dev_env.client, at_once) as (parcours, _):
        journey, _ = await parcours.start_activation(CAMILLE_SMS)
        query = f"JourneyKind = 'activation' AND JourneyState = 'code_sent' AND WorkflowId = '{journey.journey_id}'"
        for _ in range(50):  # visibility is eventually consistent
            found = [wf.id async for wf in dev_env.client.list_workflows(query)]
            if found:
                break
            await asyncio.sleep(0.1)
        assert found == [journey.journey_id]
        description = await dev_env.client.get_workflow_handle(journey.journey_id).describe()
        assert (await description.static_summary()).startswith("Activation")


async def test_journey_survives_a_worker_restart(dev_env, real_settings, peers):
    """A restart of the worker loses no journey and sends nothing twice."""
    gateway, _ = peers
    async with running_parcours(dev_env.client, real_settings) as (parcours, _):
        journey, _ = await parcours.start_activation(CAMILLE_SMS)
    async with running_parcours(dev_env.client, real_settings, demo_records=False) as (parcours, _):
        journey = parcours.activation(journey.journey_id)
        await journey.submit_code(code_in(gateway.received[0]["text"]))
        await journey.answer_child(LEA)
        assert (await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)).step.state == "activated"
    assert len(gateway.received) == 1


async def test_a_new_user_activates_a_demo_guardian_from_the_cli(dev_env, tmp_path, module_keys, monkeypatch):
    """The README's walk-through: start, read the inbox, code, child, password — from the CLI."""
    from typer.testing import CliRunner

    from parcours.cli import app
    from parcours.settings import get_settings

    settings = settings_for(tmp_path, secret_key=module_keys.secret_key, payload_keys=module_keys.payload_keys)
    environment = {
        "PARCOURS_TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "PARCOURS_TASK_QUEUE": settings.task_queue,
        "PARCOURS_DATABASE_URL": settings.database_url,
        "PARCOURS_DEV_INBOX_PATH": str(settings.dev_inbox_path),
        "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value(),
        "PARCOURS_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(),
        "COLUMNS": "200",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    runner = CliRunner()

    async with running_parcours(dev_env.client, settings):
        start = ["activation", "start", "--channel", "sms",
                 "--last-name", "Martin", "--first-name", "Camille", "--mobile", "06 12 34 56 78"]
        result = await asyncio.to_thread(runner.invoke, app, start)
        assert result.exit_code == 0, result.output
        journey_id = re.search(r"activation/\S+", result.output).group(0)
        inbox = await asyncio.to_thread(runner.invoke, app, ["inbox"])
        code = code_in(inbox.output)
        for arguments in (["activation", "code", journey_id, code],
                          ["activation", "child", journey_id, "stu-lea-martin", "--birth-date", "02 03 2014"],
                          ["activation", "password", journey_id,
                           "--password", GOOD_PASSWORD, "--confirmation", GOOD_PASSWORD]):
            result = await asyncio.to_thread(runner.invoke, app, arguments)
            assert result.exit_code == 0, result.output
        assert "Votre compte a été activé avec succès" in result.output and "c.martin1" in result.output
    get_settings.cache_clear()
