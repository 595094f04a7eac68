"""The Temporal contract is usable without Python: the TypeScript example (clients/typescript/,
@temporalio/client and its own AES-GCM codec) drives one demo activation end to end against the
embedded stack, through the contract alone, and shows the refusals it reads on the way. Then
Parcours' side says the journey ended activated (its current_step read by the CLI) and the
account is active with a password (the database). Also: the TypeScript codec against the shared
test vectors (docs/codec-test-vectors.json), and the example type-checks."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.stack]
CLIENT = Path(__file__).resolve().parent.parent / "clients" / "typescript"
NODE, NPM = shutil.which("node"), shutil.which("npm")
if not (NODE and NPM):
    if os.environ.get("CI"):
        raise RuntimeError("CI runs the TypeScript client's test: Node 20 and npm must be installed")
    pytest.skip("node and npm are not installed (Node >= 20.3); CI has them", allow_module_level=True)

NPM_TIMEOUT_S, RUN_TIMEOUT_S = 180, 60


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The pinned packages of package-lock.json; .ci/run installs them, a fresh checkout here too."""
    if not (CLIENT / "node_modules" / ".package-lock.json").exists():
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--prefix", str(CLIENT)], check=True,
                       timeout=NPM_TIMEOUT_S, capture_output=True)
    return CLIENT / "node_modules"


def run(command: list[str], environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=CLIENT, env=environment, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)


def test_the_typescript_codec_meets_the_test_vectors_and_the_example_type_checks(node_modules):
    tested = run([str(node_modules / ".bin" / "tsx"), "--test", "src/codec.test.ts"])
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "# fail 0" in tested.stdout
    checked = run([str(node_modules / ".bin" / "tsc"), "--noEmit"])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_typescript_api_layer_activates_camille_through_the_temporal_contract(node_modules, embedded_stack):
    environment = {**embedded_stack.environment, "PARCOURS_DEV_INBOX_PATH": str(embedded_stack.inbox_path)}
    done = run([str(node_modules / ".bin" / "tsx"), "src/activate.ts"], environment)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    assert result["state"] == "activated", output

    # The refusals were read, with what they carry: a reason, a message, the field at fault.
    assert "refused (UpdateRejected): reason " in output, output
    assert "refused (ValidationError): reason invalid_input" in output and "field code: " in output, output
    assert "code_incorrect -> state code_sent" in output and "tries left: 4" in output, output

    # Parcours' side, not the example's word: the journey's step, and the account in the database.
    step = json.loads(embedded_stack.cli("--json", "activation", "step", result["journey_id"]))
    assert (step["state"], step["finished"]) == ("activated", True), step
    database = embedded_stack.directory / ".parcours" / "parcours.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        status, has_password = connection.execute(
            "SELECT status, password_hash IS NOT NULL FROM accounts WHERE identifier = ?",
            (result["identifier"],)).fetchone()
    assert (status, has_password) == ("active", 1)
