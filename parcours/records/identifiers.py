"""The `p.nomN` identifiers of the accounts an import provisions: for each, the smallest number free,
as the demo importer gives them (school_records.next_free_identifier), found for a whole school at
once — a few indexed IN queries, never a query per account nor a LIKE (a LIKE prefix uses no index
on either backend)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcours.db.models import Account
from parcours.people.names import identifier_stem

T = TypeVar("T")

# Numbers tried per stem and round beyond those the school needs: homonyms already in the database
# (other schools, earlier imports) take some.
IDENTIFIER_PROBE_MARGIN = 32
# Values per IN query: well under SQLite's and asyncpg's limits on bound parameters.
VALUES_PER_QUERY = 1000


class IdentifierAllocator:
    """Which numbers are free is asked inside each school's transaction, under the import lock
    (parcours/records/lock.py): another import, committed meanwhile, is seen. What the run keeps
    between schools is only where each stem's search starts: every number below is taken."""

    def __init__(self) -> None:
        self.next_number: dict[str, int] = {}
        self.committed: dict[str, int] = {}

    async def allocate(self, session: AsyncSession, names: list[tuple[str, str]]) -> list[str]:
        """An identifier for each (first name, last name), in order: two Jean Dupont get
        `j.dupont1` and `j.dupont2` (or the next numbers free)."""
        stems = [identifier_stem(first, last) for first, last in names]
        free = await self._free_numbers(session, Counter(stems))
        chosen = []
        for stem in stems:
            number = free[stem].pop(0)
            self.next_number[stem] = number + 1
            chosen.append(f"{stem}{number}")
        return chosen

    async def _free_numbers(self, session: AsyncSession, needed: Counter[str]) -> dict[str, list[int]]:
        free: dict[str, list[int]] = {stem: [] for stem in needed}
        start = {stem: self.next_number.get(stem, 1) for stem in needed}
        while short := [stem for stem in needed if len(free[stem]) < needed[stem]]:
            candidates: dict[str, tuple[str, int]] = {}
            for stem in short:
                span = needed[stem] - len(free[stem]) + IDENTIFIER_PROBE_MARGIN
                candidates.update({f"{stem}{n}": (stem, n) for n in range(start[stem], start[stem] + span)})
                start[stem] += span
            taken = await taken_identifiers(session, list(candidates))
            for candidate, (stem, number) in candidates.items():  # ascending within each stem
                if candidate not in taken:
                    free[stem].append(number)
        return free

    def commit(self) -> None:
        self.committed = dict(self.next_number)

    def rollback(self) -> None:
        self.next_number = dict(self.committed)


async def taken_identifiers(session: AsyncSession, candidates: list[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in chunks(candidates):
        taken.update((await session.scalars(select(Account.identifier).where(Account.identifier.in_(chunk)))).all())
    return taken


def chunks(values: list[T]) -> Iterator[list[T]]:
    """The values, VALUES_PER_QUERY at a time: an IN list of a whole school could pass the limits."""
    for first in range(0, len(values), VALUES_PER_QUERY):
        yield values[first:first + VALUES_PER_QUERY]
