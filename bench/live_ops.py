"""`python -m bench.live_ops --database-url URL --stop-file PATH` — what a live journey does to the
database, over and over until the stop file appears, in a process of its own as a worker would be:
the identity lookup of an activation (match_identity: the school records read, the journey's claim
written) and a code sent (send_verification_code: the account read, the courier's ledger and the
code written). The activities themselves run, outside Temporal (ActivityEnvironment). Prints
`ready` once warmed up, then at the stop each operation's latencies as one JSON line."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from temporalio.testing import ActivityEnvironment

from parcours.activities.accounts import AccountActivities
from parcours.activities.codes import CodeActivities
from parcours.activities.dependencies import ActivityDependencies
from parcours.contracts.account_activities import MatchIdentityRequest
from parcours.contracts.activity_basics import CodePurpose, SendCodeRequest
from parcours.contracts.common import Channel
from parcours.db.models import Account, AccountStatus, GuardianRecord, GuardianStudentLink, LinkRole, StudentRecord
from parcours.security.crypto import new_reference
from parcours.settings import Settings, generate_secrets_env

MOBILE = "+33699000001"  # not among bench.records' generated mobiles (+336 then 8 digits from 0)
NAMES = {"last_name": "Sonde", "first_name": "Alix"}
WARM_UP = 5  # operations before `ready`: imports, connections, caches
CODE_VALIDITY = timedelta(minutes=30)
LIMIT_NOT_MEASURED = 1_000_000  # one number gets every code here: the courier's limits are not what is measured


def settings_for(database_url: str, directory: Path) -> Settings:
    keys = dict(line.split("=", 1) for line in generate_secrets_env().splitlines())
    return Settings(_env_file=None, database_url=database_url, dev_inbox_path=directory / "inbox.jsonl",
                    secret_key=keys["PARCOURS_SECRET_KEY"], payload_keys=keys["PARCOURS_PAYLOAD_KEYS"],
                    sms_per_destination_per_hour=LIMIT_NOT_MEASURED, sms_per_destination_per_day=LIMIT_NOT_MEASURED)


async def seed(dependencies: ActivityDependencies) -> str:
    """A guardian of the demo kind (no school ids: the import never touches it), its child, its
    provisioned account; the account's ref."""
    ref = new_reference()
    async with dependencies.sessions.begin() as session:
        guardian = (await session.execute(insert(GuardianRecord).returning(GuardianRecord.id),
                                          [dict(mobile=MOBILE, **NAMES)])).scalar_one()
        student = (await session.execute(insert(StudentRecord).returning(StudentRecord.id), [dict(
            ref=new_reference(), last_name="Sonde", first_name="Sam", birth_date=date(2014, 1, 1), school="École",
            class_name="CM1")])).scalar_one()
        await session.execute(insert(GuardianStudentLink), [dict(guardian_id=guardian, student_id=student,
                                                                 role=LinkRole.LEGAL_REPRESENTATIVE)])
        await session.execute(insert(Account), [dict(ref=ref, kind="guardian", guardian_id=guardian,
                                                     identifier=f"a.sonde-{ref}", status=AccountStatus.PROVISIONED)])
    return ref


async def journey_step(dependencies: ActivityDependencies, account_ref: str, latencies: dict[str, list[float]]):
    environment, journey = ActivityEnvironment(), f"bench-live-{new_reference()}"
    started = time.perf_counter()
    match = await environment.run(AccountActivities(dependencies).match_identity, MatchIdentityRequest(
        journey_id=journey, channel=Channel.SMS, destination=MOBILE, **NAMES))
    assert match.matched, match
    latencies["identity lookup"].append(time.perf_counter() - started)
    now = datetime.now(UTC)
    started = time.perf_counter()
    await environment.run(CodeActivities(dependencies).send_verification_code, SendCodeRequest(
        journey_id=journey, sequence=1, purpose=CodePurpose.ACTIVATION, account_ref=account_ref,
        channel=Channel.SMS, issued_at=now, expires_at=now + CODE_VALIDITY, max_wrong_tries=3))
    latencies["code sent"].append(time.perf_counter() - started)


async def run(options: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="parcours-bench-live-") as directory:
        dependencies = ActivityDependencies.from_settings(settings_for(options.database_url, Path(directory)))
        try:
            account_ref = await seed(dependencies)
            latencies: dict[str, list[float]] = {"identity lookup": [], "code sent": []}
            for _ in range(WARM_UP):
                await journey_step(dependencies, account_ref, latencies)
            latencies = {name: [] for name in latencies}
            print("ready", flush=True)
            while not options.stop_file.exists():
                await journey_step(dependencies, account_ref, latencies)
                await asyncio.sleep(options.pause_ms / 1000)
            print(json.dumps(latencies), flush=True)
        finally:
            await dependencies.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_ops", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--stop-file", type=Path, required=True)
    parser.add_argument("--pause-ms", type=float, default=20, help="between two journey steps")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
