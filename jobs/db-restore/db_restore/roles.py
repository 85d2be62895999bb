"""The database roles: readonly/readwrite groups (a real dump grants to them) and one
least-privilege login role per service, passwords from the environment (never stored here)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from psycopg2 import sql
from psycopg2.extensions import connection, encrypt_password

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


def existing_roles(conn: connection) -> set[str]:
    """Names of every role of the cluster."""
    with conn.cursor() as cur:
        cur.execute("SELECT rolname FROM pg_catalog.pg_roles")
        return {row[0] for row in cur.fetchall()}


def ensure_roles(conn: connection, env: Mapping[str, str] | None = None) -> None:
    """Create or update the group roles and service login roles (passwords rotate on re-run)."""
    env = os.environ if env is None else env
    present = existing_roles(conn)
    with conn.cursor() as cur:
        for group in GROUP_ROLES:
            if group not in present:
                cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
                log.info("created group role %s", group)
        for role in SERVICE_ROLES:
            ident = sql.Identifier(role.name)
            if role.name not in present:
                cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident))
                log.info("created role %s", role.name)
            password = env.get(role.password_env, "")
            if password:
                # hashed client-side: the clear password never reaches the server or its logs
                hashed = encrypt_password(password, role.name, conn, "scram-sha-256")
                cur.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD %s").format(ident), (hashed,))
                log.info("role %s: LOGIN, password set from %s", role.name, role.password_env)
            else:
                cur.execute(sql.SQL("ALTER ROLE {} NOLOGIN PASSWORD NULL").format(ident))
                log.warning("role %s left NOLOGIN: %s is not set", role.name, role.password_env)


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
