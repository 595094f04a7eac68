"""The journeys' screens, one module each: a router (its pages and form posts) and its templates
under templates/<journey>/. The home page lists JOURNEYS; docs/web.md says how to add one."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter

from parcours.web.journeys import activation


@dataclass(frozen=True)
class Journey:
    title: str  # the seeds' wording: the link the family clicks
    description: str
    start_url: str
    router: APIRouter


JOURNEYS = [
    Journey("Je n'ai pas de compte", "Activer mon compte avec le code reçu par SMS ou par mail.",
            activation.START_URL, activation.router),
]
