"""Two imports at once — two CLIs, or the CLI and the admin endpoint — apply their schools one
transaction after the other: each school's transaction first takes the import lock, then reads what
exists. Without it, two imports of the same school would both add its new guardians (and provision
their accounts twice), and two imports of different schools could give one identifier to two new
accounts (identifiers are unique across schools). A school's transaction is short (its rows are
checked before it begins), so the other import waits a fraction of a second; journeys never take
this lock."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

# PostgreSQL's advisory locks are named by a number of the application's choosing: this one is the
# records import's, `Parc` in ASCII.
RECORDS_IMPORT_LOCK = 0x50617263


async def hold_import_lock(session: AsyncSession) -> None:
    """Until the transaction ends. SQLite needs nothing more: a writing transaction begins with the
    database's one write lock (BEGIN IMMEDIATE, parcours/db/engine.py)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(RECORDS_IMPORT_LOCK)))
