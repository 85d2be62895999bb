"""vocabulo-restore against a real PostgreSQL: from empty, no-op, refusal, replace, corrupt and
truncated dumps, manifest checks, usage errors and the bounded wait for the database."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import pytest
from db_restore.pgtools import client_env, find_client, psql_has_restrict
from db_restore.restore import prelude

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import query, run_restore, snapshot


def test_restore_from_empty_then_again_is_a_fast_noop(fresh_db: str, tmp_path: Path) -> None:
    dump = dumps.fixture_dump(tmp_path)
    first = run_restore(fresh_db, "--dump", str(dump))
    assert first.returncode == 0, first.stderr
    state = snapshot(fresh_db)
    for table, count in dumps.row_counts().items():
        assert state[f"public.{table}"] == count, table
    meta = query(
        fresh_db, "SELECT sha256, mode, dump_format, row_counts->>'mot' FROM vocabulo_meta.restores"
    )
    assert meta == [(dumps.sha256(dump), "once", "plain-gzip", "5")]
    indexes = {
        r[0]
        for r in query(fresh_db, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
    }
    assert {"mot_mot_idx", "quiz_user_date_idx", "score_quiz_answer_idx"} <= indexes
    assert "quiz_user_idx" not in indexes  # replaced by the covering index
    # vacuumed after the restore: the Quiz's history read is index-only from the start
    visible = query(
        fresh_db,
        "SELECT relname, relallvisible FROM pg_class WHERE relname IN ('quiz', 'score_quiz')",
    )
    assert len(visible) == 2
    assert all(pages > 0 for _, pages in visible), visible
    assert query(fresh_db, "SELECT unaccent('élève')") == [("eleve",)]

    started = time.monotonic()
    again = run_restore(fresh_db, "--dump", str(dump), "--sha256", dumps.sha256(dump))
    assert again.returncode == 0, again.stderr
    assert "already restored" in again.stderr
    assert time.monotonic() - started < 10
    assert snapshot(fresh_db) == state


def test_different_dump_is_refused_in_once_mode(fresh_db: str, tmp_path: Path) -> None:
    assert run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 1))).returncode == 0
    before = snapshot(fresh_db)
    refused = run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 2)))
    assert refused.returncode == 1
    assert "holds another dump" in refused.stderr
    assert "--mode replace" in refused.stderr
    assert snapshot(fresh_db) == before


def test_existing_tables_without_record_are_not_overwritten(fresh_db: str, tmp_path: Path) -> None:
    dumps.load_sql(
        fresh_db, "CREATE TABLE public.mot (mot_id int); INSERT INTO public.mot VALUES (7);"
    )
    result = run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path)))
    assert result.returncode == 1
    assert "no restore record" in result.stderr
    assert query(fresh_db, "SELECT mot_id FROM public.mot") == [(7,)]


def test_replace_swaps_atomically_under_concurrent_readers(fresh_db: str, tmp_path: Path) -> None:
    assert run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 1))).returncode == 0
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        conn = psycopg2.connect(fresh_db)
        conn.autocommit = True
        with conn.cursor() as cur:
            while not stop.is_set():
                try:
                    cur.execute(
                        "SELECT count(*) FROM public.mot JOIN public.lsf_signe USING (mot_id)"
                    )
                    seen.append(cur.fetchone()[0])
                except psycopg2.Error as exc:
                    errors.append(str(exc))
                time.sleep(0.005)
        conn.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        time.sleep(0.2)
        replaced = run_restore(
            fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 2)), "--mode", "replace"
        )
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert replaced.returncode == 0, replaced.stderr
    assert errors == []
    assert set(seen) == {5, 6}, "readers saw only the old or the new dictionary"
    assert seen[0] == 5
    assert seen[-1] == 6
    assert query(fresh_db, "SELECT mode FROM vocabulo_meta.restores ORDER BY id") == [
        ("once",),
        ("replace",),
    ]


def _plain_with_error(tmp_path: Path) -> tuple[Path, int]:
    text = dumps.dump_sql(2)
    lines = text.splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines) if line.startswith("COPY public.lsf_signe")) + 2
    lines[bad] = "oops\tthis is not a row\n"
    path = tmp_path / "corrupt.sql"
    path.write_text("".join(lines))
    return path, bad + 1


def test_corrupt_dump_leaves_database_unchanged_and_names_the_line(
    fresh_db: str, tmp_path: Path
) -> None:
    assert run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 1))).returncode == 0
    before = snapshot(fresh_db)
    corrupt, line = _plain_with_error(tmp_path)
    result = run_restore(fresh_db, "--dump", str(corrupt), "--mode", "replace")
    assert result.returncode == 1
    assert f"at line {line} of {corrupt}" in result.stderr
    assert "invalid input syntax" in result.stderr
    assert "database is unchanged" in result.stderr
    assert snapshot(fresh_db) == before


def test_corrupt_dump_on_empty_database_leaves_it_empty(fresh_db: str, tmp_path: Path) -> None:
    corrupt, line = _plain_with_error(tmp_path)
    result = run_restore(fresh_db, "--dump", str(corrupt))
    assert result.returncode == 1
    assert f"at line {line} " in result.stderr
    assert snapshot(fresh_db) == {}
    assert query(fresh_db, "SELECT count(*) FROM pg_extension WHERE extname = 'unaccent'") == [(0,)]


def test_syntax_error_names_the_line(fresh_db: str, tmp_path: Path) -> None:
    text = dumps.dump_sql(1).replace("CREATE TABLE public.picto (", "CREATE TABLEX public.picto (")
    line = text[: text.index("CREATE TABLEX public.picto")].count("\n") + 1
    path = tmp_path / "syntax.sql"
    path.write_text(text)
    result = run_restore(fresh_db, "--dump", str(path))
    assert result.returncode == 1
    assert f"at line {line} of {path}" in result.stderr
    assert "syntax error" in result.stderr
    assert snapshot(fresh_db) == {}


def test_unbalanced_statement_is_refused_at_the_copy_data_end(
    fresh_db: str, tmp_path: Path
) -> None:
    text = dumps.dump_sql(1).replace("CREATE TABLE public.picto (", "CREATE TABLE public.picto ((")
    path = tmp_path / "unbalanced.sql"
    path.write_text(text)
    result = run_restore(fresh_db, "--dump", str(path))
    assert result.returncode == 1
    # the COPY data after the open statement is read as SQL: its "\." is refused, as psql
    # would run it as a command
    assert "runs the psql command '\\\\.' (inside an unfinished statement)" in result.stderr
    assert snapshot(fresh_db) == {}


@pytest.mark.parametrize("cut", ["inside-copy", "statement-boundary", "gzip-stream"])
def test_truncated_dump_is_refused(fresh_db: str, tmp_path: Path, cut: str) -> None:
    text = dumps.dump_sql(1)
    if cut == "inside-copy":
        path = tmp_path / "cut.sql"
        path.write_text(text[: text.index("COPY public.mot ") + 200])
        expected = "inside the COPY data"
    elif cut == "statement-boundary":
        path = tmp_path / "cut.sql"
        path.write_text(text[: text.index("ALTER TABLE public.quiz ADD")])
        expected = "dump complete"
    else:
        full = dumps.write_gz(tmp_path / "full.sql.gz", text).read_bytes()
        path = tmp_path / "cut.sql.gz"
        path.write_bytes(full[: len(full) * 2 // 3])
        expected = "reading the dump failed"
    result = run_restore(fresh_db, "--dump", str(path))
    assert result.returncode == 1
    assert "truncated" in result.stderr or expected in result.stderr
    assert expected in result.stderr
    assert snapshot(fresh_db) == {}


def test_manifest_mismatch_fails_loudly_and_rolls_back(fresh_db: str, tmp_path: Path) -> None:
    dump = dumps.fixture_dump(tmp_path, 1, manifest=False)
    counts = {**dumps.row_counts(1), "mot": 99, "no_such_table": 1}
    manifest = dumps.write_manifest(
        dump, counts, extensions=["unaccent", "pg_trgm"], path=tmp_path / "other.json"
    )
    result = run_restore(fresh_db, "--dump", str(dump), "--manifest", str(manifest))
    assert result.returncode == 1
    assert "manifest mismatch" in result.stderr
    assert "public.mot has 5 rows, manifest says 99" in result.stderr
    assert "public.no_such_table is missing" in result.stderr
    assert "extension pg_trgm is not installed" in result.stderr
    assert snapshot(fresh_db) == {}


def test_manifest_of_another_dump_is_refused_before_touching(fresh_db: str, tmp_path: Path) -> None:
    dump = dumps.fixture_dump(tmp_path, 1)
    manifest = dump.with_name("fixture_v1.manifest.json")
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "sha256": "0" * 64}))
    result = run_restore(fresh_db, "--dump", str(dump))
    assert result.returncode == 1
    assert "describes a dump with sha256 " + "0" * 64 in result.stderr
    assert snapshot(fresh_db) == {}


def test_wrong_sha256_for_a_file_touches_nothing(fresh_db: str, tmp_path: Path) -> None:
    result = run_restore(
        fresh_db, "--dump", str(dumps.fixture_dump(tmp_path)), "--sha256", "a" * 64
    )
    assert result.returncode == 1
    assert "sha256 mismatch" in result.stderr
    assert snapshot(fresh_db) == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dump", "https://127.0.0.1:9/x.sql.gz"], "--sha256 is required"),
        (["--dump", "http://127.0.0.1:9/x.sql.gz", "--sha256", "a" * 64], "only https://"),
        (["--dump", "/nonexistent/dump.sql.gz"], "dump not found"),
        (["--dump", "/nonexistent/dump.sql.gz", "--sha256", "xyz"], "64 hexadecimal digits"),
        (["--mode", "sometimes"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(fresh_db: str, args: list[str], message: str) -> None:
    result = run_restore(fresh_db, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_missing_default_dump_and_missing_database_config_exit_2(tmp_path: Path) -> None:
    result = run_restore("", "--dump", str(dumps.fixture_dump(tmp_path)))
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    result = run_restore("postgresql://127.0.0.1:9/x", VOCABULO_DUMP=str(tmp_path / "nope.sql.gz"))
    assert result.returncode == 2
    assert "nope.sql.gz" in result.stderr


def test_unreachable_database_bounded_logged_retry(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_restore(
        "postgresql://postgres@127.0.0.1:9/x",
        "--dump",
        str(dumps.fixture_dump(tmp_path)),
        "--connect-attempts",
        "3",
    )
    assert result.returncode == 1
    assert "try 1/3" in result.stderr
    assert "try 3/3" in result.stderr
    assert "database not reachable" in result.stderr
    assert time.monotonic() - started < 30


def test_pg_env_variables_work_without_database_url(fresh_db: str, tmp_path: Path) -> None:
    params = psycopg2.extensions.parse_dsn(fresh_db)
    env = {
        "PGHOST": params["host"],
        "PGPORT": params.get("port", "5432"),
        "PGUSER": params.get("user", "postgres"),
        "PGDATABASE": params["dbname"],
    }
    dump = dumps.fixture_dump(tmp_path)
    result = run_restore("", "--dump", str(dump), **env)
    assert result.returncode == 0, result.stderr
    assert query(fresh_db, "SELECT sha256 FROM vocabulo_meta.restores") == [(dumps.sha256(dump),)]


def test_plain_uncompressed_dump(fresh_db: str, tmp_path: Path) -> None:
    path = tmp_path / "plain.sql"
    path.write_text(dumps.dump_sql(1))
    result = run_restore(fresh_db, "--dump", str(path))
    assert result.returncode == 0, result.stderr
    assert query(fresh_db, "SELECT dump_format FROM vocabulo_meta.restores") == [("plain",)]


def test_seed_dump_restores_with_its_manifest(fresh_db: str) -> None:
    seed = dumps.ROOT / "data" / "lsf_app_dump.sql.gz"
    assert seed.is_file(), "the committed seed dump is missing: run make dump"
    result = run_restore(fresh_db, VOCABULO_DUMP=str(seed))
    assert result.returncode == 0, result.stderr
    manifest = json.loads(seed.with_name("lsf_app_dump.manifest.json").read_text())
    state = snapshot(fresh_db)
    for table, count in manifest["tables"].items():
        assert state[f"public.{table}"] == count, table
    assert query(fresh_db, "SELECT sha256 FROM vocabulo_meta.restores") == [(manifest["sha256"],)]


def test_commit_inside_the_dump_cannot_split_the_transaction(fresh_db: str, tmp_path: Path) -> None:
    function = (
        "CREATE FUNCTION public.norm(t text) RETURNS text LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "    RETURN lower(public.unaccent(t));\n"
        "END;\n"
        "$$;\n"
    )
    text = "BEGIN;\n" + dumps.dump_sql(1).replace(
        "COPY public.mot ", "COMMIT;\n" + function + "COPY public.mot ", 1
    )
    good = tmp_path / "with_tx.sql"
    good.write_text(
        text.replace(
            "-- PostgreSQL database dump complete", "COMMIT;\n-- PostgreSQL database dump complete"
        )
    )
    bad = tmp_path / "with_tx_bad.sql"
    bad.write_text(text.replace("ALTER TABLE public.quiz ADD", "ALTER TABLE public.nope ADD", 1))
    failed = run_restore(fresh_db, "--dump", str(bad))
    assert failed.returncode == 1
    assert 'relation "public.nope" does not exist' in failed.stderr
    assert snapshot(fresh_db) == {}  # the dump's COMMIT did not commit the tables before it
    restored = run_restore(fresh_db, "--dump", str(good))
    assert restored.returncode == 0, restored.stderr
    assert query(fresh_db, "SELECT public.norm('Élève')") == [("eleve",)]


def test_a_mid_line_shell_command_is_refused_and_never_runs(fresh_db: str, tmp_path: Path) -> None:
    """Before the lexer, psql ran ``\\!`` after a statement on the same line (issue 16 item 6)."""
    marker = tmp_path / "SHELL_RAN"
    text = dumps.dump_sql(1).replace(
        "COPY public.mot ",
        f"CREATE TABLE public.t (a int); \\! touch {marker}\nCOPY public.mot ",
        1,
    )
    dump = tmp_path / "evil.sql"
    dump.write_text(text)
    result = run_restore(fresh_db, "--dump", str(dump))
    assert result.returncode == 1
    assert "runs the psql command '\\\\!'" in result.stderr
    assert not marker.exists()
    assert snapshot(fresh_db) == {}


def test_inserts_dump_keeps_quoting_and_commit_lines_inside_strings(
    fresh_db: str, tmp_path: Path
) -> None:
    """An --inserts style dump: a definition with a "COMMIT;" line and "$$" inside strings,
    and a table named a$b$c. Before the lexer the COMMIT line was dropped from the data and
    the "$$" left the filter inside a function body, so the restore failed as truncated."""
    definition = "Ligne un\nCOMMIT;\nLigne trois, prix 5 $$"
    literal = definition.replace("'", "''")
    extra = (
        f"INSERT INTO public.mot VALUES (9, 'note', '{literal}', 1, 1, 1, 1, 1);\n"
        "CREATE TABLE public.a$b$c (x text);\n"
        "INSERT INTO public.a$b$c VALUES (E'back\\\\slash ''q''');\n"
        "ALTER TABLE public.a$b$c OWNER TO lsf_owner_absent;\n"
    )
    text = dumps.dump_sql(1).replace(
        "SELECT pg_catalog.setval", extra + "SELECT pg_catalog.setval", 1
    )
    dump = tmp_path / "inserts.sql"
    dump.write_text(text)
    result = run_restore(fresh_db, "--dump", str(dump))
    assert result.returncode == 0, result.stderr
    assert query(fresh_db, "SELECT definition FROM public.mot WHERE mot_id = 9") == [(definition,)]
    assert query(fresh_db, "SELECT x FROM public.a$b$c") == [("back\\slash 'q'",)]


def test_psql_itself_refuses_commands_after_the_prelude(fresh_db: str, tmp_path: Path) -> None:
    """The backstop behind the filter: after the prelude's \\restrict, psql runs no command."""
    psql = find_client("psql")
    assert psql_has_restrict(psql)
    marker = tmp_path / "SHELL_RAN"
    script = prelude("once", "k3y") + f"SELECT 1;\n\\! touch {marker}\nCOMMIT;\n".encode()
    res = subprocess.run(
        [psql, "-X", "-q", "-f", "-"], input=script, capture_output=True, env=client_env(fresh_db)
    )
    assert res.returncode != 0
    assert b"backslash commands are restricted" in res.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ("version", "has"),
    [
        ("psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", True),
        ("psql (PostgreSQL) 15.13", False),
        ("psql (PostgreSQL) 17.6", True),
        ("psql (PostgreSQL) 18.1", True),
        ("psql (PostgreSQL) 12.22", False),
    ],
)
def test_restrict_support_follows_the_psql_release(tmp_path: Path, version: str, has: bool) -> None:
    fake = tmp_path / "psql"
    fake.write_text(f"#!/bin/sh\necho '{version}'\n")
    fake.chmod(0o755)
    assert psql_has_restrict(str(fake)) is has


def test_replace_forgets_the_idempotency_keys_of_the_replaced_data(
    fresh_db: str, tmp_path: Path
) -> None:
    assert run_restore(fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 1))).returncode == 0
    conn = psycopg2.connect(fresh_db)
    with conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO vocabulo_meta.quiz_requests (user_id, idempotency_key, request_sha256, "
            "quiz_id, recorded_answers) VALUES (%s, 'k', 'h', %s, 1)",
            (dumps.USER_ID, dumps.QUIZ_ID),
        )
    conn.close()
    replaced = run_restore(
        fresh_db, "--dump", str(dumps.fixture_dump(tmp_path, 2)), "--mode", "replace"
    )
    assert replaced.returncode == 0, replaced.stderr
    assert query(fresh_db, "SELECT count(*) FROM vocabulo_meta.quiz_requests") == [(0,)]
