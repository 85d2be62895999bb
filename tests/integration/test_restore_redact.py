"""Restore errors keep row values (personal data) out of the logs: psql's COPY CONTEXT lines,
DETAIL lines, quoted values and statement excerpts are redacted; names stay."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from db_restore.redact import HIDDEN, redact

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import run_restore, snapshot

SECRET = "lea.secret@example.org"


@pytest.mark.parametrize(
    ("line", "expected"),
    [  # psql 15's own output for each kind of data error
        (
            f'CONTEXT:  COPY authentication, line 1: "00000000-0000\t{SECRET}\textra"',
            f"CONTEXT:  COPY authentication, line 1: {HIDDEN}",
        ),
        (
            f'CONTEXT:  COPY a, line 1, column id: "{SECRET}"',
            f"CONTEXT:  COPY a, line 1, column id: {HIDDEN}",
        ),
        (
            f'ERROR:  invalid input syntax for type uuid: "{SECRET}"',
            f"ERROR:  invalid input syntax for type uuid: {HIDDEN}",
        ),
        (
            f"DETAIL:  Key (pseudo)=({SECRET}) already exists.",
            f"DETAIL:  Key (pseudo)=({HIDDEN}) already exists.",
        ),
        (
            f'DETAIL:  Key (user_id)=({SECRET}) is not present in table "authentication".',
            f'DETAIL:  Key (user_id)=({HIDDEN}) is not present in table "authentication".',
        ),
        (
            f"DETAIL:  Failing row contains (5, {SECRET}).",
            f"DETAIL:  Failing row contains ({HIDDEN}).",
        ),
        (
            'ERROR:  value "99999999999" is out of range for type integer',
            f"ERROR:  value {HIDDEN} is out of range for type integer",
        ),
        ('DETAIL:  Token "secret" is invalid.', f"DETAIL:  Token {HIDDEN} is invalid."),
        (
            'CONTEXT:  JSON data, line 1: {"mail": secret...',
            f"CONTEXT:  JSON data, line 1: {HIDDEN}",
        ),
        (
            f"LINE 1: INSERT INTO a VALUES ('{SECRET}', 'it''s', x);",
            f"LINE 1: INSERT INTO a VALUES ('{HIDDEN}', '{HIDDEN}', x);",
        ),
        # names are what the operator needs: kept
        (
            'ERROR:  duplicate key value violates unique constraint "a_pkey"',
            'ERROR:  duplicate key value violates unique constraint "a_pkey"',
        ),
        (
            'ERROR:  relation "public.nope" does not exist',
            'ERROR:  relation "public.nope" does not exist',
        ),
        ("CONTEXT:  COPY a, line 2", "CONTEXT:  COPY a, line 2"),
    ],
)
def test_values_are_redacted_and_names_kept(line: str, expected: str) -> None:
    assert redact(line) == expected


def test_a_failed_restore_logs_no_row_values(fresh_db: str, tmp_path: Path) -> None:
    """Before the fix the log line carried the whole authentication row (pseudo, e-mail)."""
    text = dumps.dump_sql(1)
    row_start = f"{dumps.USER_ID}\tlea\t"
    assert row_start in text
    bad = text.replace(row_start, f"{dumps.USER_ID}\t{SECRET}\tEXTRA\t", 1)
    dump = tmp_path / "bad.sql"
    dump.write_text(bad)
    result = run_restore(fresh_db, "--dump", str(dump))
    assert result.returncode == 1
    line = bad[: bad.index(SECRET)].count("\n") + 1
    assert f"restore failed at line {line} of {dump}" in result.stderr
    assert f"COPY authentication, line 1: {HIDDEN}" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert snapshot(fresh_db) == {}
