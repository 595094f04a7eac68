"""Serving the HTTP API with uvicorn inside an asyncio program (the embedded stack) or alone."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

import uvicorn
from fastapi import FastAPI

from parcours.client import ParcoursClient
from parcours.http_api.app import create_app
from parcours.settings import Settings


class _EmbeddedServer(uvicorn.Server):
    """The program around it owns SIGINT/SIGTERM (it stops the worker too)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def http_server(settings: Settings, parcours: ParcoursClient | None = None, *, embedded: bool = True,
                ) -> uvicorn.Server:
    """Embedded: signals are left to the program around it; alone, Ctrl-C stops the server."""
    return app_server(create_app(settings, parcours), settings.http_api_host, settings.http_api_port,
                      embedded=embedded)


def app_server(app: FastAPI, host: str, port: int, *, embedded: bool,
               lifespan: Literal["on", "off"] = "on") -> uvicorn.Server:
    """`app` served on host:port, with or without the signals (see http_server)."""
    config = uvicorn.Config(app, host=host, port=port,
                            log_level="warning", access_log=False,  # paths hold journey references only, but
                            server_header=False, lifespan=lifespan)   # bodies hold personal data: no access log
    return _EmbeddedServer(config) if embedded else uvicorn.Server(config)


async def start_http_server(server: uvicorn.Server) -> asyncio.Task:
    """Serve in the background; returns once it listens (or raises if it could not)."""
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the HTTP API did not start")
        await asyncio.sleep(0.02)
    return task


async def stop_http_server(server: uvicorn.Server, task: asyncio.Task) -> None:
    server.should_exit = True
    await task
