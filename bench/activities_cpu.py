"""`python -m bench.activities_cpu --database-url URL [--journeys N] [--repeats R]` — the worker CPU
of one activation's database work: match_identity, send_verification_code (the courier's ledger
included; the SMS to the dev inbox), check_verification_code, activate_account (its ledger, answers
and events outbox), run outside Temporal (ActivityEnvironment) N times in one process, R times.
Prints CPU ms per journey (time.process_time) for each repeat, split by activity, and their spread, the argon2id hash's
CPU apart (its thread's time, subtracted): what issue 22's CPU target is about, without Temporal's
share. Each journey activates an account of its own, seeded beforehand (not measured)."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from temporalio.testing import ActivityEnvironment

import parcours.activities.accounts as account_module
from bench.live_ops import CODE_VALIDITY, NAMES, settings_for
from parcours.activities.accounts import AccountActivities
from parcours.activities.codes import CodeActivities
from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.account_activities import ActivateAccountRequest, MatchIdentityRequest
from parcours.contracts.activity_basics import CheckCodeRequest, ChildDecision, CodePurpose, SendCodeRequest
from parcours.contracts.common import Channel
from parcours.db.engine import create_schema
from parcours.db.models import Account, AccountStatus, GuardianRecord, GuardianStudentLink, LinkRole, StudentRecord
from parcours.security.crypto import derive_code, new_reference

MOBILE_BASE = 33690000000  # +3369…: outside bench.records' generated mobiles (+336 then 8 digits from 0)
WARM_UP = 5  # journeys before each measure: imports, connections, statement caches
PASSWORD = "Cartable-Vert-2031!"  # the identifiers seeded hold no letters drawn by chance, which it might contain
MAX_WRONG_TRIES = 3


class HashClock:
    """argon2id's CPU, apart: the hash runs on a thread (asyncio.to_thread), timed there."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.original = account_module.hash_password

    def __call__(self, password: str) -> str:
        started = time.thread_time()
        try:
            return self.original(password)
        finally:
            self.seconds += time.thread_time() - started


async def seed(dependencies: ActivityDependencies, count: int, first: int) -> list[tuple[str, str, str]]:
    """`count` provisioned guardian accounts, each with one child: (mobile, account ref, student ref)."""
    seeded = []
    async with dependencies.sessions.begin() as session:
        for number in range(first, first + count):
            mobile, ref, student_ref = f"+{MOBILE_BASE + number}", new_reference(), new_reference()
            guardian = (await session.execute(insert(GuardianRecord).returning(GuardianRecord.id),
                                              [dict(mobile=mobile, **NAMES)])).scalar_one()
            student = (await session.execute(insert(StudentRecord).returning(StudentRecord.id), [dict(
                ref=student_ref, last_name="Sonde", first_name="Sam", birth_date=date(2014, 1, 1), school="École",
                class_name="CM1")])).scalar_one()
            await session.execute(insert(GuardianStudentLink), [dict(guardian_id=guardian, student_id=student,
                                                                     role=LinkRole.LEGAL_REPRESENTATIVE)])
            await session.execute(insert(Account), [dict(ref=ref, kind="guardian", guardian_id=guardian,
                                                         identifier=f"a.sonde{number}",
                                                         status=AccountStatus.PROVISIONED)])
            seeded.append((mobile, ref, student_ref))
    return seeded


class Split:
    """CPU seconds per activity (process time, so argon2id's thread is in activate_account's)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    async def run(self, environment: ActivityEnvironment, activity, request):
        started = time.process_time()
        try:
            return await environment.run(activity, request)
        finally:
            name = activity.__name__
            self.seconds[name] = self.seconds.get(name, 0.0) + time.process_time() - started


async def journey(dependencies: ActivityDependencies, mobile: str, account_ref: str, student_ref: str,
                  split: Split) -> None:
    environment, journey_id = ActivityEnvironment(), f"bench-cpu-{new_reference()}"
    accounts, codes = AccountActivities(dependencies), CodeActivities(dependencies)
    match = await split.run(environment, accounts.match_identity, MatchIdentityRequest(
        journey_id=journey_id, channel=Channel.SMS, destination=mobile, **NAMES))
    assert match.matched and match.account_ref == account_ref, match
    now = datetime.now(UTC)
    issued = await split.run(environment, codes.send_verification_code, SendCodeRequest(
        journey_id=journey_id, sequence=1, purpose=CodePurpose.ACTIVATION, account_ref=account_ref,
        channel=Channel.SMS, issued_at=now, expires_at=now + CODE_VALIDITY, max_wrong_tries=MAX_WRONG_TRIES))
    code = derive_code(dependencies.secret_key, issued.code_id, dependencies.code_digits)
    check = await split.run(environment, codes.check_verification_code, CheckCodeRequest(
        code_id=issued.code_id, attempt_key=f"{journey_id}/try/1", issued_in=journey_id, attempt=code, now=now))
    assert check.status == "accepted", check
    await split.run(environment, accounts.activate_account, ActivateAccountRequest(
        journey_id=journey_id, account_ref=account_ref, channel=Channel.SMS, password=PASSWORD,
        children=[ChildDecision(student_ref=student_ref, status="confirmed")], activated_at=now + timedelta(seconds=1)))


async def measure(dependencies: ActivityDependencies, clock: HashClock, journeys: int,
                  first: int) -> tuple[float, float]:
    """CPU ms per journey, argon2id excluded, and argon2id's ms per journey."""
    accounts, split = await seed(dependencies, WARM_UP + journeys, first), Split()
    for seeded in accounts[:WARM_UP]:
        await journey(dependencies, *seeded, split)
    clock.seconds, started, split.seconds = 0.0, time.process_time(), {}
    for seeded in accounts[WARM_UP:]:
        await journey(dependencies, *seeded, split)
    spent = time.process_time() - started
    split.seconds["activate_account"] -= clock.seconds
    print("  per activity, ms: " + ", ".join(f"{name} {1000 * seconds / journeys:.2f}"
                                             for name, seconds in split.seconds.items()), flush=True)
    return 1000 * (spent - clock.seconds) / journeys, 1000 * clock.seconds / journeys


async def run(options: argparse.Namespace) -> None:
    clock = HashClock()
    account_module.hash_password = clock  # timed, otherwise the same
    with tempfile.TemporaryDirectory(prefix="parcours-bench-cpu-") as directory:
        settings = settings_for(options.database_url, Path(directory))
        dependencies = ActivityDependencies.from_settings(settings)
        await create_schema(dependencies.engine)  # the migrations: a no-op on a database at their head
        try:
            figures = []
            for repeat in range(options.repeats):
                # a fresh range of numbers per repeat and per run: the bench can run again on one database
                first = (int(time.time()) % 100_000) * 1000 + repeat * (WARM_UP + options.journeys)
                figures.append(await measure(dependencies, clock, options.journeys, first % 10_000_000))
                print(f"repeat {repeat + 1}: {figures[-1][0]:.2f} ms CPU per journey, argon2id excluded "
                      f"(argon2id {figures[-1][1]:.1f} ms apart)", flush=True)
            cpu = [figure[0] for figure in figures]
            print(f"{options.journeys} journeys × {options.repeats}: median {statistics.median(cpu):.2f} ms, "
                  f"min {min(cpu):.2f}, max {max(cpu):.2f} (argon2id excluded)")
        finally:
            await dependencies.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.activities_cpu", description=__doc__)
    parser.add_argument("--database-url", default=None,
                        help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    if options.database_url is None:
        with tempfile.TemporaryDirectory(prefix="parcours-bench-cpu-db-") as directory:
            options.database_url = f"sqlite+aiosqlite:///{directory}/parcours.db"
            asyncio.run(run(options))
    else:
        asyncio.run(run(options))


if __name__ == "__main__":
    main()
