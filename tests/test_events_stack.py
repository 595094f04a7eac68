"""Events out with the stack as a user starts it: `parcours up` runs the relay without anyone
starting it (one, under its fixed id); an activation's events reach a webhook, signed, and the
worker's metrics show the deliveries, their lag and an empty backlog."""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import time

import httpx
import pytest
from activation_helpers import CAMILLE_SMS, GOOD_PASSWORD, LEA
from stack import EmbeddedStack
from standardwebhooks import Webhook
from test_observability import metric_value

from parcours.contracts.events import EVENTS_RELAY_ID
from parcours.testing import Inbox, temporal_binary
from tests.receivers import WebhookReceiver

SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
ACTIVATION_EVENTS = ["account.activated", "contact.confirmed", "link.confirmed"]
WAIT_S = 60


@pytest.mark.stack
def test_parcours_up_relays_an_activations_events_to_a_webhook(tmp_path):
    with WebhookReceiver() as receiver:
        stack = EmbeddedStack(tmp_path, event_webhooks=json.dumps([{"name": "ent", "url": receiver.url,
                                                                    "secret": SECRET}]),
                              event_poll_interval="PT0.2S").start()
        try:
            api = httpx.Client(base_url=stack.api_url, timeout=30)
            journey = api.post("/activations", json=CAMILLE_SMS).json()["location"]
            api.post(f"{journey}/code", json={"code": Inbox(stack.inbox_path).last_code()})
            api.post(f"{journey}/children", json=LEA)
            done = api.post(f"{journey}/password", json={"password": GOOD_PASSWORD, "confirmation": GOOD_PASSWORD})
            assert done.json()["step"]["state"] == "activated", done.text
            deadline = time.monotonic() + WAIT_S
            while len(receiver.taken) < len(ACTIVATION_EVENTS) and time.monotonic() < deadline:
                time.sleep(0.1)
            documents = [Webhook(SECRET).verify(body, headers) for headers, body in receiver.taken]
            feed = api.get("/events").json()
            relays = subprocess.run([temporal_binary("temporal"), "workflow", "list", "--address",
                                     f"127.0.0.1:{stack.ports['temporal']}", "--query",
                                     f"WorkflowId='{EVENTS_RELAY_ID}' AND ExecutionStatus='Running'", "-o", "json"],
                                    capture_output=True, text=True, check=True).stdout
            exposition = httpx.get(stack.metrics_url, timeout=10).text
            while metric_value(exposition, "parcours_events_backlog", subscriber="ent") and time.monotonic() < deadline:
                time.sleep(0.1)  # measured by the relay's next step, after the deliveries
                exposition = httpx.get(stack.metrics_url, timeout=10).text
        finally:
            stack.stop()
    assert [d["type"] for d in documents] == ACTIVATION_EVENTS
    assert len({d["data"]["account_ref"] for d in documents}) == 1
    assert "Camille" not in json.dumps(documents) and "06 12" not in json.dumps(documents)  # refs only
    assert [e["id"] for e in feed["events"]] == [d["id"] for d in documents]
    assert len(json.loads(relays)) == 1  # started by `parcours up` alone, once
    assert metric_value(exposition, "parcours_events_delivered", subscriber="ent") == len(ACTIVATION_EVENTS)
    assert metric_value(exposition, "parcours_events_backlog", subscriber="ent") == 0
    assert metric_value(exposition, "parcours_events_oldest_waiting", subscriber="ent") == 0
    assert metric_value(exposition, "parcours_event_delivery_lag_count", subscriber="ent") == len(ACTIVATION_EVENTS)
