"""Journeys as python-statemachine charts: pure, deterministic, no I/O."""

# This folder sits at the repository's top level (the design card's layout) but is installed as
# parcours.states: with the repository root on sys.path (`python worker.py` run there) it could also be
# imported as `states`, a second copy of every class and chart. Refuse that copy.
if __name__ != "parcours.states":
    raise ImportError(f"import parcours.states, not {__name__} (this folder is installed under parcours)")
