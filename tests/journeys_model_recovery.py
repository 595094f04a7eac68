"""The journeys model's rules for recovery (R-REC-1 … R-REC-4), children (R-KID-2, R-KID-3) and
activation (R-ACT)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from tests.activation_helpers import CAMILLE_SMS, LEA
from tests.journeys_model_world import (
    BIRTH_DATES,
    NEW_PASSWORDS,
    SHARED_STUDENTS,
    AccountModel,
    ModelHelpers,
    code_in,
    e164,
    link_token,
)
from tests.waiting import settled


class RecoveryRules(ModelHelpers):
    """Lost identifier and lost password (R-REC-1 … R-REC-4): only confirmed contacts get them."""

    def recovery_destinations(self, account: AccountModel) -> list[tuple[str, str, bool]]:
        """(channel, destination, confirmed): its contacts, confirmed or pending; by SMS, guardians only."""
        choices = [("mail", account.email, True), ("mail", account.pending_email, False)]
        if account.guardian:
            choices += [("sms", account.mobile, True), ("sms", account.pending_mobile, False)]
        return [choice for choice in choices if choice[1]]

    @rule(data=st.data())
    def recover_identifier(self, data):
        """The identifier goes to a confirmed contact only; a pending one gets nothing (R-REC-5)."""
        names = [n for n in self.active() if self.recovery_destinations(self.accounts[n])]
        account = self.accounts[data.draw(st.sampled_from(names))]  # Sophie always has one
        channel, destination, confirmed = data.draw(st.sampled_from(self.recovery_destinations(account)))
        request = {"channel": channel, "email" if channel == "mail" else "mobile": destination}
        journey, outcome = self.run(self.parcours.start_identifier_recovery(request))
        self.track(journey)
        assert outcome.status == "accepted", outcome
        self.run(settled(journey))
        fresh, unlike = self.sent(*([(channel, destination)] if confirmed else []))
        assert not unlike, unlike
        assert all(account.identifier in m["body"] for m in fresh)

    @rule(data=st.data(), channel=st.sampled_from(["mail", "sms"]))
    def request_password_reset(self, data, channel):
        names = [n for n in self.active() if (self.accounts[n].email if channel == "mail" else self.accounts[n].mobile)]
        if not names:
            return
        account = self.accounts[data.draw(st.sampled_from(names))]
        request = {"channel": channel, "identifier": account.identifier}
        if channel == "mail":
            request["email"] = account.email
        journey, outcome = self.run(self.parcours.start_password_reset(request))
        self.track(journey)
        assert outcome.status == "accepted", outcome
        self.run(settled(journey))
        fresh, unlike = self.sent(("mail", account.email) if channel == "mail" else ("sms", account.mobile))
        assert not unlike, unlike
        [message] = fresh
        if account.reset is not None:
            account.spent.append(account.reset[2])  # one live reset per account: the older one is void
        secret = link_token(message["body"]) if channel == "mail" else code_in(message["body"])
        account.reset = (journey, channel, secret)

    @precondition(lambda self: self.with_open("reset"))
    @rule(data=st.data(), index=st.integers(0, len(NEW_PASSWORDS)))
    def complete_password_reset(self, data, index):
        account = self.accounts[data.draw(st.sampled_from(self.with_open("reset")))]
        journey, channel, secret = account.reset
        new = self.next_password(account, index)
        if channel == "sms":
            outcome = self.run(journey.submit_code(secret))
            assert outcome.step.state == "password_to_choose", outcome
        else:  # the page behind the link opens it first (R-REC-3)
            assert self.run(journey.open_link(secret)).status == "accepted"
        outcome = self.run(journey.choose_password(secret if channel == "mail" else None, new, new))
        assert outcome.step.state == "password_reset", outcome
        fresh, unlike = self.sent(self.notice_destination(account))
        assert not unlike, unlike
        account.password, account.reset = new, None
        account.spent.append(secret)

    def with_spent_reset_links(self) -> list[str]:
        return [n for n in self.with_open("reset") if self.accounts[n].reset[1] == "mail" and self.spent_tokens_any(n)]

    @precondition(lambda self: self.with_spent_reset_links())
    @rule(data=st.data())
    def open_spent_reset_link(self, data):
        name = data.draw(st.sampled_from(self.with_spent_reset_links()))
        journey = self.accounts[name].reset[0]
        token = data.draw(st.sampled_from(self.spent_tokens_any(name)))
        assert self.run(journey.open_link(token)).status == "link_invalid"
        fresh, unlike = self.sent()
        assert not unlike, unlike

    def spent_tokens_any(self, name: str) -> list[str]:
        return sorted({t for t in self.accounts[name].spent if not t.isdigit()})


class ChildrenAndActivationRules(ModelHelpers):
    """Children confirmed and reported (R-KID-2, R-KID-3); Camille's activation (R-ACT)."""

    @rule(data=st.data())
    def confirm_children(self, data):
        name = data.draw(st.sampled_from(self.active(guardian=True)))
        account = self.accounts[name]
        journey = self.track(self.run(self.parcours.start_children_confirmation(self.ref_of(name))))
        to_confirm = sorted(ref for ref, status in account.children.items() if status != "confirmed")
        step = self.run(journey.current_step())
        if not to_confirm:
            assert step.state in ("nothing_to_confirm", "confirmed"), step
            return
        assert sorted(c.student_ref for c in step.children) == to_confirm, step
        for ref in to_confirm:
            self.run(journey.answer_child({"student_ref": ref, "is_guardian": True, "birth_date": BIRTH_DATES[ref]}))
            account.children[ref] = "confirmed"
        assert self.run(journey.current_step()).state == "confirmed"
        fresh, unlike = self.sent()
        assert not unlike, unlike

    @rule(data=st.data())
    def report_link(self, data):
        name = data.draw(st.sampled_from(self.active(guardian=True)))
        account = self.accounts[name]
        ref = data.draw(st.sampled_from(sorted(account.children)))
        step = self.run(self.parcours.report_link(self.ref_of(name), ref))
        if account.children[ref] == "reported":  # it has left the account already: nothing to report
            assert step.state == "not_linked", step
        elif ref in SHARED_STUDENTS:
            assert step.state == "reported", step
            account.children[ref] = "reported"
        else:
            assert step.state == "only_link_kept", step
        fresh, unlike = self.sent()
        assert not unlike, unlike

    @precondition(lambda self: not self.accounts["camille"].active)
    @rule(index=st.integers(0, len(NEW_PASSWORDS)))
    def activate_camille(self, index):
        """R-ACT: a code by SMS to the school's number, the child, a password."""
        account = self.accounts["camille"]
        journey, outcome = self.run(self.parcours.start_activation(CAMILLE_SMS))
        self.track(journey)
        assert outcome.status == "accepted", outcome
        fresh, unlike = self.sent(("sms", e164(CAMILLE_SMS["mobile"])))
        assert not unlike, unlike
        [sms] = fresh
        self.run(journey.submit_code(code_in(sms["body"])))
        self.run(journey.answer_child(LEA))
        password = self.next_password(account, index)
        outcome = self.run(journey.choose_password(password, password))
        assert outcome.step.state == "activated", outcome
        fresh, unlike = self.sent()
        assert not unlike, unlike
        account.active, account.password, account.mobile = True, password, e164(CAMILLE_SMS["mobile"])
        account.children = {LEA["student_ref"]: "confirmed"}
