"""Tester mode: `parcours up --tester` on the time-skipping test server; a code expiry walked by
hand over the HTTP API with `parcours clock advance 31m`."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from activation_helpers import CAMILLE_SMS
from stack import EmbeddedStack

from parcours.stack.clock import parse_duration
from parcours.testing import Inbox

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.stack]


def clock(stack: EmbeddedStack, *arguments: str) -> datetime:
    output = stack.cli("clock", *arguments)
    shown = re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", output).group()
    return datetime.strptime(shown, "%Y-%m-%d %H:%M:%S.%f")


def test_a_code_expiry_walked_by_hand(tmp_path):
    stack = EmbeddedStack(tmp_path, tester=True).start()
    try:
        api = httpx.Client(base_url=stack.api_url, timeout=30)
        started = api.post("/activations", json=CAMILLE_SMS)
        assert started.status_code == 201, started.text
        journey = started.json()["location"]
        assert api.get(journey).json()["state"] == "code_sent"

        before = clock(stack, "now")
        assert api.get(journey).json()["state"] == "code_sent"  # wall speed meanwhile: far from 30 min
        after = clock(stack, "advance", "31m")
        assert (after - before).total_seconds() >= 31 * 60

        assert api.get(journey).json()["state"] == "code_expired"
        late = api.post(f"{journey}/code", json={"code": Inbox(stack.inbox_path).last_code()})
        assert late.status_code == 409 and late.json()["reason"] == "code_expired", late.text
    finally:
        stack.stop()


def test_durations_read_as_testers_write_them():
    assert parse_duration("31m").total_seconds() == 31 * 60
    assert parse_duration("1h30m").total_seconds() == 90 * 60
    assert parse_duration("2d").days == 2
    with pytest.raises(ValueError, match="31m"):
        parse_duration("thirty-one minutes")
    with pytest.raises(ValueError):
        parse_duration("")
