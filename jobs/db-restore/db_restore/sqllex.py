"""A line-at-a-time lexer that sees SQL text the way psql does, so the dump filter knows, for
every line, whether it starts a statement and whether psql would run a backslash command in it.

It follows psql's own scanner (src/fe_utils/psqlscan.l) for what matters here:

- single-quoted strings (``''`` inside; backslash escapes only when standard_conforming_strings
  is off), ``E''`` strings (backslash escapes), ``U&''``, ``B''``, ``X''``, ``N''``, and psql's
  continuation of a string across a newline (``'a'`` newline ``'b'`` is one string);
- dollar quotes ``$tag$ ... $tag$``; ``$`` inside identifiers (``a$b$c``) and ``$1`` parameters
  are not quotes;
- double-quoted identifiers (``""`` inside); ``--`` comments and nested ``/* */`` comments;
- statement ends: ``;`` outside parentheses and outside a ``BEGIN ATOMIC ... END`` body of
  ``CREATE [OR REPLACE] FUNCTION|PROCEDURE`` (psql's own heuristic);
- a backslash outside all of these starts a psql meta-command, anywhere on a line.

COPY data lines are not lexed: the caller passes them through until ``\\.``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

_IDENT = re.compile(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*")
_SPACE = re.compile(rb"[ \t\r\n\f\v]+")
# runs that start nothing psql tracks: numbers, commas, most operators (not - or /: comments)
_PLAIN = re.compile(rb"[^A-Za-z_\x80-\xff'\"$\\;()/\- \t\r\n\f\v]+")
_E_STRING_STOP = re.compile(rb"[\\']")
# Once a statement is known to be neither COPY nor CREATE FUNCTION/PROCEDURE, its words no
# longer matter: skip everything up to the next quote, $, backslash, ;, parenthesis, comment
# start, or a word followed by ' or & (E'', U&'' ...), in one step.
_FAST = re.compile(
    rb"(?:[^'\"$\\;()/\-A-Za-z_\x80-\xff]|-(?!-)|/(?!\*)"
    rb"|(?>[A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*)(?![&']))+"
)
_PARAM = re.compile(rb"\$[0-9]+")
_DOLLAR_TAG = re.compile(rb"\$(?:[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$")
_META = re.compile(rb"\\(?:[A-Za-z]+|.)?")
_STD_STRINGS = re.compile(
    rb"^\s*SET\s+(?:SESSION\s+)?standard_conforming_strings\s*(?:=|TO)\s*'?(on|off)'?\s*;",
    re.IGNORECASE,
)
_CREATE_ROUTINE = {b"create", b"function", b"procedure", b"or", b"replace"}


class Mode(Enum):
    """Where the lexer is: at top level or inside a quoted construct or a block comment."""

    TOP = "top level"
    STRING = "a quoted string"
    ESCAPE_STRING = "an E'' string"
    DOLLAR = "a dollar-quoted string"
    IDENT = "a quoted identifier"
    COMMENT = "a /* */ comment"


@dataclass
class LineScan:
    """What one line holds, as psql sees it."""

    starts_statement: bool  # began at top level with no statement pending
    statements: int = 0  # statements this line ended
    ends_clean: bool = False  # ends at top level with no statement pending
    meta: bytes | None = None  # a backslash command outside quotes (psql would run it)
    copy_in: bool = False  # ended a COPY ... FROM STDIN: data lines follow
    copy_trailing: bool = False  # ... but something follows its ";" on the line
    copy_program: bool = False  # a COPY ... PROGRAM statement (shell on the server)

    @property
    def whole_statement(self) -> bool:
        """The line is exactly one complete statement (safe to drop or rewrite)."""
        return self.starts_statement and self.statements == 1 and self.ends_clean


@dataclass
class PsqlLexer:
    """State carried from line to line; :meth:`scan` one line at a time."""

    std_strings: bool = True
    mode: Mode = Mode.TOP
    opened_at: int = 0  # line where the current quoted construct or comment began
    _tag: bytes = b""
    _comment_depth: int = 0
    _pending: bool = False  # statement text since the last end of statement
    _paren: int = 0
    _begin: int = 0
    _idents: list[bytes] = field(default_factory=list)  # psql's CREATE FUNCTION heuristic
    _ident_count: int = 0
    _first_word: bytes = b""
    _prev_word: bytes = b""  # the previous token, when it was a keyword or identifier
    _copy_in: bool = False  # this statement is COPY ... FROM STDIN (or STDOUT: same thing)
    _copy_program: bool = False
    _settled: bool = False  # four words in, neither COPY nor a routine: words no longer matter
    _continue: Mode | None = None  # a string just closed: psql may continue it
    _newline_since: bool = False

    @property
    def at_top(self) -> bool:
        """Outside quotes and comments (a line starting here is read as SQL or a command)."""
        return self.mode is Mode.TOP

    @property
    def at_statement_start(self) -> bool:
        return self.mode is Mode.TOP and not self._pending

    def scan(self, line: bytes, number: int) -> LineScan:
        """Lex ``line`` (line ``number`` of the input, for messages) and update the state."""
        out = LineScan(starts_statement=self.at_statement_start and self._continue is None)
        std_next = self._std_strings_after(line) if out.starts_statement else None
        i, n = 0, len(line)
        while i < n:
            if self.mode is Mode.TOP:
                i = self._top(line, i, number, out)
            elif self.mode in (Mode.STRING, Mode.ESCAPE_STRING):
                i = self._string(line, i)
            elif self.mode is Mode.DOLLAR:
                end = line.find(self._tag, i)
                if end < 0:
                    i = n
                else:
                    self.mode, i = Mode.TOP, end + len(self._tag)
            elif self.mode is Mode.IDENT:
                i = self._ident(line, i)
            else:
                i = self._comment(line, i)
            if out.meta is not None:
                break
        if self._continue is not None:
            self._newline_since = True
        out.ends_clean = self.at_statement_start and out.meta is None
        if std_next is not None and out.whole_statement:
            self.std_strings = std_next  # psql reads the setting again for the next line
        return out

    def open_construct(self) -> str | None:
        """What the input ends inside of, if anything (a truncated or malformed dump)."""
        return (
            None if self.mode is Mode.TOP else f"{self.mode.value} opened at line {self.opened_at}"
        )

    # -- top level -------------------------------------------------------------------------

    def _top(self, line: bytes, i: int, number: int, out: LineScan) -> int:
        if space := _SPACE.match(line, i):
            return space.end()
        if line.startswith(b"--", i):
            return len(line)  # a comment to the end of the line
        if self._continue is not None:
            kind, self._continue = self._continue, None
            if line[i : i + 1] == b"'" and self._newline_since:
                return self._open(kind, i + 1, number)
        if line.startswith(b"/*", i):
            self._comment_depth = 1
            self.mode, self.opened_at = Mode.COMMENT, number
            return i + 2
        self._pending = True
        c = line[i : i + 1]
        if not (c.isalpha() or c == b"_" or c >= b"\x80"):
            self._prev_word = b""  # any other token separates FROM from what follows
        if self._settled and (run := _FAST.match(line, i)):
            return run.end()
        if plain := _PLAIN.match(line, i):
            return plain.end()  # (a number before E'' ends here, as in psql: 1E'x' is 1, E'x')
        if c == b"\\":
            match = _META.match(line, i)
            out.meta = match.group(0) if match else b"\\"
            return len(line)
        if c == b"'":
            return self._open(
                Mode.STRING if self.std_strings else Mode.ESCAPE_STRING, i + 1, number
            )
        if c == b'"':
            self.mode, self.opened_at = Mode.IDENT, number
            return i + 1
        if c == b"$":
            if param := _PARAM.match(line, i):
                return param.end()
            if tag := _DOLLAR_TAG.match(line, i):
                self._tag, self.mode, self.opened_at = tag.group(0), Mode.DOLLAR, number
                return tag.end()
            return i + 1
        if c.isalpha() or c == b"_" or c >= b"\x80":
            return self._word(line, i, number)
        if c == b"(":
            self._paren += 1
        elif c == b")":
            self._paren = max(0, self._paren - 1)
        elif c == b";" and self._paren == 0 and self._begin == 0:
            self._end_statement(line, i, out)
        return i + 1

    def _word(self, line: bytes, i: int, number: int) -> int:
        """An identifier or keyword, or the prefix of a special string (E'', U&'', B'' ...)."""
        nxt = line[i + 1 : i + 2]
        lead = line[i : i + 1].lower()
        if nxt == b"'" and lead == b"e":
            return self._open(Mode.ESCAPE_STRING, i + 2, number)
        if nxt == b"'" and lead in (b"b", b"x"):
            return self._open(Mode.STRING, i + 2, number)
        if nxt == b"'" and lead == b"n":  # psql reads N'' as a normal string
            return self._open(
                Mode.STRING if self.std_strings else Mode.ESCAPE_STRING, i + 2, number
            )
        if lead == b"u" and line[i + 1 : i + 3] in (b"&'", b'&"'):
            if line[i + 2 : i + 3] == b"'":
                return self._open(Mode.STRING, i + 3, number)
            self.mode, self.opened_at = Mode.IDENT, number
            return i + 3
        match = _IDENT.match(line, i)
        assert match is not None
        self._identifier(match.group(0).lower())
        return match.end()

    def _identifier(self, word: bytes) -> None:
        """psql's heuristic for BEGIN ... END bodies of CREATE FUNCTION/PROCEDURE."""
        if self._ident_count == 0:
            self._idents = [b"", b"", b"", b""]
            self._first_word = word
        if self._first_word == b"copy" and self._prev_word == b"from":
            # the grammar: FROM STDIN | STDOUT (both: data from the client) | PROGRAM | 'file'
            self._copy_in = self._copy_in or word in (b"stdin", b"stdout")
            self._copy_program = self._copy_program or word == b"program"
        self._prev_word = word
        if word in _CREATE_ROUTINE and self._ident_count < 4:
            self._idents[self._ident_count] = word[:1]
        self._ident_count += 1
        ids = self._idents
        routine = ids[0] == b"c" and (
            ids[1] in (b"f", b"p") or (ids[1:3] == [b"o", b"r"] and ids[3] in (b"f", b"p"))
        )
        if self._ident_count == 4:
            self._settled = not routine and self._first_word != b"copy"
        if routine and self._paren == 0:
            if word == b"begin" or (word == b"case" and self._begin >= 1):  # CASE ends in END
                self._begin += 1
            elif word == b"end" and self._begin > 0:
                self._begin -= 1

    def _end_statement(self, line: bytes, i: int, out: LineScan) -> None:
        out.statements += 1
        out.copy_program = out.copy_program or self._copy_program
        if self._copy_in:
            out.copy_in = True
            rest = line[i + 1 :].strip()
            out.copy_trailing = bool(rest) and not rest.startswith(b"--")
        self._pending = self._copy_in = self._copy_program = self._settled = False
        self._paren = self._begin = self._ident_count = 0
        self._first_word = self._prev_word = b""

    # -- inside quotes and comments ------------------------------------------------------------

    def _open(self, mode: Mode, i: int, number: int) -> int:
        self._pending = True
        self.mode, self.opened_at = mode, number
        return i

    def _string(self, line: bytes, i: int) -> int:
        escapes = self.mode is Mode.ESCAPE_STRING
        n = len(line)
        while i < n:
            if escapes:
                stop = _E_STRING_STOP.search(line, i)
                at = stop.start() if stop else -1
            else:
                at = line.find(b"'", i)
            if at < 0:
                return n
            if line[at] == 0x5C or line[at + 1 : at + 2] == b"'":
                i = at + 2  # a backslash (E'') escapes the next byte; a doubled quote stays in
            else:
                self._continue, self._newline_since = self.mode, False
                self.mode = Mode.TOP
                return at + 1
        return n

    def _ident(self, line: bytes, i: int) -> int:
        while True:
            end = line.find(b'"', i)
            if end < 0:
                return len(line)
            if line[end + 1 : end + 2] != b'"':
                self.mode = Mode.TOP
                return end + 1
            i = end + 2

    def _comment(self, line: bytes, i: int) -> int:
        n = len(line)
        while i < n:
            if line.startswith(b"/*", i):
                self._comment_depth += 1
                i += 2
            elif line.startswith(b"*/", i):
                self._comment_depth -= 1
                i += 2
                if self._comment_depth == 0:
                    self.mode = Mode.TOP
                    return i
            else:
                i += 1
        return n

    def _std_strings_after(self, line: bytes) -> bool | None:
        match = _STD_STRINGS.match(line)
        return None if match is None else match.group(1).lower() == b"on"
