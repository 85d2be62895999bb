"""Line filter between a SQL dump and psql: drops what cannot restore here, keeps line numbers.

Every dropped line is replaced by a comment line, so psql's line numbers still point at the
dump's own lines. COPY data is passed through untouched.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from db_restore.errors import RestoreError

log = logging.getLogger(__name__)

HEADER = b"-- PostgreSQL database dump"
TRAILER = b"-- PostgreSQL database dump complete"
SKIPPED = b"-- (line skipped by vocabulo-restore)\n"
RECENT_LINES = 2000  # kept to locate a failing statement's line from psql's "LINE n:" excerpt

_COPY_START = re.compile(rb"^COPY\s.+\sFROM\s+stdin.*;\s*$", re.IGNORECASE)
_OWNER = re.compile(rb"^ALTER\s.+\sOWNER\s+TO\s+.+;\s*$", re.IGNORECASE)
_CREATE_PUBLIC = re.compile(rb"^CREATE\s+SCHEMA\s+public\s*;\s*$", re.IGNORECASE)
_COMMENT_EXTENSION = re.compile(rb"^COMMENT\s+ON\s+EXTENSION\s", re.IGNORECASE)
_TX_TIMEOUT = re.compile(rb"^SET\s+transaction_timeout\s*=", re.IGNORECASE)
_SKIPPED_META = re.compile(rb"^\\(connect|c|restrict|unrestrict)(\s|$)")
_TX_CONTROL = re.compile(
    rb"^(BEGIN|COMMIT|END|ROLLBACK|ABORT|START\s+TRANSACTION)(\s+(WORK|TRANSACTION))?\s*;\s*$",
    re.IGNORECASE,
)
_DOLLAR_TAG = re.compile(rb"\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$")
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
    dollar_tag: bytes | None = None  # inside a $tag$-quoted body (functions): lines kept as is
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
    """Yield the dump's lines, one out per line in, with unrestorable statements commented out."""
    for raw in lines:
        stats.lines += 1
        line = raw if raw.endswith(b"\n") else raw + b"\n"
        if stats.in_copy:
            if line.rstrip(b"\r\n") == b"\\.":
                stats.in_copy = False
            yield line
            continue
        stats.recent.append((stats.lines, line))
        if stats.dollar_tag is not None:
            _track_dollar_quotes(line, stats)
            yield line
            continue
        _track_dollar_quotes(line, stats)
        out = _rewrite(line, existing_roles, stats)
        if out is not line:
            if out is SKIPPED:
                log.debug("skipped dump line %d: %s", stats.lines, line[:100])
            yield out
            continue
        if _COPY_START.match(line):
            stats.in_copy, stats.copy_started_at = True, stats.lines
            stats.copy_starts.append(stats.lines)
        elif line.startswith(HEADER):
            stats.has_header = True
            stats.has_trailer = line.startswith(TRAILER)
        elif line.startswith(b"\\"):
            raise RestoreError(
                f"dump line {stats.lines} runs the psql command "
                f"{line.split()[0].decode(errors='replace')!r}: refusing this dump"
            )
        yield line


def _track_dollar_quotes(line: bytes, stats: FilterStats) -> None:
    """Follow $tag$ quoting, so function bodies are never mistaken for top-level statements."""
    for match in _DOLLAR_TAG.finditer(line):
        tag = match.group(0)
        if stats.dollar_tag is None:
            stats.dollar_tag = tag
        elif tag == stats.dollar_tag:
            stats.dollar_tag = None


def _rewrite(line: bytes, existing_roles: set[str], stats: FilterStats) -> bytes:
    """The line to send for ``line``: itself, a rewrite, or ``SKIPPED``."""
    reason = None
    if _OWNER.match(line):
        reason = "ALTER ... OWNER TO (restored objects belong to the restoring user)"
    elif _SKIPPED_META.match(line):
        reason = "psql connection/restrict meta-command"
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
