"""The embedded stack as a user starts it (`parcours up`, its own process and folder, free ports):
for the tests that need the real thing end to end — the HTTP API under schemathesis, the Web UI in
a browser, the metrics endpoint."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from parcours.settings import generate_secrets_env
from parcours.testing import free_port

STARTUP_TIMEOUT_S = 90


class EmbeddedStack:
    def __init__(self, directory: Path, *, tester: bool = False, **settings: str):
        self.directory, self.tester = directory, tester
        self.ports = {name: free_port() for name in ("temporal", "ui", "http", "codec", "metrics", "web")}
        secrets = dict(line.split("=", 1) for line in generate_secrets_env().splitlines())
        self.environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}, **secrets,
            "PARCOURS_TEMPORAL_ADDRESS": f"127.0.0.1:{self.ports['temporal']}",
            "PARCOURS_TEMPORAL_UI_PORT": str(self.ports["ui"]),
            "PARCOURS_TEMPORAL_UI_ORIGIN": f"http://127.0.0.1:{self.ports['ui']}",
            "PARCOURS_HTTP_API_PORT": str(self.ports["http"]),
            "PARCOURS_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.ports['web']}",
            "PARCOURS_CODEC_SERVER_PORT": str(self.ports["codec"]),
            "PARCOURS_METRICS_BIND_ADDRESS": f"127.0.0.1:{self.ports['metrics']}",
            "PARCOURS_DATABASE_URL": f"sqlite+aiosqlite:///{directory / '.parcours' / 'parcours.db'}",
            "PARCOURS_OPERATOR_STATE_LAG": "PT0S",
            **{f"PARCOURS_{name.upper()}": value for name, value in settings.items()},
        }
        self.process: subprocess.Popen | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['web']}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['ui']}"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['metrics']}/metrics"

    @property
    def inbox_path(self) -> Path:
        return self.directory / ".parcours" / "dev-inbox.jsonl"

    def start(self) -> EmbeddedStack:
        log = (self.directory / "stack.log").open("ab")
        command = self.cli_command("up", *(["--tester"] if self.tester else []))
        # Its own process group, as a terminal gives it: interrupt() is Ctrl-C.
        self.process = subprocess.Popen(command, cwd=self.directory, env=self.environment, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"parcours up stopped:\n{self.log()}")
            try:
                if httpx.get(f"{self.api_url}/ready", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"parcours up did not get ready:\n{self.log()}")

    @staticmethod
    def cli_command(*arguments: str) -> list[str]:
        return [sys.executable, "-m", "parcours.cli", *arguments]

    def cli(self, *arguments: str) -> str:
        """A `parcours` command against this stack; its output."""
        done = subprocess.run(self.cli_command(*arguments), cwd=self.directory, env=self.environment,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def log(self) -> str:
        return (self.directory / "stack.log").read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        self.terminate()
        self.wait_stopped()

    def terminate(self) -> None:
        """Ctrl-C's path (SIGTERM): worker, HTTP API and dev server stop cleanly; wait_stopped() waits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait_stopped(self) -> None:
        if self.process is not None:
            self.process.wait(timeout=60)

    def interrupt(self) -> int:
        """Ctrl-C in the terminal: SIGINT to the whole process group; the exit code."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)
