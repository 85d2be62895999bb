"""``vocabulo-backup``: pg_dump the database to a timestamped, verified file; keep the last N.

A new file is written under a temporary name, checked with ``pg_restore --list`` (it must
list the dictionary's table data), then renamed with its sha256 beside it. Old backups are
deleted only after the new one is verified, so a failed run never leaves fewer good files.
The result restores with ``vocabulo-restore --dump FILE --mode replace``.
Exit codes: 0 backup written, 1 failed (nothing deleted), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from apps.common.hashing import file_sha256
from apps.common.logs import configure_logging
from db_restore.cli import conninfo_from_env
from db_restore.errors import UsageError
from db_restore.pgtools import client_env, find_client

log = logging.getLogger("vocabulo.backup")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# The table data a usable backup of the dictionary must hold.
REQUIRED_DATA = ("mot", "lsf_signe", "categorie")
META_SCHEMA = "vocabulo_meta"


class BackupError(Exception):
    """The backup could not be written or verified."""


def backup_name(prefix: str, now: datetime) -> str:
    """``PREFIX-YYYYmmddTHHMMSSZ.dump``: sorts by time, readable in ``ls``."""
    return f"{prefix}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.dump"


def list_backups(directory: Path, prefix: str) -> list[Path]:
    """Finished backups of ``prefix`` in ``directory``, oldest first."""
    pattern = re.compile(rf"^{re.escape(prefix)}-\d{{8}}T\d{{6}}Z\.dump$")
    return sorted(p for p in directory.iterdir() if pattern.match(p.name))


def verify(path: Path) -> int:
    """Check ``path`` with ``pg_restore --list``; return how many TOC entries it has."""
    res = subprocess.run(
        [find_client("pg_restore"), "--list", str(path)], capture_output=True, text=True
    )
    if res.returncode != 0:
        raise BackupError(f"pg_restore --list rejected {path.name}: {res.stderr.strip()}")
    entries = [line for line in res.stdout.splitlines() if line and not line.startswith(";")]
    for table in REQUIRED_DATA:
        if not any(f"TABLE DATA public {table} " in line for line in entries):
            raise BackupError(f"{path.name} holds no data for table {table}")
    return len(entries)


def prune(directory: Path, prefix: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and their .sha256); return what went."""
    backups = list_backups(directory, prefix)
    doomed = backups[:-keep] if keep else backups
    for path in doomed:
        path.unlink()
        path.with_name(path.name + ".sha256").unlink(missing_ok=True)
    return doomed


def run_backup(directory: Path, prefix: str, keep: int, conninfo: str) -> dict[str, object]:
    """Dump, verify, publish, then prune; return a summary."""
    if not directory.is_dir():
        raise UsageError(f"backup directory {directory} does not exist")
    final = directory / backup_name(prefix, datetime.now(UTC))
    partial = directory / f".{final.name}.partial"
    # vocabulo_meta records restores of *this* database; restoring the backup writes its own.
    cmd = [
        find_client("pg_dump"),
        "--format=custom",
        "--compress=6",
        f"--exclude-schema={META_SCHEMA}",
        f"--file={partial}",
    ]
    log.info("dumping the database", extra={"fields": {"file": final.name}})
    res = subprocess.run(cmd, env=client_env(conninfo), capture_output=True, text=True)
    try:
        if res.returncode != 0:
            raise BackupError(f"pg_dump failed: {res.stderr.strip()}")
        entries = verify(partial)
        digest = file_sha256(partial)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    final.with_name(final.name + ".sha256").write_text(f"{digest}  {final.name}\n")
    removed = prune(directory, prefix, keep)
    return {
        "file": str(final),
        "sha256": digest,
        "bytes": final.stat().st_size,
        "toc_entries": entries,
        "removed": [p.name for p in removed],
        "kept": [p.name for p in list_backups(directory, prefix)],
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vocabulo-backup", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=Path, help="where backups are kept")
    parser.add_argument("--keep", type=int, default=7, help="how many backups to keep (>= 1)")
    parser.add_argument("--prefix", default="vocabulo", help="file name prefix")
    parser.add_argument("--log-level", default=os.environ.get("VOCABULO_LOG_LEVEL", "INFO"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    if args.keep < 1 or not re.fullmatch(r"[A-Za-z0-9_.-]+", args.prefix):
        log.error("usage error: --keep must be >= 1 and --prefix a plain file-name word")
        return EXIT_USAGE
    try:
        summary = run_backup(args.dir, args.prefix, args.keep, conninfo_from_env())
    except UsageError as exc:
        log.error("usage error: %s", exc)
        return EXIT_USAGE
    except (BackupError, OSError) as exc:
        log.error("backup failed, older backups left untouched: %s", exc)
        return EXIT_FAILED
    log.info("backup written", extra={"fields": summary})
    print(json.dumps(summary))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
