"""`parcours demo` and `parcours inbox`: what a tester reads to try a journey — the demo records
with the account identifiers the README uses, and the codes and links the dev providers 'sent'.
Values are printed whole (never wrapped nor cut): they are copied into the next command."""

from __future__ import annotations

from typing import Any

import typer

from parcours.cli_common import Output, app, emit, say


def demo_identifiers() -> dict[tuple[str, str], str]:
    """The identifier each demo account gets at load: records are loaded in order, guardians then
    student accounts, each the smallest `p.nomN` free (parcours/db/school_records.py)."""
    from parcours.db.demo import DEMO_GUARDIANS, DEMO_STUDENT_EMAILS
    from parcours.people.names import identifier_stem

    students = {s.ref: s for guardian in DEMO_GUARDIANS for s in guardian.students}
    people = [(g.first_name, g.last_name) for g in DEMO_GUARDIANS]
    people += [(students[ref].first_name, students[ref].last_name) for ref in DEMO_STUDENT_EMAILS]
    identifiers: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for first_name, last_name in people:
        stem, number = identifier_stem(first_name, last_name), 1
        while f"{stem}{number}" in taken:
            number += 1
        taken.add(identifiers.setdefault((first_name, last_name), f"{stem}{number}"))
    return identifiers


def demo_records() -> dict[str, Any]:
    from parcours.db.demo import DEMO_ACTIVE_PASSWORD, DEMO_GUARDIANS, DEMO_STUDENT_EMAILS, demo_status

    identifiers = demo_identifiers()
    students = {s.ref: s for guardian in DEMO_GUARDIANS for s in guardian.students}
    return {
        "guardians": [{"name": f"{g.first_name} {g.last_name}", "identifier": identifiers[(g.first_name, g.last_name)],
                       "mobile": g.mobile, "email": g.email, "account": demo_status(g),
                       "children": [{"name": f"{s.first_name} {s.last_name}", "ref": s.ref,
                                     "birth_date": f"{s.birth_date:%d %m %Y}"} for s in g.students]}
                      for g in DEMO_GUARDIANS],
        "students": [{"ref": ref, "identifier": identifiers[(students[ref].first_name, students[ref].last_name)],
                      "email": email, "password": DEMO_ACTIVE_PASSWORD} for ref, email in DEMO_STUDENT_EMAILS.items()],
    }


@app.command()
def demo() -> None:
    """The demo school records: who can activate, with what, the children's birth dates, and each
    account's identifier (s.bernard1, s.bernard2… as the README uses them)."""
    records = demo_records()
    emit(records)
    for guardian in records["guardians"]:
        say(f"{guardian['name']} — identifiant {guardian['identifier']} — mobile {guardian['mobile'] or 'aucun'} — "
            f"email {guardian['email'] or 'aucun'} — {guardian['account']}")
        for child in guardian["children"]:
            say(f"  enfant : {child['name']} ({child['ref']}, né(e) le {child['birth_date']})")
    for student in records["students"]:
        say(f"Compte élève actif {student['identifier']} ({student['ref']}, {student['email'] or 'sans email'}), "
            f"mot de passe {student['password']}")


@app.command()
def inbox(last: int = typer.Option(5, help="How many of the latest messages to show.")) -> None:
    """The dev inbox: SMS and mails the dev providers 'sent' (links printed whole, to copy)."""
    from parcours.messaging.providers import DevInbox
    from parcours.settings import get_settings

    messages = DevInbox(get_settings().dev_inbox_path).read()[-last:] if last > 0 else []
    emit(messages, None if messages or Output.json else "the dev inbox is empty")
    for message in messages:
        say(f"{message['at']} {message['channel']} to {message['to']}"
            + (f" — {message['subject']}" if message.get("subject") else ""))
        for line in message["body"].strip().splitlines():
            say(f"  {line}")
