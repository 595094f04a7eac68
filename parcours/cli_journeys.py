"""`parcours account …`, `children …` and `recovery …`: the journeys of a signed-in account and
the recovery of a lost identifier or password."""

from __future__ import annotations

import typer

from parcours.cli_common import child_answer, code_commands, emit, given_journey, parcours_client, run_async, say, show
from parcours.cli_group import sub_app
from parcours.cli_passwords import password_stdin
from parcours.contracts.common import Channel
from parcours.contracts.recovery import IdentifierRequestInput, ResetRequestInput
from parcours.workflows.recovery import IdentifierRecoveryWorkflow, PasswordResetWorkflow

account_app = sub_app("Sign-in and « Mon compte »: read the account (« Mes informations », « Mes enfants »), "
                      "change the password, the email (a link to confirm) and the mobile (a code by SMS).")
children_app = sub_app("« Mes enfants »: new students, link reports, merging accounts.")
recovery_app = sub_app("« Identifiant oublié » and « Mot de passe oublié ».")


async def recovery_journey(given_id: str):
    return await given_journey(given_id, IdentifierRecoveryWorkflow, PasswordResetWorkflow)


@account_app.command("sign-in")
@run_async
async def account_sign_in(
    identifier: str,
    password: str = typer.Option(..., prompt="Mot de passe", hide_input=True),
    _stdin: bool = password_stdin(),
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
    _stdin: bool = password_stdin("the current password, then the new one"),
) -> None:
    """R-CON-1, for a signed-in account (the ref `account sign-in` prints)."""
    journey = await (await parcours_client()).start_password_change(account_ref)
    show(await journey.change_password(current_password, new_password, confirmation))


@account_app.command("view")
@run_async
async def account_view(account_ref: str) -> None:
    """« Mes informations » and « Mes enfants » of a signed-in account."""
    view = await (await parcours_client()).account_view(account_ref)
    emit(view, f"{view.identifier} ({view.kind}, {view.status})" + (" — FranceConnect" if view.franceconnect else ""))
    say(f"  email : {view.email or '—'} ({view.email_status})"
        + (f" — en attente de confirmation : {view.pending_email}" if view.pending_email else ""))
    say(f"  mobile : {view.mobile or '—'} ({view.mobile_status})"
        + (f" — en attente de confirmation : {view.pending_mobile}" if view.pending_mobile else ""))
    for child in view.children:
        say(f"  {child.initials} né(e) le {child.birth_date:%d/%m/%Y} — {child.school}, {child.class_name} "
            f"({child.student_ref}, {child.status})")


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


async def mobile_change(account_ref: str):
    return await (await parcours_client()).mobile_change(account_ref)


code_commands(account_app, mobile_change, "ACCOUNT_REF", prefix="mobile-",
              code="R-CON-7: the code received on the new number.",
              resend="« Je n'ai pas reçu le code par SMS »: a new code to the new number.")


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
    not_guardian: bool = typer.Option(False, "--not-guardian", help="« Je ne suis pas le représentant légal »"),
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
    _stdin: bool = password_stdin("the other account's password"),
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


code_commands(recovery_app, recovery_journey, "JOURNEY_ID",
              step="Where the recovery stands: state, messages, deadlines, expected input.",
              code="R-REC-4: the code received by SMS.",
              resend="R-REC-4: a new code by SMS, within cooldown and cap.")


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
    _stdin: bool = password_stdin("the new password"),
) -> None:
    """Choose the new password (with the link's token, or after the SMS code)."""
    show(await (await recovery_journey(journey_id)).choose_password(token, password, confirmation))
