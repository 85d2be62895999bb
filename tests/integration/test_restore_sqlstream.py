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
    assert stats.lexer.at_statement_start


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


# --- the quote-aware lexer (issue 16 items 6 and 7) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("CREATE TABLE public.t (a int); \\! touch FILE\n", 1, id="mid-line"),
        pytest.param("SELECT 1; /* c */ \\! id\n", 1, id="after a comment"),
        pytest.param("SELECT 'a''b' \\gexec\n", 1, id="after a string"),
        pytest.param("SELECT $$x$$; \\o |sh\n", 1, id="after a dollar quote"),
        pytest.param('SELECT "a\\b" \\! id\n', 1, id="after a quoted identifier"),
        pytest.param("CREATE TABLE t (\n  a int \\! id\n);\n", 2, id="inside a statement"),
        pytest.param("SELECT E'\\'' \\! id\n", 1, id="after an E-string escape"),
        pytest.param("SELECT 'x'\n\\! id\n", 2, id="at the start of the next line"),
        pytest.param(
            "INSERT INTO public.t VALUES (1, e'x\\'', 'y'); \\! id\n", 1, id="long statement"
        ),
        pytest.param("COPY t FROM stdin;\n1\n\\.\n\\! id\n", 4, id="after COPY data"),
        pytest.param(
            "SET standard_conforming_strings = off;\nSELECT 'a\\'' \\! id\n", 2, id="std off"
        ),
    ],
)
def test_backslash_commands_outside_quotes_are_refused_anywhere(text: str, line: int) -> None:
    with pytest.raises(RestoreError, match=rf"dump line {line} runs the psql command '\\\\"):
        run(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SELECT 'C:\\temp \\! not a command';\n", id="in a string"),
        pytest.param("SELECT E'a\\\\b \\\\! no';\n", id="in an E-string"),
        pytest.param("SELECT $f$ \\! no $f$;\n", id="in a dollar quote"),
        pytest.param('SELECT 1 AS "odd\\! name";\n', id="in a quoted identifier"),
        pytest.param("SELECT 1; -- \\! no\n", id="in a -- comment"),
        pytest.param("/* a /* nested */ \\! no */ SELECT 1;\n", id="in a nested comment"),
        pytest.param("SELECT 'multi\n\\! line';\n", id="string line starting with a backslash"),
        pytest.param("COPY t FROM stdin;\n\\N\t\\\\!\n\\.\n", id="COPY data"),
        pytest.param("SELECT 'a'\n'\\! continued';\n", id="continued string"),
        pytest.param(
            "INSERT INTO public.t VALUES (1, E'\\'; \\! no', U&'\\0041 \\! no', x'1F');\n",
            id="escapes in a long statement",
        ),
    ],
)
def test_backslashes_inside_quotes_comments_and_copy_data_pass(text: str) -> None:
    out, stats = run(text)
    assert b"".join(out) == text.encode()
    assert stats.lexer.at_statement_start


def test_dollar_signs_in_strings_and_identifiers_do_not_open_a_body() -> None:
    """Before the lexer, both lines below left the filter "inside a function body": the
    owner line was kept (failing the restore) and the trailer went unseen ("truncated")."""
    text = (
        "-- PostgreSQL database dump\n"
        "INSERT INTO public.t VALUES ('costs $$ 5');\n"
        "CREATE TABLE public.a$b$c (x int);\n"
        "SELECT $1, x$ FROM y;\n"
        "ALTER TABLE public.t OWNER TO someone;\n"
        "-- PostgreSQL database dump complete\n"
    )
    out, stats = run(text)
    assert out[4] == SKIPPED
    assert stats.has_trailer
    assert stats.lexer.at_statement_start


def test_commit_inside_a_multiline_string_is_data() -> None:
    """A --inserts dump whose text value has a line "COMMIT;": it must reach psql untouched."""
    text = (
        "INSERT INTO public.notes VALUES (1, 'first line\n"
        "COMMIT;\n"
        "BEGIN;\n"
        "last line');\n"
        "INSERT INTO public.notes VALUES (2, E'it''s\\'\n"
        "END;\n"
        "');\n"
        "COMMIT;\n"
    )
    out, _ = run(text)
    assert out[:7] == [line.encode() for line in text.splitlines(keepends=True)][:7]
    assert out[7] == SKIPPED  # the real top-level COMMIT still goes


def test_only_whole_statement_lines_are_rewritten() -> None:
    text = (
        "ALTER TABLE public.t OWNER TO x; CREATE TABLE public.kept (a int);\n"
        "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n"
        " SELECT 1;\n"
        "END;\n"
        "CREATE TABLE public.u (\n"
        "COMMIT int);\n"
    )
    out, stats = run(text)
    assert out == [line.encode() for line in text.splitlines(keepends=True)]
    assert not stats.skipped


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("COPY t FROM PROGRAM 'id';\n", "PROGRAM"),
        ("COPY t FROM stdin; SELECT 1;\n", "must end its line"),
    ],
)
def test_copy_that_runs_programs_or_hides_sql_is_refused(text: str, message: str) -> None:
    with pytest.raises(RestoreError, match=message):
        run(text)


@pytest.mark.parametrize(
    "statement",
    ["COPY public.t (stdin) TO stdout;", "COPY public.t (from, stdin) TO stdout;"],
)
def test_a_column_named_stdin_does_not_start_copy_data(statement: str) -> None:
    """Lines after a COPY TO are SQL for psql: taking them for data would let a command by."""
    with pytest.raises(RestoreError, match="dump line 2 runs the psql command"):
        run(f"{statement}\n\\! id\n\\.\n")


def test_copy_from_stdout_also_reads_data_from_the_client() -> None:
    _, stats = run("COPY public.t FROM STDOUT;\n\\! data\n\\.\n")
    assert stats.copy_starts == [1]


def test_multiline_copy_from_stdin_is_followed_into_its_data() -> None:
    text = "COPY public.t (a)\n  FROM stdin;\n'\n\\.\nSELECT 1;\n"
    _, stats = run(text)
    assert stats.copy_starts == [2]
    assert not stats.in_copy
    assert stats.lexer.at_statement_start  # the quote in the data did not open a string


@pytest.mark.parametrize(
    ("tail", "inside"),
    [
        ("SELECT 'open\n", "a quoted string opened at line 2"),
        ("SELECT $x$ open\n", "a dollar-quoted string opened at line 2"),
        ("/* open\n", "a /* */ comment opened at line 2"),
    ],
)
def test_a_dump_ending_inside_a_quote_is_reported(tail: str, inside: str) -> None:
    _, stats = run("SELECT 1;\n" + tail)
    assert stats.lexer.open_construct() == inside
