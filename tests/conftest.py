from __future__ import annotations

import pytest

from parcours.testing import Inbox, running_parcours, settings_for, start_dev_server_env, start_time_skipping_env


@pytest.fixture(scope="session")
def session_keys(tmp_path_factory):
    """One key ring for the session: the Temporal environment's converter and each test's worker."""
    return settings_for(tmp_path_factory.mktemp("keys"))


@pytest.fixture
async def time_env(session_keys):
    """A fresh time-skipping server per test (0.1 s): open journeys of an earlier test, whose worker
    is gone, would otherwise hold the clock."""
    env = await start_time_skipping_env(session_keys)
    # Time moves only when a test says so (env.sleep): short workflows the tests await (sign-in,
    # account view) must not let the server jump to the next timer of a journey under test.
    with env.auto_time_skipping_disabled():
        yield env
    await env.shutdown()


@pytest.fixture
def settings(tmp_path, session_keys):
    return settings_for(tmp_path, secret_key=session_keys.secret_key, payload_keys=session_keys.payload_keys)


@pytest.fixture
def inbox(settings):
    return Inbox(settings.dev_inbox_path)


@pytest.fixture
async def harness(time_env, settings):
    """(ParcoursClient, ActivityDependencies): a worker on the time-skipping server, demo records loaded."""
    async with running_parcours(time_env.client, settings, update_with_start=False) as running:
        yield running


@pytest.fixture
def parcours(harness):
    return harness[0]


@pytest.fixture(scope="module")
def embedded_stack(tmp_path_factory):
    """`parcours up` in its own folder and process (dev server + Web UI, worker, HTTP API)."""
    from stack import EmbeddedStack

    stack = EmbeddedStack(tmp_path_factory.mktemp("stack")).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def module_keys(tmp_path_factory):
    """One key ring for a module whose tests share a dev server (`dev_env`)."""
    return settings_for(tmp_path_factory.mktemp("module-keys"))


@pytest.fixture(scope="module")
async def dev_env(module_keys):
    """The Temporal dev server (the real server, not time skipping), one per module."""
    env = await start_dev_server_env(module_keys)
    yield env
    await env.shutdown()
