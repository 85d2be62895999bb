"""Remove row values from PostgreSQL error text before it is logged.

A dump holds personal data (``authentication``: pseudonyms, e-mails, dates), and psql's error
output quotes it: COPY ``CONTEXT`` lines carry the whole row, ``DETAIL`` lines the key or the
failing row, messages the bad value, ``LINE n:`` excerpts the statement (string literals of an
``--inserts`` dump). Names of tables, columns, constraints and types are kept: they are what
an operator needs to find the fault.
"""

from __future__ import annotations

import re

HIDDEN = "<redacted>"

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # CONTEXT:  COPY t, line 3, column c: "value"   /   COPY t, line 3: "whole row"
    (re.compile(r"(\bCOPY [^,]+, line \d+(?:, column [^:]+)?): .*$"), rf"\1: {HIDDEN}"),
    # CONTEXT:  JSON data, line 1: {...}
    (re.compile(r"(\bJSON data, line \d+): .*$"), rf"\1: {HIDDEN}"),
    # DETAIL:  Key (user_id)=(…) already exists. / is not present in table "t".
    (
        re.compile(
            r"(\bKey \([^)]*\))=\(.*?\)( (?:already exists|is (?:not )?present|is still)\b)"
        ),
        rf"\1=({HIDDEN})\2",
    ),
    (re.compile(r"(\bKey \([^)]*\))=\(.*\)"), rf"\1=({HIDDEN})"),
    # DETAIL:  Failing row contains (…).
    (re.compile(r"(\bFailing row contains) \(.*\)"), rf"\1 ({HIDDEN})"),
    # ERROR:  value "…" is out of range for type integer
    (re.compile(r'(\bvalue) ".*?" (is out of range)'), rf"\1 {HIDDEN} \2"),
    # ERROR:  invalid input syntax for type uuid: "…" (and every "…: "value"" message)
    (re.compile(r': ".*"(\s*)$'), rf": {HIDDEN}\1"),
    # JSON: Token "…" is invalid.
    (re.compile(r'(\bToken) ".*?"'), rf"\1 {HIDDEN}"),
    # LINE 12: INSERT INTO t VALUES ('lea', …)  → string literals of the statement
    (re.compile(r"'(?:[^']|'')*'?"), f"'{HIDDEN}'"),
)
_LINE_EXCERPT = re.compile(r"^(\s*LINE \d+:)(.*)$")


def redact(line: str) -> str:
    """``line`` of psql/PostgreSQL error output without the data values it quotes."""
    excerpt = _LINE_EXCERPT.match(line)
    if excerpt:  # SQL text: only its string literals are data
        head, body = excerpt.groups()
        pattern, replacement = _RULES[-1]
        return head + pattern.sub(replacement, body)
    for pattern, replacement in _RULES[:-1]:
        line = pattern.sub(replacement, line)
    return line
