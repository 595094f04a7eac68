"""The journeys model's rules for contact changes: mobile (R-CON-7) and email (R-CON-2 … R-CON-6)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from parcours.client import JourneyActionRejected
from tests.journeys_model_world import NEW_EMAIL_NAMES, NEW_MOBILES, ModelHelpers, OpenChange, code_in, e164, link_token


class ContactChangeRules(ModelHelpers):
    """Changing a confirmed contact again: a newer code or link voids the older one."""

    # -- mobile change (R-CON-7) ------------------------------------------------------------------

    @rule(data=st.data(), choice=st.integers(0, 1), then_confirm=st.booleans())
    def request_mobile_change(self, data, choice, then_confirm):
        """A new number; `then_confirm`: its code typed at once, as most users do."""
        name = data.draw(st.sampled_from(self.active(guardian=True) + ["lea"]))  # and a student's refusal
        account = self.accounts[name]
        number = NEW_MOBILES.get(name, NEW_MOBILES["sophie"])[choice]
        journey = self.run(self.parcours.mobile_change(self.ref_of(name)))
        if account.mobile_change is None:
            self.track(journey)
        else:
            assert journey.journey_id == account.mobile_change.journey.journey_id  # one live journey per account
        if not account.guardian or e164(number) == account.mobile:
            with pytest.raises(JourneyActionRejected) as refused:
                self.run(journey.request_change(number))
            assert refused.value.reason == ("not_a_guardian" if not account.guardian else "same_as_current")
            fresh, unlike = self.sent()
            assert not unlike, unlike
            return
        live = account.mobile_change
        outcome = self.run(journey.request_change(number))
        if live is not None and live.sent == self.world.settings.codes_per_journey:
            assert outcome.status == "resend_refused", outcome
            fresh, unlike = self.sent()
            assert not unlike, unlike
            return
        assert outcome.status == "accepted" and outcome.step.state == "code_sent", outcome
        fresh, unlike = self.sent(("sms", e164(number)))
        assert not unlike, unlike
        [sms] = fresh
        if live is not None:
            account.spent.append(live.secret)  # the newer code voids the older one
        account.mobile_change = OpenChange(journey, code_in(sms["body"]), sent=1 + (live.sent if live else 0))
        account.pending_mobile = e164(number)
        if then_confirm:
            self.confirm_mobile_of(name)

    @precondition(lambda self: self.with_open("mobile_change"))
    @rule(data=st.data())
    def confirm_mobile(self, data):
        self.confirm_mobile_of(data.draw(st.sampled_from(self.with_open("mobile_change"))))

    def confirm_mobile_of(self, name: str) -> None:
        """The live run's own code confirms the pending number."""
        account = self.accounts[name]
        outcome = self.run(account.mobile_change.journey.submit_code(account.mobile_change.secret))
        assert outcome.status == "accepted" and outcome.step.state == "confirmed", outcome
        fresh, unlike = self.sent()
        assert not unlike, unlike
        account.spent.append(account.mobile_change.secret)
        account.mobile, account.pending_mobile, account.mobile_change = account.pending_mobile, None, None

    def with_spent_codes(self) -> list[str]:
        """Accounts with a live mobile change, codes that must not work, and tries to spare (the
        try that voids the code is not what this looks at)."""
        return [n for n in self.with_open("mobile_change") if self.spent_codes(n)
                and self.accounts[n].mobile_change.wrong_tries + 1 < self.world.settings.code_max_wrong_tries]

    @precondition(lambda self: self.with_spent_codes())
    @rule(data=st.data())
    def submit_spent_mobile_code(self, data):
        """A code of an earlier run (or voided in this one) must not confirm the pending number."""
        name = data.draw(st.sampled_from(self.with_spent_codes()))
        live = self.accounts[name].mobile_change
        code = data.draw(st.sampled_from(self.spent_codes(name)))
        outcome = self.run(live.journey.submit_code(code))
        assert outcome.status == "code_incorrect", (
            f"a spent code {outcome.status} the pending number of {name}: {outcome.step.state}")
        live.wrong_tries += 1
        fresh, unlike = self.sent()
        assert not unlike, unlike

    def spent_codes(self, name: str) -> list[str]:
        account = self.accounts[name]
        return sorted({c for c in account.spent if c.isdigit() and c != account.mobile_change.secret})

    # -- email change (R-CON-2 … R-CON-6) ---------------------------------------------------------

    @rule(data=st.data(), choice=st.sampled_from(NEW_EMAIL_NAMES), then_confirm=st.booleans())
    def request_email_change(self, data, choice, then_confirm):
        """A new address; `then_confirm`: its link followed at once."""
        name = data.draw(st.sampled_from(self.active()))
        account = self.accounts[name]
        address = f"{name}.{choice}@example.org"
        journey = self.run(self.parcours.email_change(self.ref_of(name)))
        if account.email_change is None:
            self.track(journey)
        else:
            assert journey.journey_id == account.email_change.journey.journey_id
        if address == account.email:
            with pytest.raises(JourneyActionRejected) as refused:
                self.run(journey.request_change(address, address))
            assert refused.value.reason == "same_as_current"
            fresh, unlike = self.sent()
            assert not unlike, unlike
            return
        live = account.email_change
        outcome = self.run(journey.request_change(address, address))
        if live is not None and live.sent == self.world.settings.codes_per_journey:
            assert outcome.status == "resend_refused", outcome
            fresh, unlike = self.sent()
            assert not unlike, unlike
            return
        assert outcome.status == "accepted" and outcome.step.state == "link_sent", outcome
        notice = [("mail", account.email)] if account.email else []  # R-CON-3: the old address is told
        fresh, unlike = self.sent(("mail", address), *notice)
        assert not unlike, unlike
        [link] = [m for m in fresh if m["to"] == address]
        if live is not None:
            account.spent.append(live.secret)  # R-CON-6: the older link stops working
        account.email_change = OpenChange(journey, link_token(link["body"]), sent=1 + (live.sent if live else 0))
        account.pending_email = address
        if then_confirm:
            self.confirm_email_of(name)

    @precondition(lambda self: self.with_open("email_change"))
    @rule(data=st.data())
    def confirm_email(self, data):
        self.confirm_email_of(data.draw(st.sampled_from(self.with_open("email_change"))))

    def confirm_email_of(self, name: str) -> None:
        """The live run's own link, opened then confirmed by the signed-in account (R-CON-5)."""
        account = self.accounts[name]
        live = account.email_change
        opened = self.run(live.journey.open_link(live.secret))
        assert opened.status == "accepted" and opened.step.new_email == account.pending_email, opened
        outcome = self.run(live.journey.confirm(live.secret, self.ref_of(name)))
        assert outcome.status == "accepted" and outcome.step.state == "confirmed", outcome
        fresh, unlike = self.sent()
        assert not unlike, unlike
        account.spent.append(live.secret)
        account.email, account.pending_email, account.email_change = account.pending_email, None, None

    @precondition(lambda self: [n for n in self.with_open("email_change") if self.spent_tokens(n)])
    @rule(data=st.data())
    def submit_spent_email_link(self, data):
        """A link of an earlier run (or replaced in this one) must not confirm the pending address."""
        name = data.draw(st.sampled_from([n for n in self.with_open("email_change") if self.spent_tokens(n)]))
        account = self.accounts[name]
        token = data.draw(st.sampled_from(self.spent_tokens(name)))
        outcome = self.run(account.email_change.journey.confirm(token, self.ref_of(name)))
        assert outcome.status == "link_invalid", (
            f"a spent link {outcome.status} the pending address of {name}: {outcome.step.state}")
        fresh, unlike = self.sent()
        assert not unlike, unlike

    def spent_tokens(self, name: str) -> list[str]:
        account = self.accounts[name]
        return sorted({t for t in account.spent if not t.isdigit() and t != account.email_change.secret})
