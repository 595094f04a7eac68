"""Parcours: self-service account journeys as Temporal workflows driving state machines."""
