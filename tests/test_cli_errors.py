"""The CLI answers what goes wrong in one French line on stderr (JSON with --json) and a non-zero
exit code, never a traceback: unknown or malformed journey ids, unknown accounts, Temporal out of
reach, a missing key, a busy port at `parcours up`."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time

import pytest
from typer.testing import CliRunner

from parcours.cli import app
from parcours.settings import get_settings
from parcours.stack import embedded
from parcours.testing import free_port, settings_for

NOT_OPEN = "Ce parcours n'existe pas"


def cli(*arguments: str, env: dict[str, str | None]):
    get_settings.cache_clear()  # each invocation reads its own environment
    try:
        return CliRunner().invoke(app, list(arguments), env=env)
    finally:
        get_settings.cache_clear()


def assert_one_clean_line(result, exit_code: int, *words: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    """A Temporal test server (no worker: the ids asked about exist nowhere) and the CLI's variables."""
    directory = tmp_path_factory.mktemp("cli")
    settings = settings_for(directory, temporal_address=f"127.0.0.1:{free_port()}")
    server = embedded.TestServerProcess(settings, directory / "server.log")
    asyncio.run(server.start())
    yield {"PARCOURS_TEMPORAL_ADDRESS": settings.temporal_address,
           "PARCOURS_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(),
           "PARCOURS_SECRET_KEY": settings.secret_key.get_secret_value()}
    server.stop()


@pytest.mark.parametrize("command", [["activation", "step"], ["activation", "code", "--", "{id}", "123456"],
                                     ["recovery", "step"]])
def test_an_unknown_journey_is_one_line(server_env, command):
    journey = "password-reset/nope" if command[0] == "recovery" else "activation/nope"
    arguments = [part.replace("{id}", journey) for part in command]
    result = cli(*(arguments if "{id}" in command else arguments + [journey]), env=server_env)
    assert_one_clean_line(result, 4, NOT_OPEN, "unknown_journey")


def test_a_bare_activation_ref_gets_its_prefix(server_env):
    assert_one_clean_line(cli("activation", "step", "nope", env=server_env), 4, NOT_OPEN)


def test_a_malformed_id_says_what_is_expected(server_env):
    assert_one_clean_line(cli("activation", "step", "password-reset/abc", env=server_env), 2,
                          "journey_id", "activation/<référence>")
    assert_one_clean_line(cli("recovery", "step", "abc", env=server_env), 2,
                          "identifier-recovery/<référence> ou password-reset/<référence>")


def test_json_mode_gives_a_json_error(server_env):
    result = cli("--json", "activation", "step", "activation/nope", env=server_env)
    assert result.exit_code == 4 and result.stdout == ""
    error = json.loads(result.stderr)
    assert error["reason"] == "unknown_journey" and NOT_OPEN in error["message"]


def test_temporal_out_of_reach_is_named_with_its_setting(server_env):
    address = f"127.0.0.1:{free_port()}"
    result = cli("activation", "step", "activation/nope", env={**server_env, "PARCOURS_TEMPORAL_ADDRESS": address})
    assert_one_clean_line(result, 5, address, "PARCOURS_TEMPORAL_ADDRESS", "parcours up")


def test_a_missing_key_points_to_a_command_that_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # outside the repo folder: no .parcours/secrets.env, no .env
    result = cli("activation", "step", "activation/nope",
                 env={"PARCOURS_PAYLOAD_KEYS": None, "PARCOURS_SECRET_KEY": None})
    assert_one_clean_line(result, 5, "PARCOURS_PAYLOAD_KEYS", "`parcours up`")
    assert "dev secrets" not in result.stderr  # no such command


async def test_an_unknown_account_is_one_line(harness, settings, time_env):
    """`account view` runs a workflow: a real worker answers that the account does not exist."""
    env = {"PARCOURS_TEMPORAL_ADDRESS": time_env.client.service_client.config.target_host,
           "PARCOURS_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(),
           "PARCOURS_TASK_QUEUE": settings.task_queue}
    result = await asyncio.to_thread(cli, "account", "view", "nope", env=env)
    assert_one_clean_line(result, 4, "Ce compte n'existe pas", "unknown_account")


def test_a_busy_port_at_up_is_named_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PARCOURS_HTTP_API_PORT": str(port), "PARCOURS_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
               "PARCOURS_CODEC_SERVER_PORT": str(free_port()),
               "PARCOURS_METRICS_BIND_ADDRESS": f"127.0.0.1:{free_port()}"}
        result = cli("up", "--tester", env=env)
    assert_one_clean_line(result, 5, str(port), "PARCOURS_HTTP_API_PORT", "port_in_use")
    assert not (tmp_path / ".parcours").exists()  # nothing written


def test_the_tester_clock_is_precise_and_clear_about_a_jam(tmp_path):
    """`clock now` to the millisecond; a workflow on a queue nobody polls blocks time skipping:
    `clock advance` names it at once, and once it is terminated (the server stays jammed) gives up
    after PARCOURS_CLOCK_ADVANCE_TIMEOUT instead of an RPC timeout."""
    from temporalio.client import Client

    settings = settings_for(tmp_path, temporal_address=f"127.0.0.1:{free_port()}")
    server = embedded.TestServerProcess(settings, tmp_path / "server.log")
    asyncio.run(server.start())
    env = {"PARCOURS_TEMPORAL_ADDRESS": settings.temporal_address,
           "PARCOURS_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(), "PARCOURS_CLOCK_ADVANCE_TIMEOUT": "PT2S"}
    try:
        now = cli("clock", "now", env=env)
        assert now.exit_code == 0 and re.search(r"\d\d:\d\d:\d\d\.\d{3} UTC", now.stdout), now.output
        assert cli("clock", "advance", "31m", env=env).exit_code == 0  # nothing blocks: at once

        async def start_on_a_queue_nobody_polls():
            client = await Client.connect(settings.temporal_address)
            return await client.start_workflow("Anything", id="blocking/1", task_queue="nobody-polls")

        handle = asyncio.run(start_on_a_queue_nobody_polls())
        assert_one_clean_line(cli("clock", "advance", "31m", env=env), 5, "blocking/1", "nobody-polls", "time_blocked")
        asyncio.run(handle.terminate())  # still jammed: the test server keeps the task
        started = time.monotonic()
        assert_one_clean_line(cli("clock", "advance", "31m", env=env), 5, "PARCOURS_CLOCK_ADVANCE_TIMEOUT", "--tester")
        assert time.monotonic() - started < 10
    finally:
        server.stop()


@pytest.mark.parametrize("arguments, code", [(["--help"], 0), (["no-such-command"], 2)])
def test_the_console_script_ends_the_process_itself_with_the_commands_exit_code(monkeypatch, capsys, arguments, code):
    """The interpreter's shutdown could abort the process (exit 134) after a command that had
    answered, through the Temporal client's runtime threads: the console script ends it first,
    output flushed, with the command's own code."""
    import os
    import sys
    import tomllib
    from pathlib import Path

    from parcours import cli

    scripts = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["parcours"] == "parcours.cli:main"

    class Ended(Exception):
        pass

    def end(status):
        raise Ended(status)

    monkeypatch.setattr(os, "_exit", end)
    monkeypatch.setattr(sys, "argv", ["parcours", *arguments])
    with pytest.raises(Ended) as ended:
        cli.main()
    assert ended.value.args == (code,)
    assert capsys.readouterr().out or code != 0  # the help was written out before the end


def test_a_value_not_among_the_choices_is_said_in_french(tmp_path):
    """Not typer's « Value error, 'fax' is not one of 'sms', 'mail' »: parsed before any journey
    starts, so no server is needed."""
    result = cli("activation", "start", "--channel", "fax", "--last-name", "Martin", "--first-name", "Camille",
                 env={"PARCOURS_DATA_DIR": str(tmp_path)})
    assert_one_clean_line(result, 2, "--channel", "'sms' ou 'mail'")
    assert "Value error" not in result.stderr and "is not one of" not in result.stderr
