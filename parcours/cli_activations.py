"""`parcours activation …`: the activation journeys (by the school's records, by letter, by
FranceConnect), step by step."""

from __future__ import annotations

import typer

from parcours.cli_common import child_answer, code_commands, given_journey, parcours_client, run_async, show
from parcours.cli_group import sub_app
from parcours.cli_passwords import password_stdin
from parcours.contracts.activation import IdentityInput
from parcours.contracts.common import Channel
from parcours.contracts.franceconnect import FranceConnectIdentity
from parcours.workflows.activation import ActivationWorkflow
from parcours.workflows.franceconnect import FranceConnectActivationWorkflow

activation_app = sub_app("The activation journeys (« Je n'ai pas de compte »): by the school's records, by "
                         "letter, by FranceConnect.")


async def activation_journey(given_id: str):
    return await given_journey(given_id, ActivationWorkflow)


@activation_app.command("start")
@run_async
async def activation_start(
    channel: Channel = typer.Option(..., help="sms or mail"),
    last_name: str = typer.Option(..., "--last-name"),
    first_name: str = typer.Option(..., "--first-name"),
    mobile: str | None = typer.Option(None, help="The mobile number given to the school."),
    email: str | None = typer.Option(None, help="The address given to the school."),
) -> None:
    """Start an activation and submit the identity (R-ACT-1)."""
    identity = IdentityInput(channel=channel, last_name=last_name, first_name=first_name, mobile=mobile, email=email)
    _, outcome = await (await parcours_client()).start_activation(identity)
    show(outcome)


@activation_app.command("letter")
@run_async
async def activation_letter(
    identifier: str,
    provisional_password: str = typer.Option(..., "--provisional", prompt="Mot de passe provisoire", hide_input=True),
    email: str | None = typer.Option(None, help="Mandatory for guardians."),
    password: str = typer.Option(..., prompt="Nouveau mot de passe", hide_input=True),
    confirmation: str = typer.Option(..., prompt="Confirmation du nouveau mot de passe", hide_input=True),
    _stdin: bool = password_stdin("the provisional password, then the new one"),
) -> None:
    """R-ACT-10: activation with the notification letter's identifier and provisional password."""
    journey = await (await parcours_client()).start_letter_activation()
    outcome = await journey.submit_credentials(identifier, provisional_password)
    show(outcome)
    if outcome.status == "accepted":
        show(await journey.submit_details(email, password, confirmation))


@activation_app.command("franceconnect")
@run_async
async def activation_franceconnect(
    subject: str = typer.Option(...), family_name: str = typer.Option(..., "--family-name"),
    given_name: str = typer.Option(..., "--given-name"), birth_date: str = typer.Option(..., "--birth-date"),
    email: str = typer.Option(...),
) -> None:
    """R-ACT-11, as the API layer does after the FranceConnect exchange (claims given here)."""
    identity = FranceConnectIdentity.model_validate(
        {"subject": subject, "family_name": family_name, "given_name": given_name, "birth_date": birth_date,
         "email": email})
    journey = await (await parcours_client()).start_franceconnect_activation(identity)
    show(await journey.current_step())


@activation_app.command("franceconnect-child")
@run_async
async def activation_franceconnect_child(
    given_id: str = typer.Argument(..., metavar="JOURNEY_ID"), student_ref: str = typer.Argument(...),
    birth_date: str | None = typer.Option(None, help="JJ MM AAAA or AAAA-MM-JJ"),
    not_guardian: bool = typer.Option(False, "--not-guardian", help="« Je ne suis pas le représentant légal »"),
) -> None:
    """R-ACT-7 inside the FranceConnect activation."""
    journey = await given_journey(given_id, FranceConnectActivationWorkflow)
    answer = child_answer(student_ref, not_guardian, birth_date)
    show(await journey.answer_child(answer))


@activation_app.command("identity")
@run_async
async def activation_identity(
    journey_id: str,
    channel: Channel = typer.Option(...),
    last_name: str = typer.Option(..., "--last-name"),
    first_name: str = typer.Option(..., "--first-name"),
    mobile: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
) -> None:
    """Submit a corrected identity to a journey still at the identity step."""
    identity = IdentityInput(channel=channel, last_name=last_name, first_name=first_name, mobile=mobile, email=email)
    show(await (await activation_journey(journey_id)).submit_identity(identity))


code_commands(activation_app, activation_journey, "JOURNEY_ID",
              step="Where the journey stands: state, messages, deadlines, expected input.",
              code="Submit the code received by SMS or mail (R-ACT-3/4/5).",
              resend="« Renvoyer le SMS »: a new code, within cooldown and cap (R-ACT-6).")


@activation_app.command("child")
@run_async
async def activation_child(
    journey_id: str,
    student_ref: str,
    birth_date: str | None = typer.Option(None, help="JJ MM AAAA or AAAA-MM-JJ"),
    not_guardian: bool = typer.Option(False, "--not-guardian", help="« Je ne suis pas le représentant légal »"),
) -> None:
    """Confirm a child with their birth date, or report the link (R-ACT-7)."""
    answer = child_answer(student_ref, not_guardian, birth_date)
    show(await (await activation_journey(journey_id)).answer_child(answer))


@activation_app.command("password")
@run_async
async def activation_password(
    journey_id: str,
    password: str = typer.Option(..., prompt="Nouveau mot de passe", hide_input=True, confirmation_prompt=False),
    confirmation: str = typer.Option(..., prompt="Confirmation du nouveau mot de passe", hide_input=True),
    _stdin: bool = password_stdin("the new password"),
) -> None:
    """Choose the password (R-ACT-8); the account is then active (R-ACT-9)."""
    show(await (await activation_journey(journey_id)).choose_password(password, confirmation))
