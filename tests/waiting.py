"""Waiting for a journey to move on without letting the time-skipping server jump ahead:
queries do not unlock time skipping, awaiting a workflow result does."""

import asyncio


async def settled(journey, leaving="request_received"):
    """The journey's step once it has left the state `leaving`."""
    for _ in range(1000):  # up to ~10 s on a loaded machine
        step = await journey.current_step()
        if step.state != leaving:
            return step
        await asyncio.sleep(0.01)
    raise AssertionError(f"the journey did not leave {leaving}")
