"""Temporal workflows: each waits, times and calls activities; its state machine decides."""

# This folder sits at the repository's top level (the design card's layout) but is installed as
# parcours.workflows: with the repository root on sys.path (`python worker.py` run there) it could also be
# imported as `workflows`, a second copy of every class and chart. Refuse that copy.
if __name__ != "parcours.workflows":
    raise ImportError(f"import parcours.workflows, not {__name__} (this folder is installed under parcours)")
