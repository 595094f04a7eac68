"""The docs follow the code; the CLI speaks clearly without a server."""

from typer.testing import CliRunner

from parcours.cli import app
from parcours.reference_docs.diagrams import mermaid, write_journey_docs
from parcours.states.activation import ActivationJourney


def test_committed_diagrams_are_generated_from_the_machines():
    assert write_journey_docs(check_only=True) == [], "run `parcours docs` and commit"


def test_diagram_has_every_state():
    diagram = mermaid(ActivationJourney)
    for state in ActivationJourney.states:
        assert f"as {state.id}" in diagram


def test_cli_names_the_bad_field_before_contacting_anything():
    result = CliRunner().invoke(app, ["activation", "start", "--channel", "sms", "--last-name", "Martin",
                                      "--first-name", "Camille", "--mobile", "06 12"])
    assert result.exit_code == 2
    assert "mobile" in result.output


def test_cli_lists_the_demo_records():
    result = CliRunner().invoke(app, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Camille Martin" in result.output and "active through FranceConnect" in result.output


def test_cli_shows_every_kind_of_outcome(capsys):
    """Each journey's outcome and step print without error (the CLI is one `show` for all)."""
    from parcours.cli import show
    from parcours.contracts.accounts import PasswordChangeOutcome, PasswordChangeStep, SignInResult
    from parcours.contracts.children import LinkReportStep, MergeOutcome, MergeStep
    from parcours.contracts.recovery import RecoveryOutcome, RecoveryStep

    change_step = PasswordChangeStep(journey_id="password-change/x", state="changed", finished=True,
                                     expected_input=[], messages=["Votre mot de passe a été modifié."])
    recovery_step = RecoveryStep(journey_id="password-reset/x", state="code_sent", finished=False,
                                 expected_input=["submit_code"], messages=["code"], code_tries_left=4)
    for result in (PasswordChangeOutcome(status="accepted", message="ok", step=change_step),
                   RecoveryOutcome(status="code_incorrect", message="Le code est incorrect.", tries_left=4,
                                   step=recovery_step),
                   SignInResult(status="invalid", message="Identifiant ou mot de passe incorrect."),
                   change_step, recovery_step,
                   LinkReportStep(journey_id="link-report/x", state="reported", finished=True, messages=["ok"]),
                   MergeOutcome(status="names_differ", message="noms", step=MergeStep(
                       journey_id="account-merge/x", state="other_account_to_give", finished=False,
                       expected_input=["merge"], messages=["m"]))):
        show(result)
    output = capsys.readouterr().out
    assert "password-change/x" in output and "essais restants : 4" in output and "incorrect" in output
