"""Line filter between a SQL dump and psql: drops what cannot restore here, keeps line numbers.

Every dropped line is replaced by a comment line, so psql's line numbers still point at the
dump's own lines. Each line is lexed as psql reads it (:mod:`db_restore.sqllex`): only a line
that is one whole statement at top level may be dropped or rewritten (never a line inside a
string, a dollar-quoted body or a multi-line statement), and a backslash command anywhere
outside quotes, comments and COPY data refuses the dump. COPY data is passed through untouched.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from db_restore.errors import RestoreError
from db_restore.sqllex import LineScan, PsqlLexer

log = logging.getLogger(__name__)

HEADER = b"-- PostgreSQL database dump"
TRAILER = b"-- PostgreSQL database dump complete"
SKIPPED = b"-- (line skipped by vocabulo-restore)\n"
RECENT_LINES = 2000  # kept to locate a failing statement's line from psql's "LINE n:" excerpt

_COPY_END = (b"\\.\n", b"\\.\r\n", b"\\.")  # psql ends COPY data at exactly this line
_OWNER = re.compile(rb"^ALTER\s.+\sOWNER\s+TO\s+.+;\s*$", re.IGNORECASE)
_CREATE_PUBLIC = re.compile(rb"^CREATE\s+SCHEMA\s+public\s*;\s*$", re.IGNORECASE)
_COMMENT_EXTENSION = re.compile(rb"^COMMENT\s+ON\s+EXTENSION\s", re.IGNORECASE)
_TX_TIMEOUT = re.compile(rb"^SET\s+transaction_timeout\s*=", re.IGNORECASE)
_SKIPPED_META = re.compile(rb"^\\(connect|c|restrict|unrestrict)(\s|$)")
_TX_CONTROL = re.compile(
    rb"^(BEGIN|COMMIT|END|ROLLBACK|ABORT|START\s+TRANSACTION)(\s+(WORK|TRANSACTION))?\s*;\s*$",
    re.IGNORECASE,
)
_PRIVILEGE = re.compile(r"^(GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\s", re.IGNORECASE)
_ROLE_CLAUSES = (
    re.compile(r"\sFOR\s+(?:ROLE|USER)\s+(.+?)\s+(?:IN\s+SCHEMA|GRANT|REVOKE)\s", re.IGNORECASE),
    re.compile(r"\sGRANTED\s+BY\s+(\S+?)\s*;", re.IGNORECASE),
)
_GRANTEES = re.compile(
    r"\s(?:TO|FROM)\s+(.+?)(?:\s+WITH\s+\w+\s+OPTION|\s+GRANTED\s+BY\s+\S+"
    r"|\s+CASCADE|\s+RESTRICT)*\s*;\s*$",
    re.IGNORECASE,
)
_PSEUDO_ROLES = {"public", "current_user", "session_user", "current_role", "group"}


def role_name(token: str) -> str:
    """A role identifier as PostgreSQL stores it: quoted kept as is, unquoted folded to lower."""
    token = token.strip()
    if token.upper().startswith("GROUP "):
        token = token[6:].strip()
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1].replace('""', '"')
    return token.lower()


def roles_in_privilege_statement(line: str) -> set[str]:
    """Role names a one-line GRANT/REVOKE/ALTER DEFAULT PRIVILEGES statement refers to."""
    names: set[str] = set()
    for clause in _ROLE_CLAUSES:
        for match in clause.finditer(line):
            names.update(role_name(t) for t in match.group(1).split(","))
    # the last TO/FROM holds the grantees (function signatures may contain TO earlier)
    positions = list(re.finditer(r"\s(?:TO|FROM)\s", line, re.IGNORECASE))
    if positions:
        tail = line[positions[-1].start() :]
        grantees = _GRANTEES.match(tail)
        if grantees:
            names.update(role_name(t) for t in grantees.group(1).split(","))
    return {n for n in names if n and n not in _PSEUDO_ROLES}


@dataclass
class FilterStats:
    """What the filter saw: lines read, lines skipped by reason, dump header/trailer."""

    lines: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    has_header: bool = False
    has_trailer: bool = False
    in_copy: bool = False
    lexer: PsqlLexer = field(default_factory=PsqlLexer)
    copy_started_at: int = 0
    copy_starts: list[int] = field(default_factory=list)
    recent: deque[tuple[int, bytes]] = field(default_factory=lambda: deque(maxlen=RECENT_LINES))

    def find_recent(self, before: int, excerpt: str) -> int | None:
        """Number of the last line at or before ``before`` containing ``excerpt``, if recent."""
        needle = excerpt.encode()
        for number, line in reversed(self.recent):
            if number <= before and needle in line:
                return number
        return None

    def copy_row_line(self, reported_line: int, row: int) -> int:
        """Dump line of row ``row`` of the COPY block that psql reported at ``reported_line``."""
        starts = [s for s in self.copy_starts if s < reported_line]
        return starts[-1] + row if starts else reported_line


def filter_dump(
    lines: Iterable[bytes], existing_roles: set[str], stats: FilterStats
) -> Iterator[bytes]:
    """Yield the dump's lines, one out per line in, with unrestorable statements commented out.

    Raises ``RestoreError`` before yielding a line that would make psql run a command.
    """
    lexer = stats.lexer
    for raw in lines:
        stats.lines += 1
        line = raw if raw.endswith(b"\n") else raw + b"\n"
        if stats.in_copy:
            if raw in _COPY_END:
                stats.in_copy = False
            yield line
            continue
        stats.recent.append((stats.lines, line))
        if lexer.at_top and _SKIPPED_META.match(line):
            stats.skipped["psql connection/restrict meta-command"] += 1
            yield SKIPPED  # psql reads a whole line as the command: the state is unchanged
            continue
        started_top = lexer.at_top
        scan = lexer.scan(line, stats.lines)
        _refuse_commands(scan, stats.lines)
        if scan.whole_statement:
            out = _rewrite(line, existing_roles, stats)
            if out is not line:
                if out is SKIPPED:
                    log.debug("skipped dump line %d: %s", stats.lines, line[:100])
                yield out
                continue
        if scan.copy_in:
            stats.in_copy, stats.copy_started_at = True, stats.lines
            stats.copy_starts.append(stats.lines)
        elif started_top and line.startswith(HEADER):
            stats.has_header = True
            stats.has_trailer = line.startswith(TRAILER)
        yield line


def _refuse_commands(scan: LineScan, number: int) -> None:
    """Refuse what would run a command: psql meta-commands, COPY ... PROGRAM, and a COPY
    from stdin followed by more SQL on its line (psql's data and ours would differ)."""
    if scan.meta is not None:
        name = scan.meta.decode(errors="replace")
        where = "" if scan.starts_statement else " (inside an unfinished statement)"
        raise RestoreError(
            f"dump line {number} runs the psql command {name!r}{where}: refusing this dump"
        )
    if scan.copy_program:
        raise RestoreError(
            f"dump line {number} has COPY ... PROGRAM (a shell command on the database "
            "server): refusing this dump"
        )
    if scan.copy_trailing:
        raise RestoreError(
            f"dump line {number}: COPY ... FROM stdin must end its line; refusing this dump"
        )


def _rewrite(line: bytes, existing_roles: set[str], stats: FilterStats) -> bytes:
    """The line to send for ``line``: itself, a rewrite, or ``SKIPPED``."""
    reason = None
    if _OWNER.match(line):
        reason = "ALTER ... OWNER TO (restored objects belong to the restoring user)"
    elif _TX_CONTROL.match(line):
        reason = "transaction control (the whole restore is one transaction)"
    elif _COMMENT_EXTENSION.match(line):
        reason = "COMMENT ON EXTENSION (needs the extension's owner)"
    elif _TX_TIMEOUT.match(line):
        reason = "SET transaction_timeout (unknown before PostgreSQL 17)"
    elif _CREATE_PUBLIC.match(line):
        stats.skipped["CREATE SCHEMA public → IF NOT EXISTS"] += 1
        return b"CREATE SCHEMA IF NOT EXISTS public;\n"
    else:
        text = line.decode("utf-8", errors="replace").rstrip()
        if _PRIVILEGE.match(text) and text.endswith(";"):
            missing = roles_in_privilege_statement(text) - existing_roles
            if missing:
                reason = "privilege statement for roles missing here: " + ", ".join(sorted(missing))
    if reason is None:
        return line
    stats.skipped[reason] += 1
    return SKIPPED
