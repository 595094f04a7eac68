"""Model-based test (hypothesis stateful): journeys run again on the same account.

Every journey works the first time; what breaks is the same journey again on the same account (a
second mobile change that sends nothing and confirms a number nobody verified). The machine below
drives random, interleaved sequences of journeys over the demo accounts — each started again after
it ended — against a plain Python model of each account, and checks after every step:

- every message a journey says it sent is in the dev inbox, to the right destination, and no other;
- what « Mon compte » shows (confirmed and pending contacts, children) is what the model says: no
  contact becomes confirmed without its own code or link;
- a code or link from an earlier run (or voided in this one) is refused; the current one works.

One time-skipping server and worker serve the whole hypothesis run (the `harness` fixture); each
example starts from freshly loaded demo records (new account refs, so new journey ids) and an empty
inbox. Hypothesis runs in a thread of its own: the machine is synchronous and hands each coroutine
to the test's event loop, where the worker and the database live.

PARCOURS_MODEL_EXAMPLES / PARCOURS_MODEL_STEPS raise the budget for a longer local run.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from parcours.testing import settings_for
from tests.journeys_model_contacts import ContactChangeRules
from tests.journeys_model_recovery import ChildrenAndActivationRules, RecoveryRules
from tests.journeys_model_world import (
    EXAMPLES,
    NEW_PASSWORDS,
    STEP_TIMEOUT_S,
    STEPS,
    UNREACHED_LIMIT,
    World,
    demo_accounts,
)


@pytest.fixture
def settings(tmp_path, session_keys):
    return settings_for(tmp_path, secret_key=session_keys.secret_key, payload_keys=session_keys.payload_keys,
                        sms_per_destination_per_hour=UNREACHED_LIMIT, sms_per_destination_per_day=UNREACHED_LIMIT,
                        mails_per_destination_per_hour=UNREACHED_LIMIT, mails_per_destination_per_day=UNREACHED_LIMIT)


class JourneysAgain(ContactChangeRules, RecoveryRules, ChildrenAndActivationRules, RuleBasedStateMachine):
    """The rules of each concern (tests/journeys_model_*.py), on one machine so they interleave."""

    def __init__(self):
        super().__init__()
        self.world.run(self.world.reset())
        self.accounts = demo_accounts()
        self.messages_seen = 0
        self.handles = []  # journeys started in this example, ended at teardown

    # -- sign-in and password change --------------------------------------------------------------

    @rule(data=st.data())
    def sign_in(self, data):
        name = data.draw(st.sampled_from(self.active()))
        account = self.accounts[name]
        result = self.run(self.parcours.sign_in(account.identifier, account.password))
        assert result.status == "signed_in", (name, result)
        account.account_ref = result.account_ref
        fresh, unlike = self.sent()
        assert not unlike, unlike

    @rule(data=st.data(), index=st.integers(0, len(NEW_PASSWORDS)))
    def change_password(self, data, index):
        name = data.draw(st.sampled_from(self.active()))
        account = self.accounts[name]
        new = self.next_password(account, index)
        journey = self.track(self.run(self.parcours.start_password_change(self.ref_of(name))))
        outcome = self.run(journey.change_password(account.password, new, new))
        assert outcome.status == "accepted", outcome
        account.password = new
        notice = self.notice_destination(account)
        fresh, unlike = self.sent(*([notice] if notice else []))
        assert not unlike, unlike

    # -- time --------------------------------------------------------------------------------------

    @rule()
    def a_day_passes(self):
        """Past every deadline: live journeys end (R-CON-8: pending contacts dropped, the confirmed
        ones stay), and their codes and links die with them."""
        settings = self.world.settings
        longest = max(settings.journey_idle_lifetime, settings.email_link_validity,
                      settings.password_reset_link_validity, settings.code_validity)
        self.run(self.world.time_env.sleep(longest + timedelta(minutes=1)))
        for account in self.accounts.values():
            for live in (account.email_change, account.mobile_change):
                if live is not None:
                    self.run(asyncio.wait_for(live.journey.handle.result(), STEP_TIMEOUT_S))
                    account.spent.append(live.secret)
            if account.reset is not None:
                account.spent.append(account.reset[2])
            account.email_change = account.mobile_change = account.reset = None
            account.pending_email = account.pending_mobile = None
        fresh, unlike = self.sent()
        assert not unlike, unlike

    # -- what « Mon compte » shows ----------------------------------------------------------------

    @invariant()
    def accounts_show_the_model(self):
        for name, account in self.accounts.items():
            if account.account_ref is None:
                continue
            view = self.run(self.world.account_view(account.account_ref))
            shown = (view.email if view.email_status == "confirmed" else None,
                     view.mobile if view.mobile_status == "confirmed" else None,
                     view.pending_email, view.pending_mobile)
            assert shown == (account.email, account.mobile, account.pending_email, account.pending_mobile), name
            if account.guardian:
                shown_children = {ref: status for ref, status in account.children.items() if status != "reported"}
                # R-KID-3: a reported student leaves « Mes enfants »
                assert {c.student_ref: c.status for c in view.children} == shown_children, name

    @invariant()
    def no_message_unaccounted_for(self):
        assert len(self.world.inbox.messages()) == self.messages_seen

    def teardown(self):
        async def end_all():
            for handle in self.handles:
                try:
                    await handle.terminate("model example over")
                except Exception:  # already closed
                    pass
        self.run(end_all())


@pytest.mark.timeout(900)  # a failing run: hypothesis shrinks for up to 5 min
async def test_journeys_run_again_on_the_same_account(harness, inbox, time_env, settings):
    JourneysAgain.world = World(asyncio.get_running_loop(), harness, inbox, time_env, settings)
    budget = hypothesis_settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
                                 database=None, suppress_health_check=list(HealthCheck))
    await asyncio.to_thread(run_state_machine_as_test, JourneysAgain, settings=budget)
