"""Structured logs: one JSON object a line, with the journey (workflow id) and the activity when
the line comes from one, so a log pipeline can follow a journey. No personal data goes in: the
journeys and activities log templates, keys and states, never a number, address, code or name."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

from parcours.refusals import refusal_of

JOURNEY_FIELDS = {"workflow_id": "journey_id", "run_id": "run_id", "workflow_type": "journey_type",
                  "activity_type": "activity", "attempt": "attempt"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for source in ("temporal_workflow", "temporal_activity"):
            for field, name in JOURNEY_FIELDS.items():
                value = (getattr(record, source, None) or {}).get(field)
                if value is not None:
                    entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

class ExpectedRefusals(logging.Filter):
    """temporalio's activity worker logs every failed activity at warning level with its traceback.
    A refusal (parcours/refusals.py: a weak password, a destination over its limits) is the service
    answering, not an error: rewritten to one info line naming its reason. Any other failure keeps
    its level and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        refusal = refusal_of(error)
        if refusal is not None and isinstance(error, ApplicationError) and error.non_retryable:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            record.msg = f"{record.msg} (refused: {refusal.reason})"
            record.exc_info, record.exc_text = None, None
        return True


# Alembic tells every start of its plugins and context at INFO: a dozen lines before a stack's banner.
# What matters to an operator, a revision applied, parcours.db.migrate tells in one line.
ALEMBIC_LOGGERS = ("alembic.runtime.plugins", "alembic.runtime.migration")


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """JSON lines (the journey and activity as fields) or plain text, on standard error."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
        # the journey is a field of its own: the SDK need not append it to every message too
        workflow.logger.workflow_info_on_message = False
        activity.logger.activity_info_on_message = False
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in ALEMBIC_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    activity_logger = activity.logger.logger  # the SDK's worker logs failed activities there
    if not any(isinstance(existing, ExpectedRefusals) for existing in activity_logger.filters):
        activity_logger.addFilter(ExpectedRefusals())
