"""The CLI for scripts: every command, walked from the click tree, answers JSON with --json (its
result on stdout, an error as one object on stderr); the exit codes follow one table (README.md,
« Scripts »); passwords come from stdin; help for every command; values printed whole."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import socket
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from parcours.cli import app
from parcours.db.demo import DEMO_ACTIVE_PASSWORD
from parcours.settings import get_settings
from parcours.testing import free_port

ABORT_TRIES, ABORT_WAIT_S = 60, 0.5
SERVERS = {("up",), ("http-api",), ("codec-server",)}  # they run on: their error path is walked
VALUES = {"channel": "sms", "last_name": "Martin", "first_name": "Camille", "mobile": "06 12 34 56 78",
          "identifier": "s.bernard1", "student_ref": "stu-lea-martin", "code": "123456", "token": "abc",
          "account_ref": "nope", "subject": "fc-1", "family_name": "Benali", "given_name": "Karim",
          "birth_date": "1980-01-01", "email": "karim.benali@example.org", "new_email": "s@example.org",
          "new_mobile": "07 81 22 33 44", "duration": "1s",
          "file": "no-such-export.csv", "subscriber": "ent"}


def leaves(command, path=()):
    """Every command of the app, with its path (duck-typed: typer's groups are not click's)."""
    for name, sub in getattr(command, "commands", {}).items():
        yield from leaves(sub, (*path, name))
    if not getattr(command, "commands", None):
        yield path, command


COMMANDS = list(leaves(typer.main.get_command(app)))


def journey_id(path) -> str:
    return {"recovery": "password-reset/nope"}.get(path[0], "franceconnect-activation/nope"
                                                   if path[-1] == "franceconnect-child" else "activation/nope")


def arguments_for(path, command) -> list[str]:
    """The command's required parameters filled in; every password from stdin."""
    arguments: list[str] = []
    for param in command.params:
        name = (param.metavar or param.name).lower()
        value = journey_id(path) if name == "journey_id" else VALUES.get(name)
        if param.param_type_name == "argument":
            arguments.append(value)
        elif param.required and not getattr(param, "hide_input", False):
            arguments += [param.opts[0], value]
    stdin = any(getattr(param, "hide_input", False) for param in command.params)
    return [*path, *arguments, *(["--password-stdin"] if stdin else []), *(["--check"] if path == ("docs",) else [])]


def cli(*arguments: str, env: dict[str, str | None], input: str | None = None):
    get_settings.cache_clear()  # each invocation reads its own environment
    try:
        return CliRunner().invoke(app, list(arguments), env=env, input=input)
    finally:
        get_settings.cache_clear()


@pytest.fixture
def env(harness, settings, time_env):
    """A worker on a time-skipping server, the demo records loaded: the CLI's variables."""
    return {"PARCOURS_TEMPORAL_ADDRESS": time_env.client.service_client.config.target_host,
            "PARCOURS_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(),
            "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value(),
            "PARCOURS_TASK_QUEUE": settings.task_queue, "PARCOURS_DATABASE_URL": settings.database_url,
            "PARCOURS_DEV_INBOX_PATH": str(settings.dev_inbox_path), "COLUMNS": "40"}


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_a_server_announces_itself_in_json(server, settings, tmp_path):
    """A server started in its process on a taken port refuses in JSON before announcing itself."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        env = {**os.environ, "PARCOURS_HTTP_API_PORT": port, "PARCOURS_CODEC_SERVER_PORT": port,
               "PARCOURS_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(),
               "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value()}
        result = subprocess.run([sys.executable, "-m", "parcours.cli", "--json", *server], capture_output=True,
                                text=True, timeout=60, env=env, cwd=tmp_path)
    # Each checks its ports before it announces anything: nothing on stdout, the refusal on stderr,
    # the exit code of a service that cannot answer.
    assert result.returncode == 5 and result.stdout == "", result
    assert json.loads(result.stderr)["reason"] == "port_in_use"


def test_the_walk_finds_every_command():
    paths = {path for path, _ in COMMANDS}
    assert {("demo",), ("inbox",), ("activation", "start"), ("recovery", "resend"), ("account", "mobile-code"),
            ("clock", "advance")} <= paths and len(paths) >= 30


async def test_every_command_answers_json_with_json(env):
    for path, command in COMMANDS:
        if path in SERVERS:
            continue
        result = await asyncio.to_thread(cli, "--json", *arguments_for(path, command), env=env,
                                         input=f"{DEMO_ACTIVE_PASSWORD}\n" * 3)
        where = (path, result.exit_code, result.stdout, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), (where, result.exception)
        assert result.exit_code in {0, 2, 3, 4, 5}, where
        if result.exit_code in {0, 3}:  # answered: the result on stdout
            json.loads(result.stdout)
        else:
            assert result.stdout == "" or json.loads(result.stdout), where  # a step shown before a refusal
            assert set(json.loads(result.stderr)) >= {"reason", "message"}, where


@pytest.mark.parametrize("arguments, code", [
    (["demo"], 0),
    (["account", "sign-in", "s.bernard1", "--password-stdin"], 0),  # signed in
    (["activation", "code"], 2),  # usage: click's own
    (["activation", "start", "--channel", "sms", "--last-name", "M", "--first-name", "C", "--mobile", "06"], 2),
    (["account", "sign-in", "s.bernard1", "--password", "wrong-password"], 3),  # answered: invalid
    (["activation", "step", "activation/nope"], 4),  # refused: unknown journey
    (["account", "view", "nope"], 4),  # refused: unknown account
])
async def test_the_exit_code_table(env, arguments, code):
    result = await asyncio.to_thread(cli, *arguments, env=env, input=f"{DEMO_ACTIVE_PASSWORD}\n")
    assert result.exit_code == code, (result.stdout, result.stderr)


def test_the_exit_codes_of_an_unreachable_service_and_an_abort():
    away = {"PARCOURS_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}"}
    assert cli("activation", "step", "activation/nope", env=away).exit_code == 5
    # The hidden prompt needs a terminal: a pseudo-terminal, and Ctrl-D (end of input) at the prompt.
    controller, terminal = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "parcours.cli", "account", "sign-in", "s.bernard1"],
                          stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                          env={**os.environ, **away}) as process:
        os.close(terminal)
        # getpass flushes the terminal's input when it hides it: Ctrl-D again until the prompt takes one.
        for _ in range(ABORT_TRIES):
            os.write(controller, b"\x04")
            try:
                _, stderr = process.communicate(timeout=ABORT_WAIT_S)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            process.kill()
            raise AssertionError("the prompt never ended on Ctrl-D")
    os.close(controller)
    assert process.returncode == 1 and "Abandon" in stderr.decode(), stderr


async def test_a_piped_password_without_password_stdin_is_refused_not_prompted(env):
    """Without a terminal the prompt would land on stdout, inside the JSON a script reads."""
    result = await asyncio.to_thread(cli, "--json", "account", "sign-in", "s.bernard1", env=env,
                                     input=f"{DEMO_ACTIVE_PASSWORD}\n")
    assert result.exit_code == 2 and result.stdout == "", (result.stdout, result.stderr)
    refusal = json.loads(result.stderr)
    assert refusal["reason"] == "invalid_input" and "--password-stdin" in refusal["message"]
    assert "terminal" in refusal["message"]


async def test_passwords_come_from_stdin_one_line_each(env):
    result = await asyncio.to_thread(cli, "--json", "account", "sign-in", "s.bernard1", "--password-stdin",
                                     env=env, input=f"{DEMO_ACTIVE_PASSWORD}\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["status"] == "signed_in", result.output
    empty = await asyncio.to_thread(cli, "account", "sign-in", "s.bernard1", "--password-stdin", env=env, input="")
    assert empty.exit_code == 2 and "entrée standard" in empty.stderr
    every = [path for path, command in COMMANDS if any(getattr(p, "hide_input", False) for p in command.params)]
    assert len(every) == 6 and all(
        any(getattr(p, "opts", [None])[0] == "--password-stdin" for p in command.params)
        for path, command in COMMANDS if path in every)


def test_every_command_has_help_and_flags_show_no_type():
    for path, command in COMMANDS:
        assert command.help, path
        shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert shown.exit_code == 0 and "<bool>" not in shown.stdout, (path, shown.stdout)
        assert "Exit codes" in shown.stdout, path
    account = CliRunner().invoke(app, ["account", "--help"], env={"COLUMNS": "200"}).stdout
    assert all(word in account for word in ("password", "email", "mobile", "Mes informations"))


def test_inbox_links_and_demo_values_are_whole_on_a_narrow_pipe(tmp_path):
    link = ("https://parcours.example.org/mot-de-passe-oublie?parcours=password-reset%2F" + "x" * 60
            + "&jeton=" + "y" * 40)
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text(json.dumps({"at": "2026-01-01T00:00:00Z", "channel": "mail", "to": "a@example.org",
                                 "subject": "Lien", "body": f"Votre lien : {link}", "key": "k"}) + "\n")
    shown = cli("inbox", env={"PARCOURS_DEV_INBOX_PATH": str(inbox), "COLUMNS": "40"})
    assert shown.exit_code == 0 and link in shown.stdout, shown.stdout
    demo = cli("demo", env={"COLUMNS": "40"}).stdout
    assert all(value in demo for value in ("s.bernard1", "s.bernard2", "Sophie Bernard", "camille.martin@example.org",
                                           "provisional password Provisoire-2026!: merge it"))
