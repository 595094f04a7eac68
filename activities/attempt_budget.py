"""Failed tries per account, across every journey and every secret (codes and passwords alike):
at most N in a clock hour that starts at the first failure. Per-code and sign-in caps stop one
journey; this stops many journeys started one after the other against the same account."""

from __future__ import annotations

from datetime import datetime

from parcours.db.models import FAILED_TRIES_WINDOW as WINDOW
from parcours.db.models import Account


def _window_end(account: Account, now: datetime) -> datetime | None:
    start = account.failed_tries_window_start
    return start + WINDOW if start is not None and now < start + WINDOW else None


def tries_blocked_until(account: Account, now: datetime, tries_per_hour: int) -> datetime | None:
    """When the account may be tried again; None while it has tries left this hour."""
    end = _window_end(account, now)
    return end if end is not None and account.failed_tries_in_window >= tries_per_hour else None


def count_failed_try(account: Account, now: datetime) -> None:
    if _window_end(account, now) is None:
        account.failed_tries_window_start, account.failed_tries_in_window = now, 0
    account.failed_tries_in_window += 1
