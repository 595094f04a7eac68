"""Activation through FranceConnect (SPEC R-ACT-11): the API layer has done the OpenID Connect
exchange and passes the verified identity; Parcours matches it and activates without a password."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from parcours.contracts.activation import ChildToConfirm, ChildView
from parcours.contracts.common import (
    ActionStep,
    ChildStepStatus,
    IsoDate,
    JourneyOutcome,
    JourneyPolicy,
    JsonStrict,
    StrictInput,
)
from parcours.contracts.fields import Email, PersonName

FRANCECONNECT_WORKFLOW = "FranceConnectActivation"
FRANCECONNECT_ID_PREFIX = "franceconnect-activation/"


class FranceConnectIdentity(StrictInput):
    """The verified claims of the FranceConnect ID token / userinfo (`sub`, `family_name`,
    `given_name`, `birthdate`, `email`)."""

    subject: str = Field(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_\-.]+$", repr=False)
    family_name: PersonName
    given_name: PersonName
    birth_date: IsoDate
    email: Email


class FranceConnectStart(JsonStrict):
    identity: FranceConnectIdentity
    policy: JourneyPolicy = Field(default_factory=JourneyPolicy)


class FranceConnectData(BaseModel):
    state: str | None = None
    last_activity_at: datetime | None = None
    account_ref: str | None = None
    identifier: str | None = None
    children: list[ChildToConfirm] = Field(default_factory=list)


class FranceConnectStep(ActionStep):
    identifier: str | None = None
    children: list[ChildView] = Field(default_factory=list)


class FranceConnectOutcome(JourneyOutcome):
    status: ChildStepStatus
    tries_left: int | None = None
    step: FranceConnectStep
