"""Runs a Parcours worker: `python worker.py` (settings from PARCOURS_* variables), as the
`parcours-worker` command does. Run it with the project's interpreter (`.venv/bin/python`)."""

from parcours.worker import main

if __name__ == "__main__":
    main()
