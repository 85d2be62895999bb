"""Least-privilege roles made by vocabulo-restore and db_restore.apply_roles: Junior reads the
dictionary only, Quiz also writes learners' history; passwords come from the environment and
rotate on re-run; a role loses LOGIN only when asked explicitly, and a refused or failed restore
changes no role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import errors

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from db_restore.roles import DICTIONARY_TABLES, LEARNER_WRITE_TABLES, saslprep, scram_verifier
from fixtures import dumps
from fixtures.cli import query, restore_env, run_restore, snapshot

from scripts.pgserver import LocalPostgres

QUIZ_PW, JUNIOR_PW = "quiz-pw-1", "junior-pw-1"


@pytest.fixture(scope="module")
def restored(admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database restored from the fixture dump, with both service passwords set."""
    with dumps.extra_database(admin_url) as url:
        result = run_restore(
            url,
            "--dump",
            str(dumps.fixture_dump(tmp_path_factory.mktemp("d"))),
            VOCABULO_QUIZ_PASSWORD=QUIZ_PW,
            VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW,
        )
        assert result.returncode == 0, result.stderr
        yield url


def as_role(url: str, role: str) -> psycopg2.extensions.connection:
    """Connect as ``role`` (with its password where the server checks passwords)."""
    password = {"vocabulo_quiz": QUIZ_PW, "vocabulo_junior": JUNIOR_PW}[role]
    return psycopg2.connect(url, user=role, password=password)


def scram_matches(stored: str, password: str) -> bool:
    """True when a SCRAM-SHA-256 verifier from pg_authid was made from ``password``."""
    method, rest = stored.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return (
        method == "SCRAM-SHA-256"
        and hashlib.sha256(client_key).digest() == stored_key
        and hmac.new(salted, b"Server Key", "sha256").digest() == server_key
    )


def verifier(url: str, role: str) -> tuple[bool, str | None]:
    return query(url, "SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = %s", (role,))[
        0
    ]


def test_junior_reads_dictionary_and_cannot_write_anything(restored: str) -> None:
    conn = as_role(restored, "vocabulo_junior")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM mot JOIN lsf_signe USING (mot_id)")
            assert cur.fetchone()[0] == 5
            cur.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
                " AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege("
                "c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') OR "
                "has_table_privilege(c.oid, 'TRUNCATE'))"
            )
            assert cur.fetchall() == []
        for statement in (
            "INSERT INTO mot (mot) VALUES ('x')",
            "UPDATE mot SET mot = 'x'",
            "DELETE FROM lsf_signe",
            f"INSERT INTO user_word_history VALUES ('{dumps.USER_ID}', 2, now(), 1, 1)",
            "SELECT * FROM authentication",
            "SELECT * FROM vocabulo_meta.restores",
        ):
            with pytest.raises(errors.InsufficientPrivilege), conn.cursor() as cur:
                cur.execute(statement)
            conn.rollback()
    finally:
        conn.close()


def test_quiz_writes_learner_history_but_not_the_dictionary(restored: str) -> None:
    conn = as_role(restored, "vocabulo_quiz")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pseudo FROM authentication")
            assert cur.fetchall() == [("lea",)]
            cur.execute(
                "INSERT INTO user_word_history VALUES (%s, 2, now(), 1, 0) "
                "ON CONFLICT (user_id, mot_id) DO UPDATE SET times_seen = "
                "user_word_history.times_seen + 1",
                (dumps.USER_ID,),
            )
            cur.execute("UPDATE user_word_history SET times_correct = 1 WHERE mot_id = 2")
            cur.execute(
                "INSERT INTO eval_mot VALUES (gen_random_uuid(), %s, 2, 'Bien')", (dumps.QUIZ_ID,)
            )
        conn.rollback()
        for statement in (
            "INSERT INTO mot (mot) VALUES ('x')",
            "UPDATE lsf_signe SET url_def = ''",
            "DELETE FROM user_word_history",
            "INSERT INTO authentication (user_id) VALUES (gen_random_uuid())",
            "UPDATE mot_categorie SET mot_id = 1",
        ):
            with pytest.raises(errors.InsufficientPrivilege), conn.cursor() as cur:
                cur.execute(statement)
            conn.rollback()
    finally:
        conn.close()
    granted = query(
        restored,
        "SELECT table_name FROM information_schema.role_table_grants "
        "WHERE grantee = 'vocabulo_quiz' AND privilege_type = 'INSERT' "
        "AND table_schema = 'public'",
    )
    assert sorted(r[0] for r in granted) == sorted(LEARNER_WRITE_TABLES)
    readable = query(
        restored,
        "SELECT table_name FROM information_schema.role_table_grants "
        "WHERE grantee = 'vocabulo_junior' AND privilege_type = 'SELECT'",
    )
    assert sorted(r[0] for r in readable) == sorted(DICTIONARY_TABLES)


def test_passwords_rotate_on_rerun(restored: str, tmp_path: Path) -> None:
    can_login, stored = verifier(restored, "vocabulo_quiz")
    assert can_login
    assert stored is not None
    assert scram_matches(stored, "quiz-pw-1")
    assert not scram_matches(stored, "quiz-pw-2")
    dump = dumps.fixture_dump(tmp_path)
    rerun = run_restore(
        restored,
        "--dump",
        str(dump),
        VOCABULO_QUIZ_PASSWORD="quiz-pw-2",
        VOCABULO_JUNIOR_PASSWORD="junior-pw-1",
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "quiz-pw-2" not in rerun.stderr
    _, stored = verifier(restored, "vocabulo_quiz")
    assert stored is not None
    assert scram_matches(stored, "quiz-pw-2")
    assert not scram_matches(stored, "quiz-pw-1")
    groups = query(
        restored,
        "SELECT rolname, rolcanlogin FROM pg_roles "
        "WHERE rolname IN ('readonly', 'readwrite') ORDER BY 1",
    )
    assert groups == [("readonly", False), ("readwrite", False)]
    run_restore(
        restored,
        "--dump",
        str(dump),
        VOCABULO_QUIZ_PASSWORD=QUIZ_PW,
        VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW,
    )  # leave the module's roles as found


def test_unset_password_keeps_login_unless_revoked_explicitly(
    restored: str, tmp_path: Path
) -> None:
    dump = str(dumps.fixture_dump(tmp_path))
    before = verifier(restored, "vocabulo_quiz")
    unset = run_restore(restored, "--dump", dump, VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW)
    assert unset.returncode == 0, unset.stderr
    assert "vocabulo_quiz: left unchanged" in unset.stderr
    assert verifier(restored, "vocabulo_quiz") == before
    as_role(restored, "vocabulo_quiz").close()  # still logs in
    revoked = run_restore(
        restored,
        "--dump",
        dump,
        "--revoke-login-without-password",
        VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW,
    )
    assert revoked.returncode == 0, revoked.stderr
    assert verifier(restored, "vocabulo_quiz") == (False, None)
    with pytest.raises(psycopg2.OperationalError, match="not permitted to log in"):
        as_role(restored, "vocabulo_quiz")
    restore_roles = run_restore(
        restored, "--dump", dump, VOCABULO_QUIZ_PASSWORD=QUIZ_PW, VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW
    )
    assert restore_roles.returncode == 0, restore_roles.stderr


def _corrupt_dump(tmp_path: Path) -> Path:
    lines = dumps.dump_sql(2).splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines) if line.startswith("COPY public.lsf_signe")) + 2
    lines[bad] = "oops\tthis is not a row\n"
    path = tmp_path / "corrupt.sql"
    path.write_text("".join(lines))
    return path


def test_failed_or_refused_restore_changes_no_role(
    restored: str, admin_url: str, tmp_path: Path
) -> None:
    """Issue 16 item 9: a restore that fails or is refused, run without the password variables
    and even with the revoke flag, on another database, leaves the cluster's roles alone."""
    roles_before = {r: verifier(restored, r) for r in ("vocabulo_quiz", "vocabulo_junior")}
    with dumps.extra_database(admin_url) as other:
        failed = run_restore(
            other, "--dump", str(_corrupt_dump(tmp_path)), "--revoke-login-without-password"
        )
        assert failed.returncode == 1, failed.stderr
        assert {r: verifier(restored, r) for r in roles_before} == roles_before
        first = run_restore(other, "--dump", str(dumps.fixture_dump(tmp_path, 1)))
        assert first.returncode == 0, first.stderr
        refused = run_restore(
            other,
            "--dump",
            str(dumps.fixture_dump(tmp_path, 2)),
            "--revoke-login-without-password",
        )
        assert refused.returncode == 1
        assert "holds another dump" in refused.stderr
    assert {r: verifier(restored, r) for r in roles_before} == roles_before
    as_role(restored, "vocabulo_quiz").close()
    as_role(restored, "vocabulo_junior").close()


def test_missing_roles_created_by_a_failed_restore_are_rolled_back(
    private_postgres: LocalPostgres, tmp_path: Path
) -> None:
    """The restore creates missing roles inside its transaction: a failure leaves none behind
    (a server of its own, where the roles do not exist yet)."""
    url = private_postgres.url
    count = (
        "SELECT count(*) FROM pg_roles "
        "WHERE rolname IN ('vocabulo_quiz', 'vocabulo_junior', 'readonly')"
    )
    assert query(url, count) == [(0,)]
    failed = run_restore(url, "--dump", str(_corrupt_dump(tmp_path)))
    assert failed.returncode == 1, failed.stderr
    assert query(url, count) == [(0,)]
    restored_here = run_restore(url, "--dump", str(dumps.fixture_dump(tmp_path)))
    assert restored_here.returncode == 0, restored_here.stderr
    assert query(url, count) == [(3,)]  # created NOLOGIN: no password variable was given
    assert query(
        url,
        "SELECT bool_or(rolcanlogin) FROM pg_roles "
        "WHERE rolname IN ('vocabulo_quiz', 'vocabulo_junior')",
    ) == [(False,)]


def test_other_dump_under_once_can_be_a_notice(admin_url: str, tmp_path: Path) -> None:
    """Issue 15 item 4: what the chart runs (--on-other-dump keep) exits 0, says why, and keeps
    the database as it was."""
    with dumps.extra_database(admin_url) as other:
        assert run_restore(other, "--dump", str(dumps.fixture_dump(tmp_path, 1))).returncode == 0
        before = snapshot(other)
        kept = run_restore(
            other, "--dump", str(dumps.fixture_dump(tmp_path, 2)), "--on-other-dump", "keep"
        )
        assert kept.returncode == 0, kept.stderr
        assert "NOTICE: the database holds another dump" in kept.stderr
        assert "restore.mode=replace" in kept.stderr
        assert "done: kept another dump" in kept.stderr
        assert snapshot(other) == before


def _apply_roles(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "db_restore.apply_roles", "--log-format", "text", *args]
    return subprocess.run(
        command,
        env=restore_env(env.pop("DATABASE_URL", "postgresql://unused@127.0.0.1:1/x"), **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_start_up_sql_file_holds_verifiers_and_psql_applies_it(
    restored: str, tmp_path: Path
) -> None:
    """The bundled PostgreSQL's start-up step: the SQL file carries SCRAM verifiers (never the
    clear password), psql applies it, the new password logs in, and a re-run rotates it."""
    sql_file = tmp_path / "roles.sql"
    made = _apply_roles(
        "--sql-file",
        str(sql_file),
        VOCABULO_QUIZ_PASSWORD="quiz-rotated-1",
        VOCABULO_JUNIOR_PASSWORD="junior-rotated-1",
    )
    assert made.returncode == 0, made.stderr
    text = sql_file.read_text()
    assert "rotated" not in text
    assert "SCRAM-SHA-256$4096:" in text
    assert sql_file.stat().st_mode & 0o077 == 0
    for _ in range(2):  # idempotent: applied on every start
        applied = subprocess.run(
            ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-q", "-d", restored, "-f", str(sql_file)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert applied.returncode == 0, applied.stderr
    try:
        psycopg2.connect(restored, user="vocabulo_quiz", password="quiz-rotated-1").close()
        _, stored = verifier(restored, "vocabulo_junior")
        assert stored is not None
        assert scram_matches(stored, "junior-rotated-1")
    finally:
        applied_back = _apply_roles(
            DATABASE_URL=restored,
            VOCABULO_QUIZ_PASSWORD=QUIZ_PW,
            VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW,
        )
        assert applied_back.returncode == 0, applied_back.stderr
    as_role(restored, "vocabulo_quiz").close()


@pytest.mark.parametrize("password", ["plain-ascii-1", "élève Ⅻ ﬁ"])
def test_client_side_verifier_logs_in(restored: str, password: str) -> None:
    """Our SCRAM verifier (SASLprep included) is one PostgreSQL accepts for the password."""
    verifier_text = scram_verifier(password)
    assert scram_matches(verifier_text, saslprep(password))
    conn = psycopg2.connect(restored)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("ALTER ROLE vocabulo_junior LOGIN PASSWORD %s", (verifier_text,))
        psycopg2.connect(restored, user="vocabulo_junior", password=password).close()
    finally:
        with conn.cursor() as cur:
            cur.execute(
                "ALTER ROLE vocabulo_junior LOGIN PASSWORD %s", (scram_verifier(JUNIOR_PW),)
            )
        conn.close()


def test_quiz_keeps_idempotency_keys_and_an_existing_database_gets_the_table(
    restored: str, tmp_path: Path
) -> None:
    """vocabulo_meta.quiz_requests (data/post_restore.sql): Quiz may read and add keys, not
    change or delete them, nor read the restore records; an already-restored database gets the
    table when the restore job runs again (an upgrade)."""
    conn = as_role(restored, "vocabulo_quiz")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO vocabulo_meta.quiz_requests (user_id, idempotency_key, "
                "request_sha256, quiz_id, recorded_answers) VALUES (%s, 'k', 'h', %s, 1)",
                (dumps.USER_ID, dumps.QUIZ_ID),
            )
            cur.execute("SELECT quiz_id::text FROM vocabulo_meta.quiz_requests")
            assert cur.fetchall() == [(dumps.QUIZ_ID,)]
        conn.rollback()
        for statement in (
            "UPDATE vocabulo_meta.quiz_requests SET recorded_answers = 2",
            "DELETE FROM vocabulo_meta.quiz_requests",
            "SELECT * FROM vocabulo_meta.restores",
        ):
            with pytest.raises(errors.InsufficientPrivilege), conn.cursor() as cur:
                cur.execute(statement)
            conn.rollback()
    finally:
        conn.close()
    with psycopg2.connect(restored) as admin, admin.cursor() as cur:  # restored before it existed
        cur.execute("DROP TABLE vocabulo_meta.quiz_requests")
    admin.close()
    again = run_restore(
        restored,
        "--dump",
        str(dumps.fixture_dump(tmp_path)),
        VOCABULO_QUIZ_PASSWORD=QUIZ_PW,
        VOCABULO_JUNIOR_PASSWORD=JUNIOR_PW,
    )
    assert again.returncode == 0, again.stderr
    assert "already restored" in again.stderr
    assert query(restored, "SELECT to_regclass('vocabulo_meta.quiz_requests') IS NOT NULL") == [
        (True,)
    ]
