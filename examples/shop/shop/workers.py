"""Running blocking work off the event loop."""

import asyncio
import functools


async def run_blocking(func, *args, **kwargs):
    return await asyncio.to_thread(functools.partial(func, *args, **kwargs))
