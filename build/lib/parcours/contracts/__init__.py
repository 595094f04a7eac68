"""The pydantic models exchanged with journeys: inputs, outcomes, current steps, activity payloads.

They are the Temporal contract of Parcours, light enough to import inside workflow sandboxes.
"""
