"""What the activities need, built once by the worker from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from parcours.activities.event_config import EventRelayConfig
from parcours.db.engine import Sessions, make_engine, make_session_factory
from parcours.db.retention import Retention
from parcours.messaging.courier import Courier, DestinationLimits
from parcours.messaging.providers import DevInbox, HttpSmsProvider, Provider, SmtpMailProvider
from parcours.security.crypto import set_password_hashing
from parcours.settings import Settings


@dataclass
class ActivityDependencies:
    engine: AsyncEngine
    sessions: Sessions
    secret_key: bytes
    code_digits: int
    courier: Courier
    account_failed_tries_per_hour: int
    time_zone: str = "Europe/Paris"  # of the times users read (PARCOURS_USER_TIME_ZONE)
    events: EventRelayConfig | None = None  # the events relay's subscribers and limits
    retention: Retention | None = None  # the purge's periods and batch size

    @property
    def retention_config(self) -> Retention:
        if self.retention is None:
            raise RuntimeError("dependencies built without the retention settings")
        return self.retention

    @property
    def event_relay(self) -> EventRelayConfig:
        if self.events is None:
            raise RuntimeError("dependencies built without the events relay's settings")
        return self.events

    @classmethod
    def from_settings(cls, settings: Settings) -> ActivityDependencies:
        set_password_hashing(settings.password_hash_time_cost, settings.password_hash_memory_kib,
                             settings.password_hash_parallelism)
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        secret_key = settings.require_secret_key()
        courier = Courier(sessions, secret_key, build_providers(settings, secret_key),
                          DestinationLimits.from_settings(settings))
        return cls(engine, sessions, secret_key, settings.code_digits, courier, settings.account_failed_tries_per_hour,
                   settings.user_time_zone, EventRelayConfig.from_settings(settings), Retention.from_settings(settings))


def build_providers(settings: Settings, secret_key: bytes) -> dict[str, Provider]:
    timeout = settings.provider_timeout.total_seconds()
    dev_inbox = DevInbox(settings.dev_inbox_path)
    mail: Provider = dev_inbox
    if settings.mail_provider == "smtp":
        mail = SmtpMailProvider(
            settings.smtp_host, settings.smtp_port, settings.mail_sender,
            secret_key=secret_key, message_id_domain=settings.mail_message_id_domain,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls, timeout=timeout,
        )
    sms: Provider = dev_inbox
    if settings.sms_provider == "http":
        sms = HttpSmsProvider(
            settings.sms_gateway_url,
            settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None,
            settings.sms_sender, secret_key=secret_key, timeout=timeout,
        )
    return {"mail": mail, "sms": sms}
