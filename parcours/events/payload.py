"""An outbox row as the services see it: a stable id, a public type, refs only (no name, address
or number), and the opaque cursor of the pull feed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

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
CURSOR_SALT = "parcours-event-cursor"  # apart from the key's other uses (sessions, codes)
# The `after` query's bound: a signed position up to 10^15 (the signature alone is 43 characters).
CURSOR_MAX_LENGTH = 80


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


class EventCursors:
    """The pull feed's cursors: a position signed (HMAC-SHA256, itsdangerous, under a salt of its
    own) with PARCOURS_SECRET_KEY. Opaque (services must not compute one), stable (no timestamp:
    the same position, the same cursor) and unforgeable: a made-up position or another
    deployment's cursor is refused, never read as a place in this feed (it would skip events)."""

    def __init__(self, secret_key: bytes):
        self._serializer = URLSafeSerializer(secret_key, salt=CURSOR_SALT,
                                             signer_kwargs={"digest_method": hashlib.sha256})

    def encode(self, position: int) -> str:
        return self._serializer.dumps(position)

    def decode(self, cursor: str | None) -> int:
        """The position a cursor of this service names; 0 (before the first event) for none."""
        if not cursor:
            return 0
        try:
            position = self._serializer.loads(cursor)
        except BadSignature:
            raise BadCursor(cursor) from None
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise BadCursor(cursor)
        return position
