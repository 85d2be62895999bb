"""A local PostgreSQL server for tests and ``make dev``, started from Debian's binaries.

``python scripts/pgserver.py run -- CMD...`` starts a throwaway server (unless
``DATABASE_URL`` is already set), exports ``DATABASE_URL`` for CMD, then stops and deletes
it. ``LocalPostgres`` is also imported by tests that stop and restart a server on purpose.
When run as root (CI), the server runs as the ``postgres`` system user, since PostgreSQL
refuses to run as root.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest PostgreSQL server bin directory on this machine, if any."""
    env = os.environ.get("PG_BINDIR")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def ensure_server_installed() -> Path:
    """Return the bin directory, installing Debian's postgresql (as root) when missing."""
    bindir = find_bindir()
    if bindir:
        return bindir
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("pgserver: installing PostgreSQL from Debian (apt-get)", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            [
                "apt-get",
                "install",
                "-y",
                "-qq",
                "--no-install-recommends",
                "postgresql",
                "postgresql-contrib",
            ],
            check=True,
            env=env,
        )
        bindir = find_bindir()
    if not bindir:
        sys.exit(
            "pgserver: no PostgreSQL server found. Install it with "
            "`sudo apt-get install postgresql` or set DATABASE_URL to an existing server."
        )
    return bindir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """One PostgreSQL cluster in ``datadir`` listening on 127.0.0.1:``port`` (trust auth)."""

    def __init__(self, datadir: Path, port: int | None = None) -> None:
        self.datadir = Path(datadir)
        self.port = port or free_port()
        self.bindir = ensure_server_installed()
        self.run_as = self._server_user()

    @staticmethod
    def _server_user() -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        return "postgres"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *cmd] if self.run_as else cmd

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        """Create the cluster if ``datadir`` holds none."""
        if (self.datadir / "PG_VERSION").exists():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        if self.run_as:
            shutil.chown(self.datadir, self.run_as, self.run_as)
            for parent in self.datadir.parents:  # the server user must reach its datadir
                if parent == Path("/"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o001)
        subprocess.run(
            self._cmd(
                "initdb",
                "-D",
                str(self.datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.init()
        opts = (
            f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            self._cmd(
                "pg_ctl",
                "-D",
                str(self.datadir),
                "-o",
                opts,
                "-l",
                str(self.datadir / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop"),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def is_running(self) -> bool:
        res = subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.datadir), "status"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return res.returncode == 0


def restore_dump(server: LocalPostgres, dump: Path, database: str = "vocabulo") -> str:
    """Create ``database`` on ``server`` and restore ``dump`` into it with vocabulo-restore;
    returns the database URL (benchmarks and offline evaluations)."""
    import psycopg2  # only this helper needs it: the server itself runs from the stdlib

    root = Path(__file__).resolve().parents[1]
    url = server.url.rsplit("/", 1)[0] + f"/{database}"
    conn = psycopg2.connect(server.url)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE DATABASE "{database}"')
    conn.close()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": f"{root}{os.pathsep}{root / 'jobs' / 'db-restore'}",
    }
    subprocess.run(
        [sys.executable, "-m", "db_restore.cli", "--dump", str(dump), "--log-format", "text"],
        env=env,
        check=True,
        cwd=root,
        stdout=subprocess.DEVNULL,
    )
    return url


def run(command: list[str]) -> int:
    """Run ``command`` with ``DATABASE_URL`` pointing at a throwaway server."""
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)
    tmp = Path(tempfile.mkdtemp(prefix="vocabulo-pg-"))
    server = LocalPostgres(tmp / "data")
    server.start()
    print(f"pgserver: throwaway PostgreSQL on {server.url}", file=sys.stderr)
    env = {**os.environ, "DATABASE_URL": server.url, "VOCABULO_TEST_PGDATA": str(tmp / "data")}
    proc = subprocess.Popen(command, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        return proc.wait()
    finally:
        server.stop("immediate")
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="action", required=True)
    p_run = sub.add_parser("run", help="run a command against a throwaway server")
    p_run.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("ensure", help="install the server binaries if missing")
    args = parser.parse_args()
    if args.action == "ensure":
        print(ensure_server_installed())
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    return run(command)


if __name__ == "__main__":
    time.tzset()
    sys.exit(main())
