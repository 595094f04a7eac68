"""Schema migrations (Alembic), applied by the worker, the embedded stack and the tests."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from parcours.db.models import Base

MIGRATIONS = Path(__file__).parent / "migrations"
logger = logging.getLogger(__name__)
FIRST_REVISION = "0001"
# What a database made before migrations existed holds (`create_all` of the models as they were
# then): the first revision's tables. Tables of later revisions are not expected there.
FIRST_REVISION_TABLES = frozenset({
    "school_guardians", "school_students", "school_guardian_student_links", "accounts", "account_students",
    "verification_codes", "message_deliveries", "journey_claims", "link_events"})


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection) -> None:
    tables = set(inspect(connection).get_table_names())
    if MigrationContext.configure(connection).get_current_revision() is None and tables & set(Base.metadata.tables):
        # A database made before migrations existed: the first revision is what it holds, if it
        # holds all of it (a database older still must be recreated: the README says how).
        if not FIRST_REVISION_TABLES <= tables:
            raise RuntimeError("this database predates the schema migrations and lacks tables: remove it "
                               "(the embedded one is .parcours/parcours.db) and start again")
        command.stamp(alembic_config(connection), FIRST_REVISION)
    before = MigrationContext.configure(connection).get_current_revision()
    command.upgrade(alembic_config(connection), "head")
    after = MigrationContext.configure(connection).get_current_revision()
    if after != before:  # Alembic's own lines are quieted (parcours/logs.py): one line says it
        logger.info("schéma de la base migré de %s à %s", before or "(vide)", after)


async def migrate(engine: AsyncEngine) -> None:
    """Bring the database to the latest revision (idempotent; concurrent starts are serialised by
    the transaction on SQLite and by Alembic's version table on PostgreSQL)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
