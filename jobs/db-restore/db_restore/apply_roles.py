"""``python -m db_restore.apply_roles``: create or rotate the service roles, independently of
any restore.

Two uses, both with the passwords in VOCABULO_QUIZ_PASSWORD / VOCABULO_JUNIOR_PASSWORD:

* ``--sql-file PATH`` writes the SQL (SCRAM verifiers only, no clear password) for the bundled
  PostgreSQL's start-up step, which applies it over its local socket on every start;
* without it, connects (DATABASE_URL or PG* variables, as an administrator) and applies it: the
  external database's pre-install/pre-upgrade hook.

A role whose password variable is unset keeps its LOGIN state unless
``--revoke-login-without-password`` is given. Exit codes: 0 done, 1 failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import psycopg2

from apps.common.logs import configure_logging
from db_restore import roles
from db_restore.cli import add_connection_and_logging_args, add_revoke_arg, conninfo_from_env
from db_restore.errors import UsageError
from db_restore.restore import connect

log = logging.getLogger("db_restore.apply_roles")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m db_restore.apply_roles", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--sql-file", type=Path, help="write the SQL here instead of applying it")
    add_revoke_arg(parser)
    add_connection_and_logging_args(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level, json_lines=args.log_format == "json")
    revoke = args.revoke_login_without_password
    if args.connect_attempts < 1:
        log.error("usage error: --connect-attempts must be positive")
        return 2
    if args.sql_file:
        sql = roles.roles_sql(revoke_login_without_password=revoke)
        fd = os.open(args.sql_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(sql)
        for line in roles.describe(revoke=revoke):
            log.info("%s (written to %s)", line, args.sql_file)
        return 0
    try:
        conn = connect(conninfo_from_env(), args.connect_attempts, args.connect_delay)
    except UsageError as exc:
        log.error("usage error: %s", exc)
        return 2
    except psycopg2.Error as exc:
        log.error("database not reachable: %s", str(exc).strip())
        return 1
    try:
        roles.ensure_roles(conn, revoke_login_without_password=revoke)
    except psycopg2.Error as exc:
        log.error("setting the roles failed: %s", str(exc).strip().splitlines()[0])
        return 1
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
