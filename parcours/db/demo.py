"""Demo school records the embedded stack loads, so a new user can try a journey at once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import func, select

from parcours.db.engine import Sessions
from parcours.db.models import Account, AccountStatus, ContactStatus, GuardianRecord, LinkRole, StudentRecord
from parcours.db.school_records import GuardianImport, StudentImport, import_guardian, provision_student_account
from parcours.security.crypto import hash_password

DEMO_ACTIVE_PASSWORD = "Demo-Compte-2026!"  # only for the demo record of an already active account
DEMO_PROVISIONAL_PASSWORD = "Provisoire-2026!"  # the second Sophie Bernard account's letter


@cache
def demo_password_hash(password: str) -> str:
    """One argon2id hash per demo password and process: `parcours up` loads the demo records once,
    but the test harness loads them for every test (four hashes, a tenth of a second each time).
    The demo passwords are public: a salt shared between databases of one process hides nothing."""
    return hash_password(password)

DEMO_GUARDIANS = [
    GuardianImport(
        last_name="Martin", first_name="Camille", mobile="06 12 34 56 78", email="camille.martin@example.org",
        students=[StudentImport(ref="stu-lea-martin", last_name="Martin", first_name="Léa",
                                birth_date=date(2014, 3, 2), school="École élémentaire Jules Ferry", class_name="CM2")],
    ),
    GuardianImport(
        last_name="Dupont-Lefèvre", first_name="Éloïse", mobile="07 98 76 54 32", email="eloise.dupont@example.org",
        students=[
            StudentImport(ref="stu-hugo-dupont", last_name="Dupont", first_name="Hugo",
                          birth_date=date(2012, 9, 21), school="Collège Victor Hugo", class_name="5e B"),
            StudentImport(ref="stu-ines-dupont", last_name="Dupont", first_name="Inès",
                          birth_date=date(2016, 1, 15), school="École élémentaire Jules Ferry", class_name="CE2",
                          role=LinkRole.PERSON_IN_CHARGE),
        ],
    ),
    GuardianImport(
        last_name="Benali", first_name="Karim", email="karim.benali@example.org",
        students=[StudentImport(ref="stu-nour-benali", last_name="Benali", first_name="Nour",
                                birth_date=date(2013, 6, 30), school="Collège Victor Hugo", class_name="6e A")],
    ),
    GuardianImport(
        last_name="Petit", first_name="Marc", mobile="06 11 22 33 44", email="marc.petit@example.org",
        students=[StudentImport(ref="stu-jade-petit", last_name="Petit", first_name="Jade",
                                birth_date=date(2014, 4, 18), school="Collège Victor Hugo", class_name="6e B")],
    ),
    GuardianImport(
        last_name="Bernard", first_name="Paul", mobile="06 77 88 99 00",
        students=[StudentImport(ref="stu-tom-bernard", last_name="Bernard", first_name="Tom",
                                birth_date=date(2015, 11, 5), school="École élémentaire Jules Ferry",
                                class_name="CE1")],
    ),
    GuardianImport(
        last_name="Bernard", first_name="Sophie", mobile="06 55 44 33 22", email="sophie.bernard@example.org",
        students=[StudentImport(ref="stu-tom-bernard", last_name="Bernard", first_name="Tom",
                                birth_date=date(2015, 11, 5), school="École élémentaire Jules Ferry",
                                class_name="CE1")],
    ),
    # The same Sophie Bernard, imported again by another school: a second, provisioned account with a
    # provisional password from the notification letter — the one to merge (R-KID-1).
    GuardianImport(
        last_name="BERNARD", first_name="Sophie",
        students=[StudentImport(ref="stu-zoe-bernard", last_name="Bernard", first_name="Zoé",
                                birth_date=date(2010, 2, 14), school="Lycée Jean Moulin", class_name="2nde 3")],
    ),
]
ALREADY_ACTIVE_DEMO = ("Sophie", "Bernard")  # mobile and email confirmed: recovery works on both channels
FRANCECONNECT_DEMO = ("Marc", "Petit")  # active through FranceConnect: no password here (R-REC-6)
MERGE_DEMO = ("Sophie", "BERNARD")  # provisioned, provisional password: to merge into the active one
FRANCECONNECT_DEMO_SUBJECT = "fc-demo-marc-petit"
# Student accounts, active: one with a confirmed email (R-REC-1), one without (R-REC-5).
DEMO_STUDENT_EMAILS = {"stu-lea-martin": "lea.martin@example.org", "stu-hugo-dupont": None}


async def load_demo_records(sessions: Sessions) -> bool:
    """Load the demo guardians into an empty database; False when records were already there."""
    async with sessions.begin() as session:
        if await session.scalar(select(func.count()).select_from(GuardianRecord)):
            return False
        now = datetime.now(UTC)
        for guardian in DEMO_GUARDIANS:
            account = await import_guardian(session, guardian)
            name = (guardian.first_name, guardian.last_name)
            if name == MERGE_DEMO:
                account.provisional_password_hash = demo_password_hash(DEMO_PROVISIONAL_PASSWORD)
            if name == ALREADY_ACTIVE_DEMO:
                activate(account, now, password=DEMO_ACTIVE_PASSWORD, mobile=guardian.mobile, email=guardian.email)
            if name == FRANCECONNECT_DEMO:
                activate(account, now, email=guardian.email)
                account.franceconnect_subject = FRANCECONNECT_DEMO_SUBJECT
        for ref, email in DEMO_STUDENT_EMAILS.items():
            student = (await session.scalars(select(StudentRecord).where(StudentRecord.ref == ref))).one()
            activate(await provision_student_account(session, student), now, password=DEMO_ACTIVE_PASSWORD, email=email)
    return True


def demo_status(guardian: GuardianImport) -> str:
    """What the demo table says of a record's account."""
    return {
        ALREADY_ACTIVE_DEMO: f"active, password {DEMO_ACTIVE_PASSWORD}",
        FRANCECONNECT_DEMO: "active through FranceConnect",
        MERGE_DEMO: f"provisioned (another school), provisional password {DEMO_PROVISIONAL_PASSWORD}: merge it",
    }.get((guardian.first_name, guardian.last_name), "to activate")


def activate(account: Account, now: datetime, *, password: str | None = None, mobile: str | None = None,
             email: str | None = None) -> None:
    account.status = AccountStatus.ACTIVE
    account.activated_at = now
    account.password_hash = demo_password_hash(password) if password else None
    if mobile:
        account.mobile, account.mobile_status = mobile, ContactStatus.CONFIRMED
    if email:
        account.email, account.email_status = email, ContactStatus.CONFIRMED
