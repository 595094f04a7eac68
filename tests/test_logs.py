"""Structured logs: each line a JSON object naming its journey and activity."""

import json
import logging

from parcours.logs import JsonFormatter


def record(message, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("parcours.activities", logging.WARNING, __file__, 1, message, (), None)
    entry.__dict__.update(extra)
    return entry


def test_activity_lines_carry_the_journey_and_the_activity():
    line = JsonFormatter().format(record(
        "message %s abandoned after its retry budget",
        temporal_activity={"workflow_id": "activation/abc", "run_id": "r1", "activity_type": "abandon_messages",
                           "attempt": 2, "workflow_type": "Activation"}))
    entry = json.loads(line)
    assert entry["journey_id"] == "activation/abc" and entry["activity"] == "abandon_messages"
    assert entry["attempt"] == 2 and entry["level"] == "warning" and entry["journey_type"] == "Activation"
    assert entry["message"] == "message %s abandoned after its retry budget"


def test_lines_without_a_journey_are_json_too():
    entry = json.loads(JsonFormatter().format(record("worker listening")))
    assert entry["message"] == "worker listening" and "journey_id" not in entry



async def test_a_migration_says_one_line_and_alembic_says_nothing_at_info(tmp_path, capsys):
    """Alembic's plugin and context lines came before the stack's banner, a dozen of them."""
    from alembic.script import ScriptDirectory
    from sqlalchemy.ext.asyncio import create_async_engine

    from parcours.db.migrate import alembic_config, migrate
    from parcours.logs import configure_logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("text")
    try:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
        await migrate(engine)
        await migrate(engine)  # already at head: nothing to say
        await engine.dispose()
    finally:
        root.handlers[:], root.level = handlers, level
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    told = [line.split(" ", 3)[-1] for line in capsys.readouterr().err.splitlines()]
    assert told == [f"parcours.db.migrate schéma de la base migré de (vide) à {head}"], told


def _failed_activity_logged_as_the_sdk_does(error: Exception) -> None:
    """What temporalio's activity worker does with every failed activity (worker/_activity.py)."""
    import temporalio.activity

    try:
        raise error
    except Exception:
        temporalio.activity.logger.warning("Completing activity as failed", exc_info=True,
                                           extra={"__temporal_error_identifier": "ActivityFailure"})


def test_an_expected_refusal_is_one_info_line_a_real_error_keeps_its_traceback(caplog):
    """A weak password or a destination over its limits is the service working: no traceback at
    warning level for it; an error nobody expected still has one."""
    from datetime import UTC, datetime

    from parcours.logs import configure_logging
    from parcours.refusals import destination_limited

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("json")
    configure_logging("json")  # configured twice (a stack, then its worker): one filter still
    root.addHandler(caplog.handler)  # configure_logging replaced the root's handlers
    try:
        with caplog.at_level(logging.INFO):
            _failed_activity_logged_as_the_sdk_does(destination_limited(datetime(2031, 1, 1, tzinfo=UTC), "UTC"))
            _failed_activity_logged_as_the_sdk_does(RuntimeError("the database went away"))
    finally:
        root.handlers[:], root.level = handlers, level
    refused, failed = [r for r in caplog.records if r.name == "temporalio.activity"]
    assert (refused.levelno, refused.exc_info) == (logging.INFO, None)
    assert "destination_limited" in refused.getMessage() and "Traceback" not in JsonFormatter().format(refused)
    assert failed.levelno == logging.WARNING and failed.exc_info is not None
    assert "Traceback" in json.loads(JsonFormatter().format(failed))["error"]
