"""Differential test of the dump filter's lexer against psql itself: whenever psql would run a
backslash command in some text, the filter refuses that text (hypothesis over tricky tokens)."""

from __future__ import annotations

import subprocess

from db_restore.errors import RestoreError
from db_restore.pgtools import client_env, find_client
from db_restore.sqlstream import FilterStats, filter_dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TOKENS = [
    "SELECT ", "1", "x", "a$b", "'", "''", "E'", "e'", "\\'", "\\\\", "$$", "$a$", "$1", '"',
    '""', "--", "/*", "*/", ";", "(", ")", " ", "\n", "U&'", "B'", "\\! echo RAN\n",
]  # fmt: skip


def psql_runs_a_command(text: str, url: str) -> bool:
    """True when psql, fed ``text``, ran the ``\\!`` shell command in it."""
    res = subprocess.run(
        [find_client("psql"), "-X", "-q", "-o", "/dev/null", "-f", "-"],
        input=text.encode(),
        capture_output=True,
        env=client_env(url),
        timeout=30,
    )
    return b"RAN" in res.stdout


def filter_refuses(text: str) -> bool:
    lines = [line.encode() for line in text.splitlines(keepends=True)]
    try:
        list(filter_dump(lines, set(), FilterStats()))
    except RestoreError:
        return True
    return False


@settings(
    max_examples=250, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=14))
def check(fresh_url: str, tokens: list[str]) -> None:
    text = "".join(tokens) + "\n"
    if psql_runs_a_command(text, fresh_url):
        assert filter_refuses(text), text


def test_whatever_psql_would_run_the_filter_refuses(fresh_db: str) -> None:
    check(fresh_db)
