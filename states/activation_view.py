"""What the user sees at each state of the activation journey: a pure function of its data."""

from __future__ import annotations

from datetime import datetime

from parcours import messages
from parcours.contracts.activation import ActivationData, ActivationStep, ChildStatus
from parcours.contracts.common import Channel, Deadlines, PasswordPolicyView
from parcours.states.activation import ActivationJourney
from parcours.states.children_view import child_views
from parcours.states.code_step import (
    CODE_STEP_STATES,
    code_tries_left,
    idle_expires_at,
    resend_available_at,
    resends_left,
)
from parcours.states.journey import layout_of, utc_text

S = ActivationJourney


def state_messages(data: ActivationData) -> list[str]:
    state = data.state
    sms = data.channel is Channel.SMS
    resend = messages.RESEND_SMS if sms else messages.RESEND_MAIL
    if state == S.identity_to_check.value:
        return [messages.IDENTITY_PROMPT]
    if state == S.identity_received.value:
        return [messages.IDENTITY_UNIFORM_ANSWER]
    if state == S.code_sent.value:
        minutes = int(data.policy.code_validity.total_seconds() // 60)
        return [
            messages.IDENTITY_UNIFORM_ANSWER if data.policy.uniform_identity_answers else messages.CODE_SENT,
            messages.CODE_SENT_DETAIL.format(minutes=minutes, destination=data.masked_destination),
            messages.CODE_PROMPT_SMS if sms else messages.CODE_PROMPT_MAIL,
            resend,
        ]
    if state == S.code_expired.value:
        return [messages.CODE_EXPIRED, resend]
    if state == S.code_void.value:
        return [messages.CODE_VOID, resend]
    if state == S.code_not_sent.value:
        return [messages.CODE_NOT_SENT, resend]
    if state == S.children_to_confirm.value:
        return [messages.CHILDREN_PROMPT]
    if state == S.password_to_choose.value:
        return [messages.NOTE_IDENTIFIER, messages.PASSWORD_PROMPT]
    if state == S.activated.value:
        return [messages.ACTIVATED, messages.NOTE_IDENTIFIER]
    if state == S.already_active.value:
        return [messages.ALREADY_ACTIVE]
    if state == S.abandoned.value:
        return [messages.ABANDONED]
    return [messages.SUPERSEDED]


def build_step(journey_id: str, data: ActivationData, now: datetime) -> ActivationStep:
    chart = layout_of(ActivationJourney)
    in_code_step = data.state in CODE_STEP_STATES
    finished = chart.finished(data.state)
    shows_identifier = data.state in (S.password_to_choose.value, S.activated.value)
    available_at = resend_available_at(data) if in_code_step else None
    return ActivationStep(
        journey_id=journey_id,
        state=data.state,
        finished=finished,
        expected_input=chart.expected_updates(data.state),
        deadlines=Deadlines(
            code_expires_at=data.code_expires_at if data.state == S.code_sent.value else None,
            resend_available_at=available_at if available_at and available_at > now else None,
            idle_expires_at=None if finished else idle_expires_at(data),
        ),
        messages=state_messages(data),
        channel=data.channel,
        masked_destination=data.masked_destination,
        code_tries_left=code_tries_left(data) if data.state == S.code_sent.value else None,
        resends_left=resends_left(data) if in_code_step else None,
        children=child_views(data.children, data.policy.birth_date_max_wrong_tries)
        if data.state == S.children_to_confirm.value
        else [],
        identifier=data.identifier if shows_identifier else None,
        password_policy=PasswordPolicyView.current() if data.state == S.password_to_choose.value else None,
    )


def operator_details(data: ActivationData) -> str:
    """The Temporal UI's current details: where the journey stands and what it waits for."""
    waits = {
        S.identity_to_check.value: "waiting for the identity (names + mobile or email)",
        S.identity_received.value: "identity answered, looking it up",
        S.code_sent.value: f"waiting for the code, expires {utc_text(data.code_expires_at)} UTC"
        if data.code_expires_at else "waiting for the code",
        S.code_expired.value: "code expired, waiting for a resend request",
        S.code_void.value: "code void after too many wrong tries, waiting for a resend request",
        S.code_not_sent.value: "the code could not be sent, waiting for a resend request",
        S.children_to_confirm.value: "waiting for the children's confirmation ("
        + f"{sum(c.status is ChildStatus.TO_CONFIRM for c in data.children)} left)",
        S.password_to_choose.value: "waiting for the password",
    }
    state = data.state or ""
    line = f"**{state}** — {waits.get(state, 'finished')}"
    idle = idle_expires_at(data)
    if state in waits and idle is not None:
        line += f"; abandoned if idle until {utc_text(idle)} UTC"
    return line
