"""Activities, grouped by side effect and shared by every journey."""

from __future__ import annotations

from parcours.activities.accounts import AccountActivities
from parcours.activities.codes import CodeActivities
from parcours.activities.dependencies import ActivityDependencies


def build_activities(dependencies: ActivityDependencies) -> list:
    accounts = AccountActivities(dependencies)
    codes = CodeActivities(dependencies)
    return [
        accounts.match_identity,
        accounts.check_birth_date,
        accounts.activate_account,
        codes.send_verification_code,
        codes.check_verification_code,
    ]
