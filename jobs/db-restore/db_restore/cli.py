"""``vocabulo-restore``: load a dump into PostgreSQL once, atomically, and set up the roles.

Exit codes: 0 restored, already restored, or (``--on-other-dump keep``) another dump kept with a
notice; 1 failed (database and roles unchanged); 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import psycopg2

from apps.common.logs import configure_logging
from apps.common.settings import database_url_from_env, libpq_url
from db_restore import manifest, restore, sources
from db_restore.errors import RestoreError, UsageError

log = logging.getLogger("db_restore")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vocabulo-restore",
        description=__doc__.splitlines()[0],
        epilog="Connection: DATABASE_URL or the libpq PG* variables. Role passwords: "
        "VOCABULO_QUIZ_PASSWORD, VOCABULO_JUNIOR_PASSWORD, applied after a successful restore "
        "(a role whose variable is unset is left as it is).",
    )
    parser.add_argument(
        "--dump",
        help="dump file/directory or https:// URL (default: "
        "$VOCABULO_DUMP, else the baked seed dump)",
    )
    parser.add_argument(
        "--dump-env",
        metavar="VAR",
        help="read the dump location from this environment variable instead of --dump "
        "(a pre-signed URL from a Secret stays out of the arguments)",
    )
    parser.add_argument("--sha256", help="expected sha256 of the dump (required for a URL)")
    parser.add_argument(
        "--mode",
        choices=("once", "replace"),
        default="once",
        help="once: refuse a different dump; replace: swap it atomically",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="with --mode replace: restore even if this very dump is already recorded "
        "(e.g. re-apply a backup after the data changed)",
    )
    parser.add_argument(
        "--on-other-dump",
        choices=("fail", "keep"),
        default="fail",
        help="mode once, database holding another dump: fail (exit 1), or keep it and exit 0 "
        "with a notice (what a deployment wants: a new dump is a deliberate --mode replace)",
    )
    add_revoke_arg(parser)
    parser.add_argument(
        "--manifest",
        help="manifest JSON to check the result against "
        "(default: <dump name>.manifest.json next to a dump file, if present)",
    )
    parser.add_argument(
        "--cafile",
        help="CA bundle trusted for an https dump (default: system store, or SSL_CERT_FILE)",
    )
    parser.add_argument(
        "--max-download-bytes",
        type=int,
        default=2 * 1024**3,
        help="refuse downloads larger than this (default 2 GiB)",
    )
    parser.add_argument(
        "--download-timeout",
        type=float,
        default=sources.DEFAULT_DEADLINE_S,
        metavar="SECONDS",
        help="give up a download not finished within this time, retries included (default 1800)",
    )
    parser.add_argument(
        "--lock-wait",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="how long to wait for a concurrent restore (default 600)",
    )
    parser.add_argument(
        "--post-restore-sql",
        type=Path,
        help="our indexes/grants SQL (default: data/post_restore.sql)",
    )
    add_connection_and_logging_args(parser)
    return parser


def add_revoke_arg(parser: argparse.ArgumentParser) -> None:
    """``--revoke-login-without-password`` (vocabulo-restore and apply_roles)."""
    parser.add_argument(
        "--revoke-login-without-password",
        action="store_true",
        help="turn a service role NOLOGIN when its password variable is unset (default: leave it)",
    )


def add_connection_and_logging_args(parser: argparse.ArgumentParser) -> None:
    """Connection retries and log options shared by vocabulo-restore and apply_roles."""
    parser.add_argument(
        "--connect-attempts", type=int, default=30, help="tries to reach the database (default 30)"
    )
    parser.add_argument(
        "--connect-delay",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="pause between tries (default 2)",
    )
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    parser.add_argument(
        "--log-format",
        choices=("json", "text"),
        default=os.environ.get("VOCABULO_LOG_FORMAT", "json"),
    )


def conninfo_from_env() -> str:
    """libpq URL from DATABASE_URL, or "" so libpq reads PG* itself; usage error if neither."""
    try:
        database_url_from_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    url = os.environ.get("DATABASE_URL", "").strip()
    return libpq_url(url) if url else ""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level, json_lines=args.log_format == "json")
    if (
        args.max_download_bytes <= 0
        or args.download_timeout <= 0
        or args.connect_attempts < 1
        or args.lock_wait < 0
    ):
        log.error(
            "--max-download-bytes, --download-timeout, --connect-attempts must be positive, "
            "--lock-wait >= 0"
        )
        return EXIT_USAGE
    if args.force and args.mode != "replace":
        log.error("usage error: --force only goes with --mode replace")
        return EXIT_USAGE
    if args.dump and args.dump_env:
        log.error("usage error: give --dump or --dump-env, not both")
        return EXIT_USAGE
    try:
        conninfo = conninfo_from_env()
        location = args.dump
        if args.dump_env:
            location = os.environ.get(args.dump_env, "").strip()
            if not location:
                raise UsageError(f"--dump-env {args.dump_env}: the variable is unset or empty")
        with sources.make_workdir() as tmp:
            workdir = Path(tmp)
            dump = sources.resolve(
                location,
                args.sha256,
                cafile=args.cafile,
                max_bytes=args.max_download_bytes,
                workdir=workdir,
                deadline_s=args.download_timeout,
            )
            expected = (
                manifest.find(dump.path, args.manifest, dump.sha256)
                if args.manifest or not dump.origin.startswith("https://")
                else None
            )
            outcome = restore.run(
                restore.Options(
                    dump=dump,
                    mode=args.mode,
                    force=args.force,
                    manifest=expected,
                    conninfo=conninfo,
                    workdir=workdir,
                    lock_wait_s=args.lock_wait,
                    connect_attempts=args.connect_attempts,
                    connect_delay_s=args.connect_delay,
                    post_restore_sql=args.post_restore_sql,
                    on_other_dump=args.on_other_dump,
                    revoke_login_without_password=args.revoke_login_without_password,
                )
            )
    except UsageError as exc:
        log.error("usage error: %s", exc)
        return EXIT_USAGE
    except RestoreError as exc:
        log.error("%s", exc)
        return EXIT_FAILED
    except psycopg2.Error as exc:
        log.error("database error: %s", str(exc).strip())
        return EXIT_FAILED
    log.info("done: %s", outcome)
    termination_message(f"vocabulo-restore: {outcome}")
    return EXIT_OK


def termination_message(text: str, path: Path = Path("/dev/termination-log")) -> None:
    """Leave the outcome where Kubernetes shows it (pod status), when running in a pod."""
    try:
        if path.exists():
            path.write_text(text + "\n", encoding="utf-8")
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
