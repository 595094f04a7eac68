"""Serving the HTTP API with uvicorn inside an asyncio program (the embedded stack) or alone."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn

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
    config = uvicorn.Config(create_app(settings, parcours), host=settings.http_api_host, port=settings.http_api_port,
                            log_level="warning", access_log=False,  # paths hold journey references only, but
                            server_header=False, lifespan="on")       # bodies hold personal data: no access log
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
