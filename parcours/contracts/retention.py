"""What the retention purge (workflows/retention_purge.py), its activity and its Schedule exchange:
numbers and row keys only, never a row's data."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

RETENTION_PURGE_WORKFLOW = "RetentionPurge"
# The Schedule every worker creates or updates at start; each run's workflow id is this id and the
# time it was due (Temporal appends it).
RETENTION_SCHEDULE_ID = "retention-purge"


class PurgeRound(BaseModel):
    """One batch of every class not yet done this run; `after` is where each journey-owned class's
    walk stands (a row's key), absent before its first batch."""

    after: dict[str, list[Any]] = Field(default_factory=dict)
    done: list[str] = Field(default_factory=list)


class PurgeRoundResult(BaseModel):
    purged: dict[str, int]  # rows (accounts, for failed attempts) purged this round, by class
    next: PurgeRound  # the walks' new positions, and the classes done with
    finished: bool  # every class done: nothing left past its retention this run


class PurgeProgress(BaseModel):
    """A run's start argument, and its result: what it purged so far, and where it stands (kept
    across a continue-as-new; the Schedule starts each run with an empty one)."""

    purged: dict[str, int] = Field(default_factory=dict)
    round: PurgeRound = Field(default_factory=PurgeRound)
