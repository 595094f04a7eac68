"""The tester mode's clock: the time-skipping test server's time, read and moved forward."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from google.protobuf.empty_pb2 import Empty
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client

DURATION = re.compile(r"^(?:(?P<days>\d+)d)?(?:(?P<hours>\d+)h)?(?:(?P<minutes>\d+)m)?(?:(?P<seconds>\d+)s)?$")


def parse_duration(text: str) -> timedelta:
    """'31m', '1h30m', '2d', '90s' -> a timedelta; anything else is a ValueError naming the format."""
    match = DURATION.match(text.strip().lower())
    if not text.strip() or match is None:
        raise ValueError(f"{text!r} is not a duration like 31m, 1h30m, 2d or 90s")
    return timedelta(**{unit: int(value) for unit, value in match.groupdict().items() if value})


async def current_time(client: Client) -> datetime:
    response = await client.test_service.get_current_time(Empty())
    return response.time.ToDatetime().replace(tzinfo=timezone.utc)


async def advance(client: Client, duration: timedelta) -> datetime:
    """Move the test server's clock forward by `duration`, firing every timer due on the way (the
    journeys' workflow tasks run as it goes); returns the new time."""
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    await client.test_service.unlock_time_skipping_with_sleep(request)
    return await current_time(client)
