"""SIGTERM during a request: uvicorn stops accepting, finishes the request, then exits 0.

Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds; the services run under
uvicorn exactly like this, so an in-flight recommendation or page is not cut off.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_drains_in_flight_request() -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "slow_app:app",
            "--app-dir",
            str(Path(__file__).parent),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--timeout-graceful-shutdown",
            "20",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        result: dict[str, object] = {}

        def call() -> None:
            try:
                res = httpx.get(f"{base}/slow", params={"seconds": 2}, timeout=30)
                result["status"], result["body"] = res.status_code, res.json()
            except httpx.HTTPError as exc:  # pragma: no cover - the failure being tested for
                result["error"] = repr(exc)

        client = threading.Thread(target=call)
        client.start()
        time.sleep(0.5)  # the request is now in flight
        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        # while the first request is still running, new connections are refused
        try:
            httpx.get(f"{base}/health", timeout=1)
            raise AssertionError("server still accepting after SIGTERM")
        except httpx.TransportError:
            pass
        assert client.is_alive()
        client.join(timeout=30)
        assert result == {"status": 200, "body": {"slept": 2.0}}
        # uvicorn re-raises the signal once it has shut down cleanly: exit = killed by SIGTERM
        assert server.wait(timeout=20) in (0, -signal.SIGTERM)
        assert b"Finished server process" in server.stderr.read()  # type: ignore[union-attr]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
