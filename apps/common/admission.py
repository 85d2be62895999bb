"""Admission control: a bounded number of requests in the heavy endpoints, decided on the event loop.

The slot is taken in an async dependency, *before* FastAPI hands a sync endpoint to a
threadpool thread, so waiting requests hold no thread and ``/health`` keeps answering.
A request waits at most ``deadline_s`` for a slot, then gets 503 + Retry-After.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import HTTPException, Request

BUSY = "Too many requests in progress, please retry shortly"


class Admission:
    """At most ``limit`` admitted requests; others wait up to ``deadline_s`` on the event loop."""

    def __init__(self, limit: int, deadline_s: float) -> None:
        self.limit = limit
        self.deadline_s = deadline_s
        self._slots = asyncio.Semaphore(limit)
        self.in_use = 0

    async def acquire(self) -> bool:
        """True once a slot is held; False when none freed within the deadline."""
        if self.deadline_s <= 0:
            if self._slots.locked():
                return False
            await self._slots.acquire()  # a free slot: returns without suspending
        else:
            try:
                await asyncio.wait_for(self._slots.acquire(), self.deadline_s)
            except TimeoutError:
                return False
        self.in_use += 1
        return True

    def release(self) -> None:
        """Give a slot back."""
        self.in_use -= 1
        self._slots.release()


async def admitted(request: Request) -> AsyncIterator[None]:
    """FastAPI dependency: hold one of ``app.state.admission``'s slots for the request."""
    admission: Admission = request.app.state.admission
    if not await admission.acquire():
        raise HTTPException(503, BUSY, headers={"Retry-After": "2"})
    try:
        yield
    finally:
        admission.release()
