"""No code or password in plain text in workflow history, the database or the logs."""

import logging
from pathlib import Path

import pytest
from google.protobuf.message import Message
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.api.history.v1 import History
from temporalio.client import Client

from parcours.db.models import Base
from tests.activation_helpers import GOOD_PASSWORD, at_code_step, LEA


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


async def test_no_code_or_password_in_history_database_or_logs(harness, inbox, time_env, settings, caplog, capfd):
    parcours, dependencies = harness
    caplog.set_level(logging.DEBUG)
    journey = await at_code_step(parcours)
    wrong_code = "000000" if inbox.last_code() != "000000" else "111111"
    await journey.submit_code(wrong_code)
    code = inbox.last_code()
    await journey.submit_code(code)
    await journey.answer_child(LEA)
    await journey.choose_password(GOOD_PASSWORD, GOOD_PASSWORD)
    secrets = [code.encode(), wrong_code.encode(), GOOD_PASSWORD.encode()]

    # History as the server stores it, read without the key.
    raw_client = Client(time_env.client.service_client, namespace=time_env.client.namespace)
    history = await raw_client.get_workflow_handle(journey.journey_id).fetch_history()
    raw = History(events=history.events)
    stored = raw.SerializeToString()
    for secret in secrets:
        assert secret not in stored
    assert b"Martin" not in stored and b"+33612345678" not in stored  # personal data is encrypted too

    # The same history decrypted with the key does hold them: the search above can find them.
    decoded = await time_env.client.data_converter.payload_codec.decode(payloads_in(raw))
    readable = b"".join(payload.data for payload in decoded)
    assert GOOD_PASSWORD.encode() in readable and code.encode() in readable

    # Every row of every table, as text.
    async with dependencies.sessions() as session:
        cells = [str(value) for table in Base.metadata.sorted_tables
                 for row in (await session.execute(select(table))).all() for value in row]
    assert "c.martin1" in cells  # the search reads real data
    assert not any(GOOD_PASSWORD in cell for cell in cells)
    assert code not in cells and wrong_code not in cells
    if settings.database_url.startswith("sqlite"):  # and the files themselves, write-ahead log included
        database = Path(settings.database_url.split(":///", 1)[1])
        contents = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
        assert GOOD_PASSWORD.encode() not in contents

    # Logs, Python's and the SDK core's.
    captured = capfd.readouterr()
    logs = caplog.text + captured.out + captured.err
    for secret in secrets:
        assert secret.decode() not in logs
