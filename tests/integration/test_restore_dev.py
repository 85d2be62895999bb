"""``make dev`` (scripts/dev.py): local Postgres under DEV_DIR, restore, services with their own
roles, and SIGTERM/SIGINT stopping every process it started."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DevRun:
    """scripts/dev.py running in the background, its output collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "dev.py")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line)

    def wait_for(self, text: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.proc.poll() is not None and self._queue.empty()):
                pytest.fail(f"no {text!r} from dev.py:\n" + "".join(self.lines))
            try:
                self.lines.append(self._queue.get(timeout=min(remaining, 0.5)))
            except queue.Empty:
                continue

    def stop(self, signum: int) -> int:
        self.proc.send_signal(signum)
        code = self.proc.wait(timeout=60)
        self.wait_for("postgres stopped", timeout=5)
        return code

    def pid_of(self, service: str) -> int | None:
        for line in self.lines:
            if f"vocabulo dev: {service}: http://" in line:
                return int(line.rsplit("pid ", 1)[1].rstrip(")\n"))
        return None


def accepts_connections(port: int) -> bool:
    try:
        psycopg2.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="vocabulo", connect_timeout=3
        ).close()
    except psycopg2.OperationalError:
        return False
    return True


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def dev_runs() -> Iterator[list[DevRun]]:
    """DevRuns started by a test; any still running at the end (a failed test) get SIGTERM."""
    runs: list[DevRun] = []
    yield runs
    for run in runs:
        if run.proc.poll() is None:
            run.proc.terminate()
            run.proc.wait(timeout=60)


@pytest.fixture
def dev_dir() -> Iterator[Path]:
    """A DEV_DIR outside pytest's tmp tree: pytest re-closes that tree (mode 700) when another
    session starts, and the postgres user must reach its data directory."""
    path = Path(tempfile.mkdtemp(prefix="vocabulo-dev-test-"))
    try:
        yield path / "dev"
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_make_dev_starts_and_stops_everything(
    tmp_path: Path, dev_dir: Path, dev_runs: list[DevRun]
) -> None:
    pg_port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    env.update(
        DEV_DIR=str(dev_dir),
        DEV_PG_PORT=str(pg_port),
        QUIZ_PORT=str(free_port()),
        VOCABULO_DUMP=str(dumps.fixture_dump(tmp_path)),
        SERVICES="quiz",
    )
    run = DevRun(env)
    dev_runs.append(run)
    run.wait_for("ready;")
    quiz_pid = run.pid_of("quiz")
    assert quiz_pid is not None or any("quiz: skipped" in line for line in run.lines)
    postmaster = int((dev_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    assert alive(postmaster)
    assert accepts_connections(pg_port), "".join(run.lines)
    passwords = dev_dir / "passwords.env"
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    first_passwords = passwords.read_text()
    assert "VOCABULO_QUIZ_PASSWORD=" in first_passwords
    assert run.stop(signal.SIGTERM) == 0
    assert gone(postmaster)
    assert not accepts_connections(pg_port)
    if quiz_pid is not None:
        assert gone(quiz_pid)

    # again on the same data: the dump is already there, passwords kept; SIGINT stops it too
    again = DevRun({**env, "SERVICES": ""})
    dev_runs.append(again)
    again.wait_for("ready;")
    assert any("already restored" in line for line in again.lines)
    assert passwords.read_text() == first_passwords
    postmaster = int((dev_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    assert again.stop(signal.SIGINT) == 0
    assert gone(postmaster)
    assert not accepts_connections(pg_port)


def test_unknown_service_is_a_usage_error(tmp_path: Path) -> None:
    env = {**os.environ, "DEV_DIR": str(tmp_path), "SERVICES": "quiz nope"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "dev.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown service(s) ['nope']" in result.stdout
    assert not (tmp_path / "pgdata").exists()


def test_make_dev_passes_quiz_auth_settings_through(dev_dir: Path, dev_runs: list[DevRun]) -> None:
    """Issue 13's "done when": `QUIZ_AUTH_MODE=jwt QUIZ_JWT_SECRET=… make dev` on the seed dump:
    no token → 401, learner A's token on learner B → 403, A on A → 200."""
    import httpx
    import jwt

    from data.build.learners import EXAMPLE_LEARNER_ID, NEW_LEARNER_ID

    secret, port = "dev-test-secret-" + "x" * 32, free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("PG")}
    env.update(
        DEV_DIR=str(dev_dir),
        DEV_PG_PORT=str(free_port()),
        QUIZ_PORT=str(port),
        QUIZ_WORKERS="1",
        SERVICES="quiz",
        QUIZ_AUTH_MODE="jwt",
        QUIZ_JWT_SECRET=secret,
    )
    env.pop("VOCABULO_DUMP", None)  # the seed dump, with the demo learners
    run = DevRun(env)
    dev_runs.append(run)
    run.wait_for("ready;", timeout=180)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    token = jwt.encode(
        {"sub": str(EXAMPLE_LEARNER_ID), "exp": int(time.time()) + 300}, secret, "HS256"
    )

    def recommend(user: object, headers: dict[str, str]) -> httpx.Response:
        body = {"user_id": str(user)}
        return httpx.post(f"{base}/get_recommendations", json=body, headers=headers, timeout=10)

    auth = {"Authorization": f"Bearer {token}"}
    assert recommend(EXAMPLE_LEARNER_ID, {}).status_code == 401
    assert recommend(NEW_LEARNER_ID, auth).status_code == 403
    assert recommend(EXAMPLE_LEARNER_ID, auth).status_code == 200
    assert run.stop(signal.SIGTERM) == 0
