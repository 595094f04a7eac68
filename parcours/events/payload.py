"""An outbox row as the services see it: a stable id, a public type, refs only (no name, address
or number), and the opaque cursor of the pull feed."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from parcours.db.models import LinkEvent

# The outbox's kinds and the public types services read (Standard Webhooks' « type » style).
EVENT_TYPES = {
    "link_reported": "link.reported",
    "link_confirmed": "link.confirmed",
    "student_left": "student.left",
    "account_activated": "account.activated",
    "contact_confirmed": "contact.confirmed",
    "links_merged": "accounts.merged",
    "link_ended": "link.ended",  # a school export that no longer has the link (parcours records import)
}
CURSOR_PREFIX = "p"


class BadCursor(ValueError):
    """A cursor this service did not give."""


def event_id(event: LinkEvent) -> str:
    """Stable across deliveries (the row's key): what a service deduplicates on."""
    return f"evt_{event.id}"


def event_document(event: LinkEvent) -> dict[str, Any]:
    data = {"account_ref": event.account_ref, "student_ref": event.student_ref,
            "merged_account_ref": event.other_account_ref, "channel": event.channel}
    return {"id": event_id(event), "type": EVENT_TYPES.get(event.kind, event.kind),
            "timestamp": event.created_at.isoformat(),
            "data": {name: value for name, value in data.items() if value is not None}}


def event_body(event: LinkEvent) -> bytes:
    """The exact bytes posted and signed."""
    return json.dumps(event_document(event), separators=(",", ":"), ensure_ascii=False).encode()


def encode_cursor(position: int) -> str:
    """Opaque (services must not compute one) but stable: the same position, the same cursor."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(CURSOR_PREFIX) or not text[len(CURSOR_PREFIX):].isdigit():
            raise BadCursor(cursor)
        return int(text[len(CURSOR_PREFIX):])
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise BadCursor(cursor) from error
