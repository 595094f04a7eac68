"""The rules of a code step (SPEC R-ACT-3 … R-ACT-6, R-REC-4), shared by every journey that sends
a code: pure functions of a CodeChallenge and the journey's policy, time passed in."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from parcours.contracts.common import CodeChallenge, JourneyPolicy


class CodeJourneyData(Protocol):
    state: str | None
    policy: JourneyPolicy
    last_activity_at: datetime | None
    code_id: str | None
    codes_sent: int
    code_sent_at: datetime | None
    code_expires_at: datetime | None
    wrong_code_tries: int


def resend_available_at(data: CodeChallenge) -> datetime | None:
    if data.code_sent_at is None:
        return None
    return data.code_sent_at + data.policy.resend_cooldown


def resends_left(data: CodeJourneyData) -> int:
    return max(data.policy.codes_per_journey - data.codes_sent, 0)


def resend_refusal(data: CodeJourneyData, now: datetime) -> tuple[str, datetime | None] | None:
    """Why a new code cannot be sent now ("cooldown" with the time it can, or "cap"); None if it can."""
    if resends_left(data) == 0:
        return ("cap", None)
    available_at = resend_available_at(data)
    if available_at is not None and now < available_at:
        return ("cooldown", available_at)
    return None


def idle_expires_at(data: CodeJourneyData) -> datetime | None:
    if data.last_activity_at is None:
        return None
    return data.last_activity_at + data.policy.idle_lifetime


def code_tries_left(data: CodeJourneyData) -> int:
    return max(data.policy.code_max_wrong_tries - data.wrong_code_tries, 0)


def code_step_deadline(data: CodeJourneyData, now: datetime, code_states: frozenset[str]) -> datetime | None:
    """The nearest moment the journey must wake up for. Code expiry and idleness fire events (and
    stay due until fired); the end of the resend cooldown only refreshes what the journey shows."""
    events = [idle_expires_at(data)]
    if data.state == "code_sent":
        events.append(data.code_expires_at)
    wake_ups = [resend_available_at(data)] if data.state in code_states else []
    moments = [m for m in events if m is not None] + [m for m in wake_ups if m is not None and m > now]
    return min(moments, default=None)
