"""What the events relay's activity needs from the settings, built once by the worker."""

from __future__ import annotations

from dataclasses import dataclass

from parcours.settings import EventWebhook, Settings


@dataclass(frozen=True)
class EventRelayConfig:
    webhooks: tuple[EventWebhook, ...]
    batch_size: int
    delivery_timeout_seconds: float

    def webhook(self, name: str) -> EventWebhook | None:
        return next((hook for hook in self.webhooks if hook.name == name), None)

    @classmethod
    def from_settings(cls, settings: Settings) -> EventRelayConfig:
        return cls(tuple(settings.event_webhooks), settings.event_batch_size,
                   settings.event_delivery_timeout.total_seconds())
