"""The docs follow the code; the CLI speaks clearly without a server."""

import inspect
import re
import subprocess

from typer.testing import CliRunner

from parcours.cli import app
from parcours.journeys import JOURNEYS
from parcours.reference_docs.diagrams import OPERATORS_FILE, REPOSITORY, mermaid, write_journey_docs
from parcours.states.activation import ActivationJourney
from parcours.testing import temporal_binary
from parcours.workflows.common import JourneyWorkflow

README = REPOSITORY / "README.md"


def test_committed_diagrams_are_generated_from_the_machines():
    assert write_journey_docs(check_only=True) == [], "run `parcours docs` and commit"


def test_the_operators_runbook_lists_every_journey_kind():
    """The list is generated (the test above keeps it fresh); this says what it must hold."""
    kinds = [journey.kind for journey in JOURNEYS if journey.kind]
    assert len(kinds) == len(set(kinds)) == 12
    runbook = OPERATORS_FILE.read_text(encoding="utf-8")
    assert all(f"| `{kind}` |" in runbook for kind in kinds)


def test_a_journey_without_a_kind_sets_no_search_attribute():
    for journey in JOURNEYS:
        source = inspect.getsource(journey.workflow)
        if journey.kind is None:  # listed as setting no search attribute
            assert not issubclass(journey.workflow, JourneyWorkflow) and "search_attributes" not in source


def test_operator_queries_sit_beside_the_journey_state_lag():
    """A visibility query by JourneyState misses a journey that moved less than the lag ago: each
    section showing one says so."""
    for path in (README, OPERATORS_FILE):
        text = path.read_text(encoding="utf-8")
        queries = [match.start() for match in re.finditer(r"workflow list --query \"[^\"]*JourneyState", text)]
        assert queries, path
        for start in queries:
            section = re.split(r"\n##+ ", text[start:], maxsplit=1)[0]  # to the next heading
            assert "PARCOURS_OPERATOR_STATE_LAG" in section and "workflow metadata" in section, path


def test_every_temporal_workflow_command_in_the_docs_exists_in_the_installed_cli():
    texts = [README.read_text(encoding="utf-8"),
             *(path.read_text(encoding="utf-8") for path in sorted((REPOSITORY / "docs").glob("*.md")))]
    commands = set(re.findall(r"temporal workflow ([a-z-]+)", "\n".join(texts)))
    assert "metadata" in commands  # where a journey stands now (not `describe`)
    for command in commands:
        shown = subprocess.run([temporal_binary("temporal"), "workflow", command, "--help"], capture_output=True,
                               text=True, timeout=30).stdout
        # An unknown sub-command prints the parent's help, and exits 0 too.
        assert f"Usage:\n  temporal workflow {command}" in shown, command


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
    # An account without a mobile or an email says so, not « mobile — — email »
    assert "Karim Benali — identifiant k.benali1 — mobile aucun — email karim.benali@example.org" in result.output
    assert "mobile — —" not in result.output and "email — —" not in result.output


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
