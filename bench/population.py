"""What the benchmark's journeys meet: one school record (a guardian, one child, a provisioned
account) per journey, written in bulk into the application database, and the HTTP SMS gateway that
keeps the codes sent."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import insert

from parcours.activities.dependencies import ActivityDependencies
from parcours.db.models import Account, AccountStatus, GuardianRecord, GuardianStudentLink, LinkRole, StudentRecord
from parcours.security.crypto import new_reference
from parcours.settings import Settings
from parcours.testing import prepare_schema

BIRTH_DATE = date(2014, 1, 1)
SEED_BATCH = 1000


def letters(number: int) -> str:
    """A name part from a number (names are letters only): 0 -> "a", 27 -> "bb"."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord("a") + digit) + text
        if number == 0:
            return text


def mobile(index: int) -> str:
    return f"+3361{index:07d}"


def identity(index: int) -> dict:
    """What the journey of school record `index` types at its first step."""
    return {"channel": "sms", "last_name": f"Banc{letters(index)}", "first_name": "Alex", "mobile": mobile(index)}


async def seed_school_records(settings: Settings, guardians: int) -> None:
    """One guardian (with one child) per journey, in a database emptied first (a server database
    keeps an earlier run's rows: its tables are made again)."""
    dependencies = ActivityDependencies.from_settings(settings)
    await prepare_schema(dependencies, fresh=True)
    async with dependencies.sessions.begin() as session:
        for start in range(0, guardians, SEED_BATCH):
            indexes = range(start, min(start + SEED_BATCH, guardians))
            await session.execute(insert(GuardianRecord), [
                dict(id=i + 1, last_name=f"Banc{letters(i)}", first_name="Alex", mobile=mobile(i)) for i in indexes])
            await session.execute(insert(StudentRecord), [
                dict(id=i + 1, ref=f"stu-bench-{i}", last_name=f"Banc{letters(i)}", first_name="Sam",
                     birth_date=BIRTH_DATE, school="École", class_name="CM1") for i in indexes])
            await session.execute(insert(GuardianStudentLink), [
                dict(guardian_id=i + 1, student_id=i + 1, role=LinkRole.LEGAL_REPRESENTATIVE) for i in indexes])
            await session.execute(insert(Account), [
                dict(ref=new_reference(), kind="guardian", guardian_id=i + 1, identifier=f"a.banc{letters(i)}1",
                     status=AccountStatus.PROVISIONED) for i in indexes])
    await dependencies.engine.dispose()


class SmsReceiver:
    """The SMS gateway of the benchmark: keeps the last code sent to each number."""

    def __init__(self):
        self.codes: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                found = re.search(r"\b(\d{6})\b", body["text"])
                if found:
                    receiver.codes[body["to"]] = found.group(1)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    async def code_for(self, number: str) -> str:
        for _ in range(2000):
            if number in self.codes:
                return self.codes.pop(number)
            await asyncio.sleep(0.005)
        raise RuntimeError(f"no SMS to {number}")
