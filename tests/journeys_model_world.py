"""The journeys model's world: the accounts as the user was told, what the machine drives (client,
database, inbox, clock) and the helpers every rule uses (tests/test_journeys_model.py)."""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from sqlalchemy import delete
from temporalio.testing import ActivityEnvironment

from parcours.activities.children import ChildrenActivities
from parcours.contracts.children import AccountView, AccountViewRequest
from parcours.db.demo import DEMO_ACTIVE_PASSWORD, load_demo_records
from parcours.db.models import Base
from parcours.testing import CODE_IN_MESSAGE

EXAMPLES = int(os.environ.get("PARCOURS_MODEL_EXAMPLES", "10"))
STEPS = int(os.environ.get("PARCOURS_MODEL_STEPS", "12"))
STEP_TIMEOUT_S = 20.0  # one journey action on a loaded machine (they take well under a second)
# The abuse limits are not under test here: high enough that no example reaches them.
UNREACHED_LIMIT = 1000

# Contacts each account may move to, its own (two accounts sharing one is not what this looks at).
NEW_MOBILES = {"sophie": ["07 81 22 33 44", "07 81 22 33 55"], "camille": ["07 81 22 33 66", "07 81 22 33 77"]}
NEW_EMAIL_NAMES = ["nouvelle", "autre"]
NEW_PASSWORDS = ["Cartable-Vert-2031!", "Trousse-Bleue-2032!", "Compas-Rouge-2033!"]


def e164(number: str) -> str:
    """A French mobile as the service stores it (06 12 34 56 78 -> +33612345678)."""
    return "+33" + number.replace(" ", "")[1:]


def link_token(body: str) -> str:
    return parse_qs(urlparse(re.search(r"http\S+", body).group(0)).query)["jeton"][0]


def code_in(body: str) -> str:
    return CODE_IN_MESSAGE.search(body).group(1)


@dataclass
class OpenChange:
    """A live email-change or mobile-change run: its journey, the secret (code or link token) its
    last message carried, what it sent and how many wrong codes it took."""

    journey: object
    secret: str
    sent: int = 1
    wrong_tries: int = 0


@dataclass
class AccountModel:
    """What an account must be, as the user was told."""

    identifier: str
    password: str | None
    guardian: bool
    email: str | None = None  # confirmed
    mobile: str | None = None  # confirmed, E.164
    pending_email: str | None = None
    pending_mobile: str | None = None
    # student ref -> status (« Mes enfants » leaves reported out)
    children: dict[str, str] = field(default_factory=dict)
    active: bool = True
    account_ref: str | None = None
    email_change: OpenChange | None = None
    mobile_change: OpenChange | None = None
    reset: tuple[object, str, str] | None = None  # (journey, channel, secret) of the live password reset
    spent: list[str] = field(default_factory=list)  # codes and tokens that must no longer work


def demo_accounts() -> dict[str, AccountModel]:
    """The demo records (parcours/db/demo.py) the journeys can sign in to, plus Camille, to activate."""
    return {
        "sophie": AccountModel("s.bernard1", DEMO_ACTIVE_PASSWORD, guardian=True, email="sophie.bernard@example.org",
                               mobile="+33655443322", children={"stu-tom-bernard": "new"}),
        "lea": AccountModel("l.martin1", DEMO_ACTIVE_PASSWORD, guardian=False, email="lea.martin@example.org"),
        "hugo": AccountModel("h.dupont1", DEMO_ACTIVE_PASSWORD, guardian=False),
        "camille": AccountModel("c.martin1", None, guardian=True, active=False),
    }


# Students with another guardian, whose link a report marks reported (R-KID-3); otherwise kept.
SHARED_STUDENTS = {"stu-tom-bernard"}
BIRTH_DATES = {"stu-tom-bernard": "2015-11-05", "stu-lea-martin": "2014-03-02"}


class World:
    """What the machine drives, on the test's event loop: client, database, inbox, clock."""

    def __init__(self, loop, harness, inbox, time_env, settings):
        self.loop = loop
        self.parcours, self.dependencies = harness
        self.inbox, self.time_env, self.settings = inbox, time_env, settings

    def run(self, coroutine):
        """The coroutine's result, from the test's loop; a hanging action (an activity failing and
        retried for its budget) fails the step instead of holding the run."""
        name = getattr(coroutine, "__qualname__", "a journey action")
        try:
            return asyncio.run_coroutine_threadsafe(asyncio.wait_for(coroutine, STEP_TIMEOUT_S), self.loop).result()
        except TimeoutError:
            raise AssertionError(f"{name}: no answer within {STEP_TIMEOUT_S:.0f} s") from None

    async def account_view(self, account_ref: str) -> AccountView:
        """« Mon compte » as the account-view journey reads it, without a workflow round trip per
        account per step (the invariant runs after every step)."""
        return await ActivityEnvironment().run(ChildrenActivities(self.dependencies).account_view,
                                               AccountViewRequest(account_ref=account_ref))

    async def reset(self) -> None:
        """Demo records loaded afresh (new account refs, hence new journey ids) and an empty inbox."""
        async with self.dependencies.sessions.begin() as session:
            for table in reversed(Base.metadata.sorted_tables):
                await session.execute(delete(table))
        await load_demo_records(self.dependencies.sessions)
        self.inbox.sink.path.write_text("")


class ModelHelpers:
    """What the rules share: the world's client, the messages sent since the last step, sign-in."""

    world: World  # set by the test
    accounts: dict[str, AccountModel]
    messages_seen: int
    handles: list

    def run(self, coroutine):
        return self.world.run(coroutine)

    @property
    def parcours(self):
        return self.world.parcours

    def new_messages(self) -> list[dict]:
        messages = self.world.inbox.messages()
        fresh, self.messages_seen = messages[self.messages_seen:], len(messages)
        return fresh

    def sent(self, *expected: tuple[str, str]) -> tuple[list[dict], str]:
        """The messages sent since the last step, and how they differ from `expected` ((channel,
        destination) each), "" when they do not. Each rule asserts on its own line: hypothesis tells
        failures apart by where they are raised, so each journey's gets its own counterexample."""
        fresh = self.new_messages()
        got = sorted((m["channel"], m["to"]) for m in fresh)
        if got == sorted(expected):
            return fresh, ""
        return fresh, f"the journey said it sent {sorted(expected)}, the inbox got {got}"

    def ref_of(self, name: str) -> str:
        account = self.accounts[name]
        if account.account_ref is None:
            result = self.run(self.parcours.sign_in(account.identifier, account.password))
            assert result.status == "signed_in", (name, result)
            account.account_ref = result.account_ref
        return account.account_ref

    def active(self, guardian: bool | None = None) -> list[str]:
        return sorted(name for name, a in self.accounts.items()
                      if a.active and (guardian is None or a.guardian == guardian))

    def with_open(self, attribute: str) -> list[str]:
        return sorted(name for name, a in self.accounts.items() if getattr(a, attribute) is not None)

    def notice_destination(self, account: AccountModel) -> tuple[str, str] | None:
        """A password notice goes to the confirmed email, else the confirmed mobile."""
        if account.email:
            return ("mail", account.email)
        if account.mobile:
            return ("sms", account.mobile)
        return None

    def next_password(self, account: AccountModel, index: int) -> str:
        candidates = [p for p in NEW_PASSWORDS if p != account.password]
        return candidates[index % len(candidates)]

    def track(self, journey):
        self.handles.append(journey.handle)
        return journey
