"""The fixtures shipped for API-layer teams work as docs/testing.md shows."""


async def test_the_documented_example(parcours_client, parcours_inbox, parcours_env):
    journey, _ = await parcours_client.start_activation(
        {"channel": "sms", "last_name": "Martin", "first_name": "Camille", "mobile": "06 12 34 56 78"})
    assert len(parcours_inbox.last_code()) == 6
    await parcours_env.sleep(31 * 60)
    assert (await journey.current_step()).state == "code_expired"
