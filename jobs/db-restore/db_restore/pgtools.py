"""Find the PostgreSQL client programs (psql, pg_restore) and build their connection env."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from psycopg2.extensions import parse_dsn

from db_restore.errors import UsageError

# libpq connection keywords → the environment variables libpq reads (keeps secrets off argv).
_ENV_OF_KEYWORD = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
}


def find_client(name: str) -> str:
    """Path of a PostgreSQL client program: $PG_BINDIR, the newest Debian install, or PATH."""
    bindir = os.environ.get("PG_BINDIR")
    candidates = [Path(bindir) / name] if bindir else []
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    candidates += [Path(p) for p in reversed(found)]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise UsageError(
        f"{name} not found: install postgresql-client (Debian/Ubuntu: "
        f"apt-get install postgresql-client) or set PG_BINDIR"
    )


# The first minor release of each major version whose psql knows \restrict (August 2025).
RESTRICT_SINCE = {13: 22, 14: 19, 15: 14, 16: 10, 17: 6}


def psql_has_restrict(psql: str) -> bool:
    """True when ``psql`` supports ``\restrict`` (refuses every later backslash command)."""
    res = subprocess.run([psql, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\s(\d+)\.(\d+)", res.stdout)
    if match is None:
        return False
    major, minor = int(match.group(1)), int(match.group(2))
    return major > 17 or minor >= RESTRICT_SINCE.get(major, 10**6)


def client_env(conninfo: str) -> dict[str, str]:
    """Environment for psql/pg_restore reaching the database ``conninfo`` (URL or empty)."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if not conninfo:
        return env  # libpq reads the PG* variables itself
    for keyword, value in parse_dsn(conninfo).items():
        var = _ENV_OF_KEYWORD.get(keyword)
        if var is None:
            raise UsageError(
                f"connection parameter {keyword!r} is not supported by vocabulo-restore"
            )
        env[var] = value
    return env
