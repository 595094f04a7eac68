"""Recovery workflows, one module each: identifier_recovery.py (R-REC-1/2), password_reset.py
(R-REC-3/4); what they share in recovery_common.py. Imported from here by the worker and the client."""

from parcours.workflows.identifier_recovery import IdentifierRecoveryWorkflow
from parcours.workflows.password_reset import PasswordResetWorkflow
from parcours.workflows.recovery_common import RecoveryWorkflow

__all__ = ["IdentifierRecoveryWorkflow", "PasswordResetWorkflow", "RecoveryWorkflow"]
