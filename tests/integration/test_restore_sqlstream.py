"""The line filter between a dump and psql (no database needed): what it drops, rewrites and
refuses, and that line numbers stay those of the dump."""

from __future__ import annotations

import pytest
from db_restore.errors import RestoreError
from db_restore.sqlstream import SKIPPED, FilterStats, filter_dump, roles_in_privilege_statement

ROLES = {"postgres", "readonly", "readwrite"}


def run(text: str) -> tuple[list[bytes], FilterStats]:
    stats = FilterStats()
    lines = [line.encode() for line in text.splitlines(keepends=True)]
    return list(filter_dump(lines, ROLES, stats)), stats


def test_one_line_out_per_line_in_with_unrestorable_lines_commented() -> None:
    text = (
        "\\connect lsf_app\n"
        "\\restrict abc123\n"
        "SET transaction_timeout = 0;\n"
        "CREATE SCHEMA public;\n"
        "COMMENT ON EXTENSION unaccent IS 'x';\n"
        "ALTER TABLE public.mot OWNER TO lsf_owner;\n"
        "GRANT SELECT ON TABLE public.mot TO readonly;\n"
        "GRANT SELECT ON TABLE public.mot TO readonly, analyst;\n"
        'REVOKE ALL ON TABLE public.mot FROM "Ops";\n'
        "ALTER DEFAULT PRIVILEGES FOR ROLE lsf_owner IN SCHEMA public GRANT SELECT ON TABLES TO readonly;\n"
        "BEGIN;\n"
        "COMMIT;\n"
        "CREATE TABLE public.t (a int);\n"
    )
    out, stats = run(text)
    assert len(out) == len(text.splitlines()) == stats.lines
    assert out[:3] == [SKIPPED] * 3
    assert out[3] == b"CREATE SCHEMA IF NOT EXISTS public;\n"
    assert out[4:6] == [SKIPPED] * 2
    assert out[6] == b"GRANT SELECT ON TABLE public.mot TO readonly;\n"
    assert out[7:12] == [SKIPPED] * 5
    assert out[12] == b"CREATE TABLE public.t (a int);\n"
    assert sum(stats.skipped.values()) == 11


def test_copy_data_and_function_bodies_pass_untouched() -> None:
    text = (
        "COPY public.mot (mot_id, mot) FROM stdin;\n"
        "1\tALTER TABLE x OWNER TO y;\n"
        "\\.\n"
        "CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $_$\n"
        "BEGIN\n"
        "COMMIT;\n"
        "END;\n"
        "$_$;\n"
        "END;\n"
    )
    out, stats = run(text)
    assert out[:8] == [line.encode() for line in text.splitlines(keepends=True)][:8]
    assert out[8] == SKIPPED  # a top-level END; would commit the restore's transaction
    assert stats.copy_starts == [1]
    assert not stats.in_copy
    assert stats.dollar_tag is None


def test_other_psql_meta_commands_are_refused() -> None:
    with pytest.raises(RestoreError, match=r"dump line 2 runs the psql command '\\\\!'"):
        run("SELECT 1;\n\\! rm -rf /\n")


def test_header_trailer_and_open_copy_are_tracked() -> None:
    _, stats = run("-- PostgreSQL database dump\n\nCOPY t FROM stdin;\n1\n")
    assert stats.has_header
    assert not stats.has_trailer
    assert stats.in_copy
    _, stats = run("-- PostgreSQL database dump\n-- PostgreSQL database dump complete\n")
    assert stats.has_trailer


@pytest.mark.parametrize(
    ("statement", "roles"),
    [
        ("GRANT SELECT ON TABLE public.mot TO readonly;", {"readonly"}),
        ('GRANT ALL ON SCHEMA public TO "Admin", PUBLIC;', {"Admin"}),
        ("GRANT USAGE ON SCHEMA s TO a WITH GRANT OPTION GRANTED BY b;", {"a", "b"}),
        ("REVOKE ALL ON FUNCTION public.to_x(integer) FROM PUBLIC CASCADE;", set()),
        (
            "ALTER DEFAULT PRIVILEGES FOR ROLE own IN SCHEMA public GRANT SELECT ON TABLES TO rd;",
            {"own", "rd"},
        ),
    ],
)
def test_roles_named_in_privilege_statements(statement: str, roles: set[str]) -> None:
    assert roles_in_privilege_statement(statement) == roles
