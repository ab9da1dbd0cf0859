"""A small asyncio helper shared by the webhook's background loops."""

from __future__ import annotations

import asyncio

__all__ = ["wait_any"]


async def wait_any(first: asyncio.Event, second: asyncio.Event, timeout: float) -> None:  # noqa: ASYNC109
    """Return when either event is set or after ``timeout`` seconds, whichever comes first."""
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waits:
            waiter.cancel()
