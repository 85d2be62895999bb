"""Build a service's database-backed state in the background, retrying with bounded back-off.

A service whose database is not there yet (PostgreSQL starting, the restore Job still loading
the dictionary, roles not created) keeps running: ``/health`` answers, ``/ready`` is false,
and the build is retried in-process until it succeeds, instead of the process exiting into
the kubelet's crash-loop back-off (which grows to 5 minutes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def backoff_delays(first_s: float, max_s: float) -> Callable[[int], float]:
    """Delay before retry ``n`` (1, 2, ...): doubling from ``first_s``, capped at ``max_s``."""
    first_s = max(first_s, 0.05)
    return lambda n: min(max_s, first_s * 2 ** (n - 1))


def build_until_ready(
    name: str,
    build: Callable[[], T],
    ready: Callable[[T], None],
    stop: threading.Event,
    delay: Callable[[int], float],
) -> threading.Thread:
    """Start a daemon thread that calls ``build()`` until it returns, then ``ready(result)``.

    Each failure is logged (one line: the cause) and followed by ``delay(n)`` seconds, or by
    nothing when ``stop`` is set (the service is shutting down).
    """

    def run() -> None:
        failures = 0
        while not stop.is_set():
            try:
                result = build()
            except Exception as exc:  # the database's state decides; keep /health up and retry
                failures += 1
                wait = delay(failures)
                cause = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                log.warning(
                    "%s start-up failed (try %d): %s%s; retrying in %.1f s",
                    name,
                    failures,
                    type(exc).__name__,
                    f": {cause[:300]}" if cause else "",
                    wait,
                )
                stop.wait(wait)
                continue
            if stop.is_set():
                return
            ready(result)
            if failures:
                log.info("%s ready after %d failed start-up tries", name, failures)
            return

    thread = threading.Thread(target=run, name=f"{name}-loader", daemon=True)
    thread.start()
    return thread
