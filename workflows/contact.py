"""Contact changes from « Mon compte », one module each: email_change.py, mobile_change.py.
Imported from here by the worker, the client and the letter activation."""

from parcours.workflows.email_change import EmailChangeWorkflow
from parcours.workflows.mobile_change import MobileChangeWorkflow

__all__ = ["EmailChangeWorkflow", "MobileChangeWorkflow"]
