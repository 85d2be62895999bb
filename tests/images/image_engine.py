"""A private Debian dockerd and the image builds used by the image tests (see ENVIRONMENT.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "scripts" / "tools" / "container_engine.sh"
DIR = Path(os.environ.get("VOCABULO_DOCKER_DIR", "/var/tmp/vocabulo-docker"))
DOCKER_HOST = f"unix://{DIR}/docker.sock"
PYTHON_BASE = "vocabulo/python:3.11-bookworm"
POSTGRES = "vocabulo/test-postgres:15"
TAG = "test"


def docker_cli() -> str:
    """Debian's docker client (the engine's own version), else any on PATH."""
    for candidate in ("/usr/bin/docker", shutil.which("docker") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("no docker client: apt-get install docker.io")


def docker(
    *args: str, check: bool = True, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI against the private engine."""
    env = dict(os.environ, DOCKER_HOST=DOCKER_HOST)
    result = subprocess.run(
        [docker_cli(), *args], capture_output=True, text=True, timeout=timeout, env=env
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"docker {' '.join(args[:3])} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def engine(action: str) -> None:
    """start | base | stop the private engine (base = debootstrap base image)."""
    result = subprocess.run(
        ["bash", str(ENGINE), action], capture_output=True, text=True, timeout=1800
    )
    if result.returncode != 0:
        raise RuntimeError(f"container engine {action} failed: {result.stderr[-2000:]}")


def build(dockerfile: Path, tag: str, *build_args: str, context: Path = ROOT) -> float:
    """docker build; returns the seconds it took."""
    started = time.monotonic()
    args = [arg for pair in build_args for arg in ("--build-arg", pair)]
    docker("build", "-q", *args, "-t", tag, "-f", str(dockerfile), str(context))
    return time.monotonic() - started


def wheelhouse(name: str) -> None:
    """Build the pinned wheelhouse of one image on the host."""
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "tools" / "wheelhouse.sh"), name], check=True, timeout=1800
    )


def running(container: str) -> bool:
    """Whether ``container`` is still running."""
    state = docker("inspect", "-f", "{{.State.Running}}", container, check=False).stdout.strip()
    return state == "true"


def wait_for(
    url: str, timeout: float, container: str | None = None
) -> tuple[int, dict[str, object]]:
    """Poll ``url`` until it answers 200, ``timeout`` passes or ``container`` exits."""
    deadline = time.monotonic() + timeout
    status, body = 0, {}
    while time.monotonic() < deadline and (container is None or running(container)):
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as exc:
            status, body = exc.code, json.loads(exc.read() or b"{}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(2)
    return status, body
