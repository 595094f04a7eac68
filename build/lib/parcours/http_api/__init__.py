"""The HTTP API over parcours.client: one resource per journey, RFC 9457 problem details."""

from parcours.http_api.app import create_app

__all__ = ["create_app"]
