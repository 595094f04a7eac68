"""Channel providers. Each `send` is told the message's idempotency key; the real providers pass
on its keyed digest (parcours.security.crypto.message_reference), so a provider or a downstream that
supports it (the SMS gateway's Idempotency-Key header, a mail's Message-ID) can drop a repeat."""

from __future__ import annotations

import asyncio
import fcntl
import json
import smtplib
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import httpx

from parcours.people.contact_details import ascii_address
from parcours.security.crypto import message_reference


@dataclass(frozen=True)
class OutgoingMessage:
    idempotency_key: str
    channel: str  # "sms" | "mail"
    to: str
    body: str
    subject: str | None = None


class PermanentSendError(Exception):
    """The provider refused the message for good (bad number, rejected address): do not retry."""


class TransientSendError(Exception):
    """The provider is unavailable for now: retry later."""


class Provider(Protocol):
    async def send(self, message: OutgoingMessage) -> None: ...


class SmtpMailProvider:
    def __init__(self, host: str, port: int, sender: str, *, secret_key: bytes, message_id_domain: str,
                 username: str | None = None, password: str | None = None, starttls: bool = False,
                 timeout: float = 10.0):
        self.host, self.port, self.sender = host, port, sender
        self.secret_key, self.message_id_domain = secret_key, message_id_domain
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    async def send(self, message: OutgoingMessage) -> None:
        await asyncio.to_thread(self._send_blocking, message)

    def _send_blocking(self, message: OutgoingMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ascii_address(message.to)  # smtplib refuses a Unicode domain without SMTPUTF8
        mail["Subject"] = message.subject or ""
        # The same key gives the same Message-ID, so a repeat after a crash is recognisable downstream
        # (email.utils.make_msgid would add the time, pid and a random number: a new one each time).
        mail["Message-ID"] = f"<{message_reference(self.secret_key, message.idempotency_key)}@{self.message_id_domain}>"
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            refusal = error.recipients and list(error.recipients.values())[0]
            raise PermanentSendError(f"recipient refused: {refusal}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise TransientSendError(f"SMTP {self.host}:{self.port}: {type(error).__name__}") from None


class HttpSmsProvider:
    """An SMS gateway taking a JSON POST {to, text, sender, reference} with a bearer token."""

    def __init__(self, url: str, token: str | None, sender: str, *, secret_key: bytes, timeout: float = 10.0):
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout
        self.secret_key = secret_key
        # one client per event loop: a client's connections belong to the loop that opened them
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary())

    def _client(self) -> httpx.AsyncClient:
        """One client per event loop, kept: its connections are reused, and its TLS context is
        built once (building one per message cost a sixth of a busy worker's CPU)."""
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients[loop] = httpx.AsyncClient(timeout=self.timeout)
        return self._clients[loop]

    async def send(self, message: OutgoingMessage) -> None:
        reference = message_reference(self.secret_key, message.idempotency_key)
        headers = {"Idempotency-Key": reference}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = {"to": message.to, "text": message.body, "sender": self.sender, "reference": reference}
        try:
            response = await self._client().post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as error:
            raise TransientSendError(f"SMS gateway unreachable: {type(error).__name__}") from None
        if response.is_success:  # any 2xx
            return
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise TransientSendError(f"SMS gateway answered {response.status_code}")
        raise PermanentSendError(f"SMS gateway refused the message: {response.status_code}")


class DevInbox:
    """A development sink: messages appended to a JSON-lines file that `parcours inbox` prints.
    It drops a message whose key it already holds, like a real gateway honouring idempotency."""

    def __init__(self, path: Path):
        self.path = path

    async def send(self, message: OutgoingMessage) -> None:
        await asyncio.to_thread(self._append, message)

    def _append(self, message: OutgoingMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as inbox:
            fcntl.flock(inbox, fcntl.LOCK_EX)
            inbox.seek(0)
            if any(json.loads(line)["key"] == message.idempotency_key for line in inbox if line.strip()):
                return
            entry = {"key": message.idempotency_key, "channel": message.channel, "to": message.to,
                     "subject": message.subject, "body": message.body,
                     "at": datetime.now(UTC).isoformat(timespec="seconds")}
            inbox.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as inbox:
            return [json.loads(line) for line in inbox if line.strip()]
