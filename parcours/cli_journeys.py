"""`parcours account …`, `children …` and `recovery …`: the journeys of a signed-in account and
the recovery of a lost identifier or password."""

from __future__ import annotations

import typer

from parcours.cli_common import JSON_OUTPUT, child_answer, console, given_journey, parcours_client, run_async, show
from parcours.contracts.common import Channel
from parcours.contracts.recovery import IdentifierRequestInput, ResetRequestInput
from parcours.workflows.recovery import IdentifierRecoveryWorkflow, PasswordResetWorkflow

account_app = typer.Typer(help="Sign-in and « Mon compte »: password change.", no_args_is_help=True)
children_app = typer.Typer(help="« Mes enfants »: new students, link reports, merging accounts.", no_args_is_help=True)
recovery_app = typer.Typer(help="« Identifiant oublié » and « Mot de passe oublié ».", no_args_is_help=True)


async def recovery_journey(given_id: str):
    return await given_journey(given_id, IdentifierRecoveryWorkflow, PasswordResetWorkflow)


@account_app.command("sign-in")
@run_async
async def account_sign_in(
    identifier: str,
    password: str = typer.Option(..., prompt="Mot de passe", hide_input=True),
) -> None:
    """Identifier + password -> the account ref that « signed in » steps take."""
    show(await (await parcours_client()).sign_in(identifier, password))


@account_app.command("change-password")
@run_async
async def account_change_password(
    account_ref: str,
    current_password: str = typer.Option(..., "--current", prompt="Mot de passe actuel", hide_input=True),
    new_password: str = typer.Option(..., "--new", prompt="Nouveau mot de passe", hide_input=True),
    confirmation: str = typer.Option(..., "--confirmation", prompt="Confirmation du nouveau mot de passe",
                                     hide_input=True),
) -> None:
    """R-CON-1, for a signed-in account (the ref `account sign-in` prints)."""
    journey = await (await parcours_client()).start_password_change(account_ref)
    show(await journey.change_password(current_password, new_password, confirmation))


@account_app.command("view")
@run_async
async def account_view(account_ref: str) -> None:
    """« Mes informations » and « Mes enfants » of a signed-in account."""
    view = await (await parcours_client()).account_view(account_ref)
    if JSON_OUTPUT["enabled"]:
        console.print_json(view.model_dump_json())
        return
    console.print(f"[bold]{view.identifier}[/bold] ({view.kind}, {view.status})"
                  + (" — FranceConnect" if view.franceconnect else ""))
    console.print(f"  email : {view.email or '—'} ({view.email_status})"
                  + (f" — en attente de confirmation : {view.pending_email}" if view.pending_email else ""))
    console.print(f"  mobile : {view.mobile or '—'} ({view.mobile_status})"
                  + (f" — en attente de confirmation : {view.pending_mobile}" if view.pending_mobile else ""))
    for child in view.children:
        console.print(f"  {child.initials} né(e) le {child.birth_date:%d/%m/%Y} — {child.school}, {child.class_name} "
                      f"[dim]({child.student_ref}, {child.status})[/dim]")


@account_app.command("change-email")
@run_async
async def account_change_email(
    account_ref: str,
    new_email: str = typer.Option(..., "--new"),
    confirmation: str | None = typer.Option(None, help="The new address again (defaults to --new)."),
) -> None:
    """R-CON-2: a confirmation link to the new address (and a notice to the old one)."""
    journey = await (await parcours_client()).email_change(account_ref)
    show(await journey.request_change(new_email, confirmation or new_email))


@account_app.command("confirm-email")
@run_async
async def account_confirm_email(account_ref: str, token: str) -> None:
    """R-CON-5: open the link (identifier, old and new address), then confirm, signed in."""
    journey = await (await parcours_client()).email_change(account_ref)
    show(await journey.open_link(token))
    show(await journey.confirm(token, account_ref))


@account_app.command("change-mobile")
@run_async
async def account_change_mobile(account_ref: str, new_mobile: str = typer.Option(..., "--new")) -> None:
    """R-CON-7: a code by SMS to the new number."""
    show(await (await (await parcours_client()).mobile_change(account_ref)).request_change(new_mobile))


@account_app.command("mobile-code")
@run_async
async def account_mobile_code(account_ref: str, code: str) -> None:
    """R-CON-7: the code received on the new number."""
    show(await (await (await parcours_client()).mobile_change(account_ref)).submit_code(code))


@account_app.command("mobile-resend")
@run_async
async def account_mobile_resend(account_ref: str) -> None:
    """« Je n'ai pas reçu le code par SMS »."""
    show(await (await (await parcours_client()).mobile_change(account_ref)).resend_code())


@children_app.command("confirm")
@run_async
async def children_confirm(account_ref: str) -> None:
    """R-KID-2 at sign-in: start (or resume) the confirmation of new students."""
    show(await (await (await parcours_client()).start_children_confirmation(account_ref)).current_step())


@children_app.command("answer")
@run_async
async def children_answer(
    account_ref: str,
    student_ref: str,
    birth_date: str | None = typer.Option(None, help="JJ MM AAAA or AAAA-MM-JJ"),
    not_guardian: bool = typer.Option(False, "--not-guardian"),
) -> None:
    """Confirm one student with the birth date, or report the link."""
    journey = await (await parcours_client()).start_children_confirmation(account_ref)
    answer = child_answer(student_ref, not_guardian, birth_date)
    show(await journey.answer_child(answer))


@children_app.command("report")
@run_async
async def children_report(account_ref: str, student_ref: str) -> None:
    """R-KID-3: « Je ne suis pas le représentant légal de cet élève »."""
    show(await (await parcours_client()).report_link(account_ref, student_ref))


@children_app.command("merge")
@run_async
async def children_merge(
    account_ref: str,
    identifier: str = typer.Option(..., help="The other account's identifier."),
    password: str = typer.Option(..., prompt="Mot de passe de l'autre compte", hide_input=True),
) -> None:
    """R-KID-1: « Ajouter des élèves depuis un autre compte » (account_ref: the account to keep)."""
    journey = await (await parcours_client()).start_merge(account_ref)
    show(await journey.merge(identifier, password))


@recovery_app.command("identifier")
@run_async
async def recovery_identifier(
    channel: Channel = typer.Option(...),
    email: str | None = typer.Option(None),
    mobile: str | None = typer.Option(None),
) -> None:
    """« Identifiant oublié »: by mail (confirmed email) or SMS (guardians' confirmed mobile)."""
    request = IdentifierRequestInput(channel=channel, email=email, mobile=mobile)
    _, outcome = await (await parcours_client()).start_identifier_recovery(request)
    show(outcome)


@recovery_app.command("password")
@run_async
async def recovery_password(
    identifier: str,
    channel: Channel = typer.Option(Channel.MAIL),
    email: str | None = typer.Option(None, help="The account's email (mail channel)."),
) -> None:
    """« Mot de passe oublié »: a link by mail (R-REC-3) or a code by SMS (R-REC-4)."""
    request = ResetRequestInput(channel=channel, identifier=identifier, email=email)
    _, outcome = await (await parcours_client()).start_password_reset(request)
    show(outcome)


@recovery_app.command("step")
@run_async
async def recovery_step(journey_id: str) -> None:
    show(await (await recovery_journey(journey_id)).current_step())


@recovery_app.command("code")
@run_async
async def recovery_code(journey_id: str, code: str) -> None:
    """R-REC-4: the code received by SMS."""
    show(await (await recovery_journey(journey_id)).submit_code(code))


@recovery_app.command("resend")
@run_async
async def recovery_resend(journey_id: str) -> None:
    show(await (await recovery_journey(journey_id)).resend_code())


@recovery_app.command("open-link")
@run_async
async def recovery_open_link(journey_id: str, token: str) -> None:
    """What the page behind the mailed link does first (the link's `parcours` and `jeton`)."""
    show(await (await recovery_journey(journey_id)).open_link(token))


@recovery_app.command("new-password")
@run_async
async def recovery_new_password(
    journey_id: str,
    token: str | None = typer.Option(None, help="The link's `jeton` (mail channel)."),
    password: str = typer.Option(..., prompt="Nouveau mot de passe", hide_input=True),
    confirmation: str = typer.Option(..., prompt="Confirmation du nouveau mot de passe", hide_input=True),
) -> None:
    """Choose the new password (with the link's token, or after the SMS code)."""
    show(await (await recovery_journey(journey_id)).choose_password(token, password, confirmation))
