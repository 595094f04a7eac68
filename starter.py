"""Starts one demo activation and drives it to the end, printing each step: `python starter.py`.

Run it beside the embedded stack (`bash scripts/up`, which runs a worker), with the project's
interpreter: `.venv/bin/python starter.py [--first-name …] [--last-name …]`. It plays the guardian
of the demo school records: identity, the SMS code read from the dev inbox, each child's birth
date, a password. A guardian already activated is told so (pick another one: `parcours demo`).
The same calls an API layer makes, through parcours.client."""

from __future__ import annotations

import argparse
import asyncio
import secrets

from parcours.client import ParcoursClient
from parcours.db.demo import DEMO_GUARDIANS
from parcours.settings import get_settings
from parcours.temporal.connection import connect
from parcours.testing import Inbox

INBOX_WAIT_SECONDS = 10  # the send happens while the update is answered; the file may lag a little


def print_step(label: str, result) -> None:
    step = getattr(result, "step", result)
    status = f"{result.status}: {result.message}" if step is not result else ""
    print(f"{label:<10} state {step.state:<20} {status}")
    for message in step.messages:
        print(f"{'':<10} « {message} »")


async def code_sent_after(inbox: Inbox, seen: int) -> str:
    for _ in range(INBOX_WAIT_SECONDS * 10):
        if len(inbox.messages()) > seen:
            return inbox.last_code()
        await asyncio.sleep(0.1)
    raise SystemExit("no SMS reached the dev inbox: is the stack's worker running (bash scripts/up)?")


async def main(first_name: str, last_name: str) -> None:
    guardian = next((g for g in DEMO_GUARDIANS if (g.first_name, g.last_name) == (first_name, last_name)), None)
    if guardian is None or not guardian.mobile:
        raise SystemExit(f"{first_name} {last_name} is not a demo guardian with a mobile (see `parcours demo`)")
    settings = get_settings()
    parcours = ParcoursClient.from_settings(await connect(settings), settings)
    inbox = Inbox(settings.dev_inbox_path)
    seen = len(inbox.messages())

    journey, _ = await parcours.start_activation()
    print_step("started", await journey.current_step())
    outcome = await journey.submit_identity({"channel": "sms", "last_name": last_name, "first_name": first_name,
                                             "mobile": guardian.mobile})
    print_step("identity", outcome)
    if outcome.step.state != "code_sent":
        return
    outcome = await journey.submit_code(await code_sent_after(inbox, seen))
    print_step("code", outcome)
    birth_dates = {student.ref: student.birth_date for student in guardian.students}
    for child in outcome.step.children:
        outcome = await journey.answer_child({"student_ref": child.student_ref, "is_guardian": True,
                                              "birth_date": birth_dates[child.student_ref].isoformat()})
        print_step("child", outcome)
    password = f"Demo-{secrets.token_urlsafe(9)}"  # printed once, like a user who notes it
    outcome = await journey.choose_password(password, password)
    print_step("password", outcome)
    print(f"identifier {outcome.step.identifier}, password {password}")


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--first-name", default="Camille")
    arguments.add_argument("--last-name", default="Martin")
    options = arguments.parse_args()
    asyncio.run(main(options.first_name, options.last_name))
