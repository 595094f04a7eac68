"""One event posted to one subscriber, signed per Standard Webhooks (https://www.standardwebhooks.com):
`webhook-id` (the event's stable id: a service drops a repeat), `webhook-timestamp` (the send's
time, checked against replays) and `webhook-signature` = v1,<base64 HMAC-SHA256 of
"id.timestamp.body"> under the subscriber's `whsec_` secret, by the spec's own library. During a
rotation a subscriber has several secrets: one signature per secret, space-separated (the spec's
rule), so a receiver still on the old secret and one already on the new both verify."""

from __future__ import annotations

from datetime import datetime
from math import floor

import httpx
from standardwebhooks import Webhook

from parcours.db.models import LinkEvent
from parcours.events.payload import event_body, event_id
from parcours.settings import EventWebhook


class DeliveryFailed(Exception):
    """The subscriber did not take the event (an answer other than 2xx, or none): retried later."""


def signed_headers(secrets: list[str], message_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    signatures = " ".join(Webhook(secret).sign(message_id, sent_at, body) for secret in secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(floor(sent_at.timestamp())),
            "webhook-signature": signatures,
            "content-type": "application/json"}


async def post_event(client: httpx.AsyncClient, hook: EventWebhook, event: LinkEvent, sent_at: datetime) -> None:
    body = event_body(event)
    headers = signed_headers(hook.secret_values(), event_id(event), sent_at, body)
    try:
        response = await client.post(hook.url, content=body, headers=headers)
    except httpx.HTTPError as error:  # never the URL's query or the body in the message: type only
        raise DeliveryFailed(f"{hook.name}: {type(error).__name__}") from None
    if not response.is_success:
        raise DeliveryFailed(f"{hook.name}: HTTP {response.status_code}")
