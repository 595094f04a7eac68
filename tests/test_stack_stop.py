"""Ctrl-C on `parcours up`: the terminal sends SIGINT to the whole process group. The stack stops its
worker before the Temporal server, so the worker never retries a server already gone (seconds of
"tcp connect error" warnings), and every port is free again."""

from __future__ import annotations

import socket

import pytest
from stack import EmbeddedStack

pytestmark = [pytest.mark.integration, pytest.mark.stack]
SERVER_GONE = ("tcp connect error", "Connection refused", "respond_workflow_task_completed retried")


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_the_worker_before_the_server_and_frees_every_port(tmp_path):
    stack = EmbeddedStack(tmp_path).start()
    before = len(stack.log())
    try:
        assert stack.interrupt() == 0, stack.log()
    finally:
        stack.stop()
    after_interrupt = (tmp_path / "stack.log").read_text(errors="replace")[before:]
    assert not [line for line in after_interrupt.splitlines() if any(gone in line for gone in SERVER_GONE)], \
        after_interrupt
    assert not [name for name, port in stack.ports.items() if listening(port)]
