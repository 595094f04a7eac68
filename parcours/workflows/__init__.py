"""Temporal workflows: each waits, times and calls activities; its state machine decides."""
