"""Long polls without sleeping: waiters park on a broadcast signal and re-check on each change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request


class Signal:
    """Wakes every current waiter at once; each then re-checks what it is waiting for."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        await self._event.wait()


async def client_gone(request: Request) -> None:
    """Returns when the HTTP client hangs up (its body must already have been read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def wait_until(
    ready: Callable[[], bool],
    signal: Signal,
    within: float,
    request: Request | None = None,
) -> bool:
    """Waits until `ready()` holds, re-checking whenever `signal` fires.

    Gives up (returns False) after `within` seconds or as soon as the client of `request`
    disconnects, so an abandoned long poll does not linger until its timeout.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    gone = asyncio.ensure_future(client_gone(request)) if request is not None else None
    try:
        while not ready():
            remaining = deadline - loop.time()
            if remaining <= 0 or (gone is not None and gone.done()):
                return False
            fired = asyncio.ensure_future(signal.wait())
            waiters = {fired} if gone is None else {fired, gone}
            try:
                await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                fired.cancel()
        return True
    finally:
        if gone is not None:
            gone.cancel()
