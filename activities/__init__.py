"""Activities, grouped by side effect and shared by every journey."""

from __future__ import annotations

# This folder sits at the repository's top level (the design card's layout) but is installed as
# parcours.activities: with the repository root on sys.path (`python worker.py` run there) it could also be
# imported as `activities`, a second copy of every class and chart. Refuse that copy.
if __name__ != "parcours.activities":
    raise ImportError(f"import parcours.activities, not {__name__} (this folder is installed under parcours)")

from collections.abc import Awaitable, Callable

from parcours.activities.accounts import AccountActivities, FranceConnectActivities
from parcours.activities.children import ChildrenActivities
from parcours.activities.codes import CodeActivities
from parcours.activities.contact import ContactActivities
from parcours.activities.credentials import CredentialActivities
from parcours.activities.deliveries import DeliveryActivities
from parcours.activities.dependencies import ActivityDependencies
from parcours.activities.events import EventActivities
from parcours.activities.recovery import RecoveryActivities
from parcours.activities.retention import RetentionActivities

# Every class whose @activity.defn methods the worker runs.
ACTIVITY_CLASSES = (AccountActivities, FranceConnectActivities, CodeActivities, CredentialActivities,
                    RecoveryActivities, ChildrenActivities, ContactActivities, DeliveryActivities, EventActivities,
                    RetentionActivities)


def activity_name(member: object) -> str | None:
    """The name `@activity.defn` gave `member`, None for a method that is not an activity. The
    decorator marks the function with this attribute, as temporalio's worker reads it."""
    definition = getattr(member, "__temporal_activity_definition", None)
    return None if definition is None else str(definition.name)


def build_activities(dependencies: ActivityDependencies) -> list[Callable[..., Awaitable[object]]]:
    """The bound activity methods of every class in ACTIVITY_CLASSES, one instance of each."""
    activities = []
    for activity_class in ACTIVITY_CLASSES:
        instance = activity_class(dependencies)
        activities += [getattr(instance, name) for name, member in vars(activity_class).items()
                       if activity_name(member) is not None]
    return activities
