"""The database roles: readonly/readwrite groups (a real dump grants to them) and one
least-privilege login role per service, passwords from the environment (never stored here).

Roles are applied as SQL (``roles_sql``) that carries SCRAM verifiers computed here, never a
clear password. A role whose password variable is unset keeps its LOGIN state unless the caller
asks explicitly (``revoke_login_without_password``): a run without the variables must not cut
off running services.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import stringprep
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from psycopg2.extensions import connection

log = logging.getLogger(__name__)

GROUP_ROLES = ("readonly", "readwrite")

DICTIONARY_TABLES = (
    "alphabet",
    "categorie",
    "diff_ortho",
    "echelon_db",
    "grammatical_cat",
    "level",
    "lsf_signe",
    "mot",
    "mot_categorie",
    "mot_subcategory",
    "niv_diff",
    "picto",
    "subcategory",
    "sublevel",
)
LEARNER_READ_TABLES = ("authentication",)
LEARNER_WRITE_TABLES = (
    "eval_mot",
    "eval_quiz",
    "quiz",
    "score_quiz",
    "user_word_history",
    "view_sign",
)


@dataclass(frozen=True)
class ServiceRole:
    """A service's login role: the tables it reads, the ones it writes, its password variable."""

    name: str
    password_env: str
    reads: tuple[str, ...]
    writes: tuple[str, ...] = ()


SERVICE_ROLES = (
    ServiceRole(
        "vocabulo_quiz",
        "VOCABULO_QUIZ_PASSWORD",
        reads=DICTIONARY_TABLES + LEARNER_READ_TABLES + LEARNER_WRITE_TABLES,
        writes=LEARNER_WRITE_TABLES,
    ),
    ServiceRole("vocabulo_junior", "VOCABULO_JUNIOR_PASSWORD", reads=DICTIONARY_TABLES),
)


# Keep statement texts (verifiers) out of the server log on error; needs superuser, else skipped.
QUIET_ERRORS_SQL = """DO $vocabulo_quiet$ BEGIN
    PERFORM set_config('log_min_error_statement', 'panic', false);
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $vocabulo_quiet$;"""


def existing_roles(conn: connection) -> set[str]:
    """Names of every role of the cluster."""
    with conn.cursor() as cur:
        cur.execute("SELECT rolname FROM pg_catalog.pg_roles")
        return {row[0] for row in cur.fetchall()}


def all_role_names() -> tuple[str, ...]:
    """The group roles and the service login roles this module manages."""
    return GROUP_ROLES + tuple(r.name for r in SERVICE_ROLES)


def create_missing_sql() -> str:
    """SQL creating (NOLOGIN) each managed role that does not exist; changes no existing role.

    Transactional: run inside a restore's transaction, a failed restore leaves no role behind.
    """
    body = "\n".join(
        f"    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '{name}') THEN\n"
        f"        CREATE ROLE {name} NOLOGIN;\n"
        f"    END IF;"
        for name in all_role_names()
    )
    return f"DO $vocabulo_roles$\nBEGIN\n{body}\nEND\n$vocabulo_roles$;\n"


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677).

    Computed here so the clear password never reaches the server, its logs or an SQL file.
    """
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", saslprep(password).encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}"
        f"${b64(hashlib.sha256(client_key).digest()).decode()}:{b64(server_key).decode()}"
    )


def saslprep(password: str) -> str:
    """SASLprep (RFC 4013) as PostgreSQL applies it; a password it prohibits is used as is."""
    if password.isascii():
        return password
    mapped = "".join(
        " " if stringprep.in_table_c12(ch) else ch
        for ch in password
        if not stringprep.in_table_b1(ch)
    )
    normalised = unicodedata.normalize("NFKC", mapped)
    prohibited = (
        stringprep.in_table_c12,
        stringprep.in_table_c21_c22,
        stringprep.in_table_c3,
        stringprep.in_table_c4,
        stringprep.in_table_c5,
        stringprep.in_table_c6,
        stringprep.in_table_c7,
        stringprep.in_table_c8,
        stringprep.in_table_c9,
        stringprep.in_table_a1,
    )
    if any(check(ch) for ch in normalised for check in prohibited):
        return password
    return normalised


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def roles_sql(
    env: Mapping[str, str] | None = None, *, revoke_login_without_password: bool = False
) -> str:
    """SQL that creates the managed roles and sets each service role's LOGIN and password.

    Idempotent and re-runnable on every database start (passwords rotate with the Secret). A
    service role whose password variable is unset is left as it is, unless
    ``revoke_login_without_password`` turns it NOLOGIN. Statements that fail are not logged by
    the server with their text (the verifiers stay out of its log).
    """
    env = os.environ if env is None else env
    lines = [QUIET_ERRORS_SQL, create_missing_sql()]
    for role in SERVICE_ROLES:
        password = env.get(role.password_env, "")
        if password:
            verifier = scram_verifier(password)
            lines.append(f"ALTER ROLE {role.name} LOGIN PASSWORD {_literal(verifier)};")
        elif revoke_login_without_password:
            lines.append(f"ALTER ROLE {role.name} NOLOGIN PASSWORD NULL;")
    return "\n".join(lines) + "\n"


def describe(env: Mapping[str, str] | None = None, *, revoke: bool = False) -> list[str]:
    """One log line per service role: what ``roles_sql`` does to it."""
    env = os.environ if env is None else env
    found = []
    for role in SERVICE_ROLES:
        if env.get(role.password_env):
            found.append(f"role {role.name}: LOGIN, password set from {role.password_env}")
        elif revoke:
            found.append(f"role {role.name}: NOLOGIN ({role.password_env} is not set)")
        else:
            found.append(f"role {role.name}: left unchanged ({role.password_env} is not set)")
    return found


def ensure_roles(
    conn: connection,
    env: Mapping[str, str] | None = None,
    *,
    revoke_login_without_password: bool = False,
) -> None:
    """Apply ``roles_sql`` in one transaction on an autocommit connection."""
    statements = roles_sql(env, revoke_login_without_password=revoke_login_without_password)
    with conn.cursor() as cur:
        cur.execute("BEGIN;\n" + statements + "COMMIT;")
    for line in describe(env, revoke=revoke_login_without_password):
        log.info("%s", line)


def grants_sql() -> str:
    """SQL giving each service role exactly its privileges (run after every restore).

    A table the dump lacks is skipped with a warning rather than failing the restore.
    """
    names = ", ".join(r.name for r in SERVICE_ROLES)
    body = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {names};",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {names};",
        f"GRANT USAGE ON SCHEMA public TO {names};",
    ]
    for role in SERVICE_ROLES:
        for privileges, tables in (("SELECT", role.reads), ("INSERT, UPDATE", role.writes)):
            if tables:
                array = ", ".join(f"'{t}'" for t in tables)
                body.append(
                    f"FOREACH t IN ARRAY ARRAY[{array}] LOOP\n"
                    f"    IF to_regclass('public.' || quote_ident(t)) IS NULL THEN\n"
                    f"        RAISE WARNING 'table public.% is missing: not granted', t;\n"
                    f"    ELSE\n"
                    f"        EXECUTE format('GRANT {privileges} ON public.%I TO {role.name}', t);\n"
                    f"    END IF;\n"
                    f"END LOOP;"
                )
    statements = "\n".join(body)
    return f"DO $vocabulo_grants$\nDECLARE t text;\nBEGIN\n{statements}\nEND\n$vocabulo_grants$;\n"
