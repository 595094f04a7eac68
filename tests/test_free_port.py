"""free_port() hands out ports a later bind gets: outside the range outgoing connections draw from
(a CI run lost the HTTP API's port to the dev server's own connections), never twice."""

import socket

import pytest

from parcours import testing
from parcours.testing import free_port


def test_ports_are_below_the_ephemeral_range_and_distinct():
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(testing.LISTENING_PORTS_FROM <= port < testing._ephemeral_range_start() for port in ports)


def test_a_port_someone_listens_on_is_not_handed_out(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken_port = taken.getsockname()[1]
        taken.listen()
        with socket.socket() as neighbour:
            try:
                neighbour.bind(("127.0.0.1", taken_port + 1))
            except OSError:
                pytest.skip("the neighbouring port is in use")
        # Only the taken port and its neighbour are candidates: the taken one must be skipped.
        monkeypatch.setattr(testing, "LISTENING_PORTS_FROM", taken_port)
        monkeypatch.setattr(testing, "_ephemeral_range_start", lambda: taken_port + 2)
        monkeypatch.setattr(testing, "_ports_handed_out", set())
        assert free_port() == taken_port + 1
        with pytest.raises(RuntimeError, match="no free TCP port"):
            free_port()  # the neighbour is handed out now, the taken port still taken


def test_the_ephemeral_range_is_read_from_the_kernel(tmp_path, monkeypatch):
    range_file = tmp_path / "ip_local_port_range"
    range_file.write_text("40000\t60999\n")
    monkeypatch.setattr(testing, "EPHEMERAL_RANGE_FILE", range_file)
    assert testing._ephemeral_range_start() == 40000
    monkeypatch.setattr(testing, "EPHEMERAL_RANGE_FILE", tmp_path / "absent")
    assert testing._ephemeral_range_start() == testing.EPHEMERAL_RANGE_DEFAULT_START
