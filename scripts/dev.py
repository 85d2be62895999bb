"""``make dev``: the platform without Kubernetes, for development and people without Docker.

A local PostgreSQL kept under ``.dev/pgdata`` (port ``DEV_PG_PORT``, default 5433), database
``vocabulo`` loaded by ``vocabulo-restore`` (seed dump, mode once), dev passwords generated once
into ``.dev/passwords.env`` (mode 600), then each service of ``SERVICES`` (default "quiz junior")
under uvicorn on 127.0.0.1 with its own role. SIGINT/SIGTERM stops everything it started.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.pgserver import LocalPostgres  # noqa: E402

DATABASE = "vocabulo"
STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class Service:
    """A service ``make dev`` can start: its module, default port and database role."""

    name: str
    module: str
    port_env: str
    default_port: int
    role: str
    password_env: str
    workers_env: str
    default_workers: int


SERVICES = {
    # Quiz: 2 uvicorn workers use both cores of a small machine (see docs/benchmarks.md);
    # Junior: 1 worker, its models take ~1.4 GB each.
    "quiz": Service(
        "quiz",
        "apps.quiz.app",
        "QUIZ_PORT",
        8001,
        "vocabulo_quiz",
        "VOCABULO_QUIZ_PASSWORD",
        "QUIZ_WORKERS",
        2,
    ),
    "junior": Service(
        "junior",
        "apps.junior.app",
        "JUNIOR_PORT",
        8002,
        "vocabulo_junior",
        "VOCABULO_JUNIOR_PASSWORD",
        "JUNIOR_WORKERS",
        1,
    ),
}


def say(message: str) -> None:
    print(f"vocabulo dev: {message}", flush=True)


def dev_dir() -> Path:
    return Path(os.environ.get("DEV_DIR", ROOT / ".dev")).resolve()


def dev_passwords(directory: Path) -> dict[str, str]:
    """The roles' dev passwords, generated once and kept in ``.dev/passwords.env`` (mode 600)."""
    path = directory / "passwords.env"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        lines = [f"{s.password_env}={secrets.token_urlsafe(24)}" for s in SERVICES.values()]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    values = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


def ensure_database(server: LocalPostgres) -> None:
    """Create the ``vocabulo`` database unless it exists."""
    conn = psycopg2.connect(server.url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if not cur.fetchone():
                cur.execute(f"CREATE DATABASE {DATABASE}")
                say(f"created database {DATABASE}")
    finally:
        conn.close()


def database_url(server: LocalPostgres, user: str, password: str | None = None) -> str:
    auth = f"{user}:{password}" if password else user
    return f"postgresql://{auth}@127.0.0.1:{server.port}/{DATABASE}"


def restore(server: LocalPostgres, passwords: dict[str, str]) -> int:
    """Run vocabulo-restore (seed dump or $VOCABULO_DUMP, mode $DEV_RESTORE_MODE or once)."""
    env = {
        **os.environ,
        **passwords,
        "DATABASE_URL": database_url(server, "postgres"),
        "VOCABULO_LOG_FORMAT": os.environ.get("VOCABULO_LOG_FORMAT", "text"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "jobs" / "db-restore")]),
    }
    mode = os.environ.get("DEV_RESTORE_MODE", "once")
    return subprocess.call([sys.executable, "-m", "db_restore.cli", "--mode", mode], env=env)


def start_service(
    service: Service, server: LocalPostgres, passwords: dict[str, str]
) -> subprocess.Popen[bytes] | None:
    """Start one service under uvicorn, or say why it is skipped."""
    if importlib.util.find_spec(service.module) is None:
        say(f"{service.name}: skipped ({service.module} does not exist yet)")
        return None
    port = int(os.environ.get(service.port_env, service.default_port))
    env = {
        **os.environ,
        "DATABASE_URL": database_url(server, service.role, passwords[service.password_env]),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{service.module}:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            os.environ.get(service.workers_env, str(service.default_workers)),
        ],
        env=env,
        cwd=ROOT,
    )
    say(f"{service.name}: http://127.0.0.1:{port} (docs /docs, health /health, pid {proc.pid})")
    return proc


def stop_all(children: dict[str, subprocess.Popen[bytes]], server: LocalPostgres | None) -> None:
    """SIGTERM the services, SIGKILL what outlives the grace period, then stop Postgres."""
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name}: did not stop in {STOP_GRACE_S:.0f} s, killing it")
            proc.kill()
            proc.wait()
    if server is not None:
        server.stop("fast")
        say("postgres stopped")


class _Stop(Exception):
    """Raised from the signal handler to leave the wait loop."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def main() -> int:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    wanted = os.environ.get("SERVICES", "quiz junior").split()
    unknown = [name for name in wanted if name not in SERVICES]
    if unknown:
        say(f"unknown service(s) {unknown}: choose among {sorted(SERVICES)}")
        return 2
    directory = dev_dir()
    server = LocalPostgres(directory / "pgdata", int(os.environ.get("DEV_PG_PORT", "5433")))
    started_server: LocalPostgres | None = None
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        if server.is_running():
            say(f"postgres already running on 127.0.0.1:{server.port} (left running on exit)")
        else:
            started_server = server
            try:
                server.start()
            except subprocess.CalledProcessError:
                say(
                    f"postgres did not start: see {directory / 'pgdata' / 'server.log'} "
                    f"(port {server.port} in use? set DEV_PG_PORT)"
                )
                return 1
            say(f"postgres on 127.0.0.1:{server.port}, data in {directory / 'pgdata'}")
        ensure_database(server)
        passwords = dev_passwords(directory)
        code = restore(server, passwords)
        if code != 0:
            say(
                f"vocabulo-restore failed (exit {code}); see the message above. A different dump "
                "than the one loaded? run with DEV_RESTORE_MODE=replace"
            )
            return code
        for name in wanted:
            proc = start_service(SERVICES[name], server, passwords)
            if proc is not None:
                children[name] = proc
        say(f"database: {database_url(server, 'postgres')} (superuser, local only)")
        say("ready; Ctrl-C or SIGTERM stops everything started here")
        return wait(children)
    except _Stop as stop:
        say(f"{stop}: stopping")
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_all(children, started_server)


def wait(children: dict[str, subprocess.Popen[bytes]]) -> int:
    """Block until a signal arrives, or until every started service has exited."""
    reported: set[str] = set()
    while True:
        for name, proc in children.items():
            if proc.poll() is not None and name not in reported:
                say(f"{name}: exited with code {proc.returncode}")
                reported.add(name)
        if children and len(reported) == len(children):
            say("every service exited: stopping")
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
