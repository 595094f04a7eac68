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
