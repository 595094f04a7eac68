"""No code or password in plain text in workflow history, the database or the logs."""

import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from google.protobuf.message import Message
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History
from temporalio.client import Client

from parcours.db.models import Base
from tests.activation_helpers import GOOD_PASSWORD, LEA, at_code_step
from tests.waiting import settled


def payloads_in(message: Message) -> list[Payload]:
    """Every Payload anywhere in a proto message."""
    found = []
    for field, value in message.ListFields():
        if field.message_type and field.message_type.GetOptions().map_entry:
            values = value.values()
        elif isinstance(value, (Message, str, bytes, int, float, bool)):
            values = [value]
        else:  # a repeated field
            values = value
        for item in values:
            if isinstance(item, Payload):
                found.append(item)
            elif isinstance(item, Message):
                found.extend(payloads_in(item))
    return found


async def assert_nowhere_in_clear(secrets: list[str], journey_ids: list[str], time_env, dependencies, settings,
                                  logs: str) -> None:
    """None of `secrets` in any journey's raw history, any database row or file, or the logs."""
    raw_client = Client(time_env.client.service_client, namespace=time_env.client.namespace)
    readable = b""
    for journey_id in journey_ids:
        history = await raw_client.get_workflow_handle(journey_id).fetch_history()
        raw = History(events=history.events)
        stored = raw.SerializeToString()
        for secret in secrets:
            assert secret.encode() not in stored, (journey_id, "history")
        assert b"+33" not in stored and b"@example.org" not in stored  # personal data is encrypted too
        decoded = await time_env.client.data_converter.payload_codec.decode(payloads_in(raw))
        readable += b"".join(payload.data for payload in decoded)
    for secret in secrets:  # decrypted with the key, the histories do hold them: the search above can find them
        assert secret.encode() in readable, secret

    async with dependencies.sessions() as session:
        cells = [str(value) for table in Base.metadata.sorted_tables
                 for row in (await session.execute(select(table))).all() for value in row]
    assert any("s.bernard1" in cell or "c.martin1" in cell for cell in cells)  # the search reads real data
    for secret in secrets:
        assert secret not in cells, (secret, "database")
        assert not any(secret in cell for cell in cells if len(secret) > 6), (secret, "database")
    if settings.database_url.startswith("sqlite"):  # and the files themselves, write-ahead log included
        database = Path(settings.database_url.split(":///", 1)[1])
        contents = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
        for secret in secrets:
            if len(secret) > 6:  # a 6-digit code could occur by chance in binary pages
                assert secret.encode() not in contents, (secret, "database file")
    for secret in secrets:
        assert secret not in logs, (secret, "logs")


async def test_activation_leaves_no_code_or_password_in_clear(harness, inbox, time_env, settings, caplog, capfd):
    parcours, dependencies = harness
    caplog.set_level(logging.DEBUG)
    journey = await at_code_step(parcours)
    wrong_code = "000000" if inbox.last_code() != "000000" else "111111"
    await journey.submit_code(wrong_code)
    code = inbox.last_code()
    await journey.submit_code(code)
    await journey.answer_child(LEA)
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    captured = capfd.readouterr()
    await assert_nowhere_in_clear([code, wrong_code, GOOD_PASSWORD], [journey.journey_id], time_env, dependencies,
                                  settings, caplog.text + captured.out + captured.err)


async def test_recovery_password_and_email_changes_leave_no_token_code_or_password_in_clear(
        harness, inbox, time_env, settings, caplog, capfd):
    """R-REC-3/4, R-CON-1, R-CON-3/5/7 and sign-in: the link tokens, the SMS codes and every password."""
    parcours, dependencies = harness
    caplog.set_level(logging.DEBUG)
    by_mail, _ = await parcours.start_password_reset({"channel": "mail", "identifier": "s.bernard1",
                                                      "email": "sophie.bernard@example.org"})
    await settled(by_mail)
    token = parse_qs(urlparse(re.search(r"http\S+", inbox.messages()[-1]["body"]).group(0)).query)["jeton"][0]
    await by_mail.open_link(token)
    await by_mail.choose_password(token, "Premier-Nouveau-1!", "Premier-Nouveau-1!")
    by_sms, _ = await parcours.start_password_reset({"channel": "sms", "identifier": "s.bernard1"})
    await settled(by_sms)
    code = re.search(r"\b(\d{6})\b", inbox.messages()[-1]["body"]).group(1)
    await by_sms.submit_code(code)
    await by_sms.choose_password(None, "Second-Nouveau-2!", "Second-Nouveau-2!")
    signed_in = await parcours.sign_in("s.bernard1", "Second-Nouveau-2!")
    change = await parcours.start_password_change(signed_in.account_ref)
    await change.change_password("Second-Nouveau-2!", "Troisieme-Nouveau-3!", "Troisieme-Nouveau-3!")
    email_change = await parcours.email_change(signed_in.account_ref)
    await email_change.request_change("sophie.nouvelle@example.org", "sophie.nouvelle@example.org")
    email_token = parse_qs(urlparse(re.search(r"http\S+", [m for m in inbox.messages()
                                                            if m["to"] == "sophie.nouvelle@example.org"][-1]["body"]
                                              ).group(0)).query)["jeton"][0]
    await email_change.open_link(email_token)
    await email_change.confirm(email_token, signed_in.account_ref)
    mobile_change = await parcours.mobile_change(signed_in.account_ref)
    await mobile_change.request_change("07 81 22 33 44")
    mobile_code = re.search(r"\b(\d{6})\b", inbox.messages()[-1]["body"]).group(1)
    await mobile_change.submit_code(mobile_code)
    captured = capfd.readouterr()
    await assert_nowhere_in_clear(
        [token, code, email_token, mobile_code, "Premier-Nouveau-1!", "Second-Nouveau-2!", "Troisieme-Nouveau-3!"],
        [by_mail.journey_id, by_sms.journey_id, change.journey_id, email_change.journey_id, mobile_change.journey_id],
        time_env, dependencies, settings, caplog.text + captured.out + captured.err)
