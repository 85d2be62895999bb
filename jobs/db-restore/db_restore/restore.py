"""The restore itself: wait for the database, take the lock, decide, and load the dump in ONE
transaction driven through psql (ON_ERROR_STOP), ending with our additions and a metadata row."""

from __future__ import annotations

import gzip
import logging
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psycopg2
from psycopg2.extensions import connection
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    wait_fixed,
)

from db_restore import roles, sqlstream
from db_restore.errors import RestoreError, UsageError
from db_restore.manifest import Manifest, check_sql
from db_restore.pgtools import client_env, find_client, psql_has_restrict
from db_restore.redact import redact
from db_restore.sources import Dump

log = logging.getLogger(__name__)

LOCK_KEY = 0x766F_6361_6275_6C6F  # "vocabulo": one restore at a time per database
POST_RESTORE_CANDIDATES = (
    Path("/opt/vocabulo/data/post_restore.sql"),
    Path(__file__).resolve().parents[3] / "data" / "post_restore.sql",
)
META_DDL = """CREATE SCHEMA IF NOT EXISTS vocabulo_meta;
REVOKE ALL ON SCHEMA vocabulo_meta FROM PUBLIC;
CREATE TABLE IF NOT EXISTS vocabulo_meta.restores (
    id bigserial PRIMARY KEY,
    sha256 text NOT NULL,
    source text NOT NULL,
    mode text NOT NULL,
    dump_format text NOT NULL,
    restored_at timestamptz NOT NULL DEFAULT now(),
    restored_by text NOT NULL DEFAULT current_user,
    row_counts jsonb
);
"""
ROW_COUNTS_SQL = """(SELECT jsonb_object_agg(c.relname, (xpath('/row/n/text()', query_to_xml(
        format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text::bigint)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = 'public' AND c.relkind IN ('r', 'p'))"""
REPLACE_SQL = """SET lock_timeout = '60s';
DROP SCHEMA public CASCADE;
CREATE SCHEMA public;
DO $v$ BEGIN IF current_setting('server_version_num')::int >= 140000 THEN
    EXECUTE 'ALTER SCHEMA public OWNER TO pg_database_owner'; END IF; END $v$;
GRANT USAGE ON SCHEMA public TO PUBLIC;
-- the quizzes the idempotency keys name are gone with the learners' data
DO $v$ BEGIN IF to_regclass('vocabulo_meta.quiz_requests') IS NOT NULL THEN
    TRUNCATE vocabulo_meta.quiz_requests; END IF; END $v$;
RESET lock_timeout;
"""
_COPY_CONTEXT = re.compile(r"CONTEXT:\s+COPY \S+, line (\d+)")
_PSQL_ERROR = re.compile(r"^psql:<stdin>:(\d+):\s*(ERROR|FATAL|PANIC|error):\s*(.*)$")
_LINE_EXCERPT = re.compile(r"LINE \d+:\s*(?:\.\.\.)?(.*?)(?:\.\.\.)?$")


@dataclass(frozen=True)
class Options:
    """Everything a restore needs once the arguments are checked."""

    dump: Dump
    mode: str  # "once" or "replace"
    manifest: Manifest | None
    conninfo: str  # libpq URL, or "" to let libpq read the PG* variables
    workdir: Path
    lock_wait_s: float = 600.0
    connect_attempts: int = 30
    connect_delay_s: float = 2.0
    post_restore_sql: Path | None = None
    force: bool = False  # replace even when this dump is already recorded
    # mode once, database holding another dump: "fail" (exit 1) or "keep" it with a notice
    on_other_dump: str = "fail"
    revoke_login_without_password: bool = False  # see roles.roles_sql


@dataclass(frozen=True)
class Current:
    """The restore the database holds now, from the metadata table."""

    sha256: str
    source: str
    restored_at: str


def find_post_restore_sql(explicit: Path | None) -> Path:
    """Our indexes and grants: ``--post-restore-sql``, the image's copy, or the repository's."""
    env = os.environ.get("VOCABULO_POST_RESTORE_SQL")
    candidates = [explicit] if explicit else [Path(env)] if env else list(POST_RESTORE_CANDIDATES)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UsageError(
        "post_restore.sql not found (looked at "
        + ", ".join(str(c) for c in candidates)
        + "): pass --post-restore-sql"
    )


def connect(conninfo: str, attempts: int, delay_s: float) -> connection:
    """Connect, retrying a bounded number of times and logging each failed try."""
    for attempt in Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_fixed(delay_s),
        retry=retry_if_exception_type(psycopg2.OperationalError),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    ):
        with attempt:
            n = attempt.retry_state.attempt_number
            log.info("connecting to the database (try %d/%d)", n, attempts)
            try:
                conn = psycopg2.connect(
                    conninfo, connect_timeout=5, application_name="vocabulo-restore"
                )
            except psycopg2.OperationalError as exc:
                log.warning("database not reachable: %s", str(exc).strip().splitlines()[0])
                raise
            conn.autocommit = True
            return conn
    raise AssertionError("unreachable")


def acquire_lock(conn: connection, wait_s: float) -> None:
    """Take the restore lock, waiting at most ``wait_s`` seconds (logged every 10 s)."""
    deadline, next_log = time.monotonic() + wait_s, 0.0
    with conn.cursor() as cur:
        while True:
            cur.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
            if cur.fetchone()[0]:
                return
            now = time.monotonic()
            if now >= deadline:
                raise RestoreError(
                    f"another restore still holds the lock after {wait_s:.0f} s; "
                    "nothing was changed (re-run when it has finished)"
                )
            if now >= next_log:
                log.info("another restore is running: waiting for it (up to %.0f s)", wait_s)
                next_log = now + 10
            time.sleep(0.2)


def current_restore(conn: connection) -> Current | None:
    """The latest restore recorded in ``vocabulo_meta.restores``, if any."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('vocabulo_meta.restores') IS NOT NULL")
        if not cur.fetchone()[0]:
            return None
        cur.execute(
            "SELECT sha256, source, restored_at::text FROM vocabulo_meta.restores "
            "ORDER BY id DESC LIMIT 1"
        )
        row = cur.fetchone()
    return Current(*row) if row else None


def public_table_count(conn: connection) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
        return int(cur.fetchone()[0])


def run(opts: Options) -> str:
    """Restore ``opts.dump`` unless already there.

    Returns "restored", "already restored" or (mode once, ``on_other_dump="keep"``) "kept
    another dump". Service roles change only after a restore succeeded or found its dump already
    there: a refused or failed restore leaves every role as it was.
    """
    post_sql = find_post_restore_sql(opts.post_restore_sql).read_text(encoding="utf-8")
    conn = connect(opts.conninfo, opts.connect_attempts, opts.connect_delay_s)
    try:
        acquire_lock(conn, opts.lock_wait_s)
        current = current_restore(conn)
        if current and current.sha256 == opts.dump.sha256 and not opts.force:
            with conn.cursor() as cur:  # our additions may be newer than the restore
                cur.execute(
                    "BEGIN; "
                    + roles.create_missing_sql()
                    + post_sql
                    + roles.grants_sql()
                    + " COMMIT;"
                )
            log.info(
                "dump %s already restored (%s): nothing to do", current.sha256, current.restored_at
            )
            roles.ensure_roles(
                conn, revoke_login_without_password=opts.revoke_login_without_password
            )
            return "already restored"
        if opts.mode == "once":
            if current:
                message = (
                    f"the database holds another dump (sha256 {current.sha256} from "
                    f"{current.source}, restored {current.restored_at}); "
                )
                if opts.on_other_dump == "keep":
                    log.warning(
                        "NOTICE: %snot loading %s and keeping the database as it is. To swap it, "
                        "restore with mode replace (chart: restore.mode=replace).",
                        message,
                        opts.dump.sha256,
                    )
                    return "kept another dump"
                raise RestoreError(
                    f"{message}refusing to load {opts.dump.sha256}: use --mode replace to swap it"
                )
            if tables := public_table_count(conn):
                raise RestoreError(
                    f"schema public already has {tables} tables but no restore "
                    "record; use --mode replace to overwrite it"
                )
        started = time.monotonic()
        known = roles.existing_roles(conn) | set(roles.all_role_names())
        run_transaction(opts, post_sql, known)
        vacuum_read_tables(conn)
        log.info(
            "restored %s (%s, mode %s) in %.1f s",
            opts.dump.origin,
            opts.dump.format,
            opts.mode,
            time.monotonic() - started,
        )
        roles.ensure_roles(conn, revoke_login_without_password=opts.revoke_login_without_password)
        return "restored"
    finally:
        conn.close()  # also releases the advisory lock


# Tables the Quiz reads through covering indexes (data/post_restore.sql): VACUUM marks their
# pages all-visible, so those reads are index-only from the first request, not only once
# autovacuum has come by.
VACUUMED_TABLES = ("public.quiz", "public.score_quiz", "public.eval_mot")


def vacuum_read_tables(conn: connection) -> None:
    """VACUUM the tables of ``VACUUMED_TABLES`` (outside a transaction: autocommit ``conn``)."""
    with conn.cursor() as cur:
        cur.execute("VACUUM " + ", ".join(VACUUMED_TABLES))


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def prelude(mode: str, restrict_key: str | None = None) -> bytes:
    """What psql runs before the dump: error handling, BEGIN, (replace) the schema swap, and
    the managed roles that are missing.

    With ``restrict_key`` (a random key the dump cannot know), psql refuses every backslash
    command after this prelude: a backstop behind the filter's own refusal.
    """
    text = (
        "\\set ON_ERROR_STOP on\n"
        + (f"\\restrict {restrict_key}\n" if restrict_key else "")
        + "SET client_min_messages = warning;\n"
        "SET statement_timeout = 0;\n"
        "BEGIN;\n"
        + (REPLACE_SQL if mode == "replace" else "")
        # Roles the dump's grants and ours name: created in the transaction, gone on rollback.
        + roles.create_missing_sql()
    )
    return text.encode()


def postlude(opts: Options, post_sql: str) -> bytes:
    """What psql runs after the dump, inside the same transaction, ending with COMMIT."""
    parts = ["SET search_path = public, pg_catalog;", post_sql, roles.grants_sql()]
    if opts.manifest:
        parts.append(check_sql(opts.manifest))
    parts += [
        META_DDL,
        "INSERT INTO vocabulo_meta.restores (sha256, source, mode, dump_format, row_counts)"
        f" VALUES ({_literal(opts.dump.sha256)}, {_literal(opts.dump.origin)}, "
        f"{_literal(opts.mode)}, {_literal(opts.dump.format)}, {ROW_COUNTS_SQL});",
        "COMMIT;",
    ]
    return ("\n".join(parts) + "\n").encode()


def run_transaction(opts: Options, post_sql: str, existing_roles: set[str]) -> None:
    """Stream prelude + filtered dump + postlude into one psql transaction; raise on failure."""
    psql_path = find_client("psql")
    if psql_has_restrict(psql_path):
        head = prelude(opts.mode, secrets.token_hex(16))
    else:
        log.warning("this psql has no \\restrict: the line filter alone refuses psql commands")
        head = prelude(opts.mode)
    stats = sqlstream.FilterStats()
    with (
        tempfile.TemporaryFile(dir=opts.workdir) as psql_err,
        tempfile.TemporaryFile(dir=opts.workdir) as producer_err,
    ):
        psql = subprocess.Popen(
            [psql_path, "-X", "-q", "-f", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
            env=client_env(opts.conninfo),
        )
        assert psql.stdin is not None
        failure: RestoreError | None = None
        try:
            psql.stdin.write(head)
            with dump_lines(opts.dump, opts.workdir, producer_err) as lines:
                for line in sqlstream.filter_dump(lines, existing_roles, stats):
                    psql.stdin.write(line)
            check_complete(stats, opts.dump)
            psql.stdin.write(postlude(opts, post_sql))
            psql.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error: its stderr says where
        except RestoreError as exc:
            failure = exc
        except (OSError, EOFError, zlib.error) as exc:
            failure = RestoreError(f"reading the dump failed after line {stats.lines}: {exc}")
        if failure is not None:
            psql.kill()  # no COMMIT was sent: the server rolls the transaction back
            psql.wait()
            raise RestoreError(
                f"{failure}; the transaction was rolled back, the database is unchanged"
            )
        code = psql.wait()
        if code != 0:
            psql_err.seek(0)
            raise RestoreError(
                describe_psql_error(
                    psql_err.read().decode(errors="replace"),
                    head.count(b"\n"),
                    stats,
                    opts.dump,
                    code,
                )
            )
    for reason, count in sorted(stats.skipped.items()):
        log.info("skipped %d dump line(s): %s", count, reason)


def check_complete(stats: sqlstream.FilterStats, dump: Dump) -> None:
    """Refuse a dump that ends inside COPY data, a string or a comment, or without pg_dump's
    closing line."""
    if stats.in_copy:
        raise RestoreError(
            f"{dump.origin} is truncated: it ends at line {stats.lines}, inside "
            f"the COPY data started at line {stats.copy_started_at}"
        )
    if unclosed := stats.lexer.open_construct():
        raise RestoreError(f"{dump.origin} ends at line {stats.lines} inside {unclosed}")
    if stats.has_header and not stats.has_trailer:
        raise RestoreError(
            f"{dump.origin} is truncated: it ends at line {stats.lines} without "
            "pg_dump's '-- PostgreSQL database dump complete' line"
        )


def describe_psql_error(
    stderr: str, prelude_lines: int, stats: sqlstream.FilterStats, dump: Dump, code: int
) -> str:
    """A one-paragraph message naming the dump line that failed and psql's error, without the
    row values psql quotes (they may be personal data: see :mod:`db_restore.redact`)."""
    lines = stderr.strip().splitlines()
    for i, line in enumerate(lines):
        match = _PSQL_ERROR.match(line)
        if not match:
            continue
        psql_line, error = int(match.group(1)), match.group(3)
        context = " | ".join(x.strip() for x in lines[i + 1 : i + 4] if not _PSQL_ERROR.match(x))
        shown = " | ".join(
            redact(x.strip()) for x in lines[i + 1 : i + 4] if not _PSQL_ERROR.match(x)
        )
        detail = f"{redact(error)} ({shown})" if shown else redact(error)
        dump_line = psql_line - prelude_lines
        copy_row = _COPY_CONTEXT.search(context)
        if copy_row and 0 < dump_line <= stats.lines:  # psql reports COPY errors at its end
            dump_line = stats.copy_row_line(dump_line, int(copy_row.group(1)))
        elif 0 < dump_line <= stats.lines:  # psql reports a statement's last line: find the bad one
            for extra in lines[i + 1 : i + 4]:
                excerpt = _LINE_EXCERPT.search(extra.strip())
                if excerpt and len(excerpt.group(1).strip()) >= 3:
                    dump_line = stats.find_recent(dump_line, excerpt.group(1).strip()) or dump_line
                    break
        generated = (
            " of the SQL pg_restore generated from"
            if "custom" in dump.format or dump.format in ("tar", "directory")
            else " of"
        )
        if dump_line <= 0:
            where = "before the dump (replace step)"
        elif dump_line > stats.lines:
            where = "in the post-restore step (indexes, grants, manifest check, metadata)"
        else:
            where = f"at line {dump_line}{generated} {dump.origin}"
        return (
            f"restore failed {where}: {detail}; the transaction was rolled back, "
            "the database is unchanged"
        )
    tail = " | ".join(redact(x) for x in lines[-5:]) or "no message"
    return f"psql exited with code {code}: {tail}; the database is unchanged"


@contextmanager
def dump_lines(dump: Dump, workdir: Path, errors: IO[bytes]) -> Iterator[Iterator[bytes]]:
    """The dump as lines of SQL (bytes): read directly, gunzipped, or rendered by pg_restore."""
    if dump.format == "plain":
        with dump.path.open("rb") as fh:
            yield iter(fh)
    elif dump.format == "plain-gzip":
        with gzip.open(dump.path, "rb") as fh:
            yield iter(fh)
    else:
        source = dump.path
        if dump.format == "custom-gzip":
            source = workdir / "dump.custom"
            with gzip.open(dump.path, "rb") as src, source.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        with _pg_restore_lines(source, errors) as lines:
            yield lines


@contextmanager
def _pg_restore_lines(path: Path, errors: IO[bytes]) -> Iterator[Iterator[bytes]]:
    proc = subprocess.Popen(
        [find_client("pg_restore"), "--no-owner", "-f", "-", str(path)],
        stdout=subprocess.PIPE,
        stderr=errors,
    )
    assert proc.stdout is not None

    def lines() -> Iterator[bytes]:
        yield from proc.stdout  # type: ignore[misc]
        if proc.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().replace("\n", " | ")
            raise RestoreError(f"pg_restore could not read {path}: {message}")

    try:
        yield lines()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
