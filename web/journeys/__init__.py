"""The journeys' screens, one module each: a router (its pages and form posts) and its templates
under templates/<journey>/. The home page lists JOURNEYS; docs/web.md says how to add one."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter

from parcours.web.journeys import (
    account,
    activation,
    children,
    identifier_recovery,
    letter_activation,
    password_reset,
)


@dataclass(frozen=True)
class Journey:
    title: str  # the seeds' wording: the link the family clicks
    description: str
    start_url: str
    router: APIRouter


JOURNEYS = [
    Journey("Je n'ai pas de compte", "Activer mon compte avec le code reçu par SMS ou par mail.",
            activation.START_URL, activation.router),
    Journey("Identifiant oublié", "Recevoir mon identifiant par mail ou par SMS.",
            identifier_recovery.START_URL, identifier_recovery.router),
    Journey("Mot de passe oublié", "Choisir un nouveau mot de passe avec un lien reçu par mail ou un code reçu "
            "par SMS.", password_reset.START_URL, password_reset.router),
    Journey("J'ai reçu une notification de l'école", "Activer mon compte avec l'identifiant et le mot de passe "
            "provisoire de la notification.", letter_activation.START_URL, letter_activation.router),
    Journey("Mon compte", "Me connecter, modifier mon mot de passe, mon adresse mail ou mon numéro de portable.",
            account.ACCOUNT_URL, account.router),  # with « Me connecter » (sign_in.py)
    Journey("Mes enfants", "Confirmer mes enfants, signaler un lien, regrouper un autre compte avec le mien.",
            children.CHILDREN_URL, children.router),
]
