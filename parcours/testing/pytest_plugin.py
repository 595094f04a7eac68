"""Pytest fixtures for teams that build on Parcours (loaded automatically once Parcours is
installed, through the `pytest11` entry point; needs pytest-asyncio):

- `parcours_settings`: settings isolated in the test's tmp_path (own SQLite file, inbox, keys);
- `parcours_env`: a time-skipping Temporal server of its own, time moving only on `env.sleep`;
- `parcours_client`: a `ParcoursClient` with a worker running and the demo school records loaded;
- `parcours_inbox`: the dev inbox, `parcours_inbox.last_code()` reads the code of the last message.

Example (docs/testing.md):

    async def test_activation_code_expires(parcours_client, parcours_inbox, parcours_env):
        journey, _ = await parcours_client.start_activation(
            {"channel": "sms", "last_name": "Martin", "first_name": "Camille", "mobile": "0612345678"})
        await parcours_env.sleep(31 * 60)
        assert (await journey.current_step()).state == "code_expired"
"""

from __future__ import annotations

import pytest

from parcours.testing import Inbox, running_parcours, settings_for, start_time_skipping_env


@pytest.fixture
def parcours_settings(tmp_path):
    return settings_for(tmp_path)


@pytest.fixture
async def parcours_env(parcours_settings):
    env = await start_time_skipping_env(parcours_settings)
    with env.auto_time_skipping_disabled():
        yield env
    await env.shutdown()


@pytest.fixture
async def parcours_client(parcours_env, parcours_settings):
    async with running_parcours(parcours_env.client, parcours_settings, update_with_start=False) as (client, _):
        yield client


@pytest.fixture
def parcours_inbox(parcours_settings):
    return Inbox(parcours_settings.dev_inbox_path)
