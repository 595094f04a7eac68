"""Activities, grouped by side effect and shared by every journey."""

from __future__ import annotations

# This folder sits at the repository's top level (the design card's layout) but is installed as
# parcours.activities: with the repository root on sys.path (`python worker.py` run there) it could also be
# imported as `activities`, a second copy of every class and chart. Refuse that copy.
if __name__ != "parcours.activities":
    raise ImportError(f"import parcours.activities, not {__name__} (this folder is installed under parcours)")

from parcours.activities.accounts import AccountActivities, FranceConnectActivities
from parcours.activities.children import ChildrenActivities
from parcours.activities.codes import CodeActivities
from parcours.activities.contact import ContactActivities
from parcours.activities.credentials import CredentialActivities
from parcours.activities.deliveries import DeliveryActivities
from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.recovery import RecoveryActivities


def build_activities(dependencies: ActivityDependencies) -> list:
    accounts = AccountActivities(dependencies)
    franceconnect = FranceConnectActivities(dependencies)
    codes = CodeActivities(dependencies)
    credentials = CredentialActivities(dependencies)
    recovery = RecoveryActivities(dependencies)
    children = ChildrenActivities(dependencies)
    contact = ContactActivities(dependencies)
    deliveries = DeliveryActivities(dependencies)
    return [
        franceconnect.match_franceconnect,
        franceconnect.activate_with_franceconnect,
        contact.request_email_change,
        contact.check_email_link,
        contact.confirm_email_change,
        contact.drop_pending_email,
        contact.request_mobile_change,
        contact.confirm_mobile_change,
        contact.drop_pending_mobile,
        children.account_view,
        children.report_link,
        children.pending_children,
        children.record_children,
        children.merge_accounts,
        recovery.send_identifier_reminder,
        recovery.prepare_password_reset,
        recovery.check_reset_link,
        recovery.reset_password_with_link,
        recovery.reset_password_after_code,
        credentials.verify_sign_in,
        credentials.verify_provisional_password,
        credentials.activate_by_letter,
        credentials.change_password,
        credentials.send_password_changed_notice,
        accounts.match_identity,
        accounts.send_already_active_notice,
        accounts.check_birth_date,
        accounts.activate_account,
        codes.send_verification_code,
        codes.check_verification_code,
        deliveries.abandon_messages,
    ]
