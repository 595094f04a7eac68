"""Journeys as python-statemachine charts: pure, deterministic, no I/O."""
