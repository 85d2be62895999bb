"""Where a dump comes from (baked file, mounted file, HTTPS URL) and what format it is in."""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from apps.common.hashing import file_sha256
from db_restore.errors import RestoreError, UsageError

log = logging.getLogger(__name__)

IMAGE_DUMP = Path("/opt/vocabulo/data/lsf_app_dump.sql.gz")
REPO_DUMP = Path(__file__).resolve().parents[3] / "data" / "lsf_app_dump.sql.gz"
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20
READ_TIMEOUT_S = 60.0  # one connect or read; the whole download has its own deadline
DEFAULT_DEADLINE_S = 1800.0


@dataclass(frozen=True)
class Dump:
    """A dump on local disk, verified: its origin (path or URL), sha256 and format."""

    path: Path
    origin: str
    sha256: str
    format: str  # "plain", "plain-gzip", "custom", "custom-gzip", "tar", "directory"


def default_dump() -> Path:
    """``$VOCABULO_DUMP``, else the image's baked dump, else the repository's seed dump."""
    env = os.environ.get("VOCABULO_DUMP", "").strip()
    if env:
        return Path(env)
    if IMAGE_DUMP.exists():
        return IMAGE_DUMP
    if REPO_DUMP.exists():
        return REPO_DUMP
    raise UsageError(
        f"no dump given and no default dump found (looked at $VOCABULO_DUMP, "
        f"{IMAGE_DUMP}, {REPO_DUMP}): pass --dump PATH|https-URL"
    )


def check_sha256_arg(value: str | None) -> str | None:
    """Normalise a ``--sha256`` value (64 hex digits) or reject it."""
    if value is None:
        return None
    value = value.strip().lower()
    if not SHA256_HEX.match(value):
        raise UsageError(f"--sha256 must be 64 hexadecimal digits, got {value!r}")
    return value


def detect_format(path: Path) -> str:
    """Sniff a dump's format from its first bytes (never from its name)."""
    if path.is_dir():
        return "directory"
    with path.open("rb") as fh:
        head = fh.read(512)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                inner = gz.read(5)
        except (OSError, EOFError) as exc:
            raise RestoreError(f"{path} is not a readable gzip file: {exc}") from exc
        return "custom-gzip" if inner == b"PGDMP" else "plain-gzip"
    if head[:5] == b"PGDMP":
        return "custom"
    if head[257:262] == b"ustar":
        return "tar"
    return "plain"


def resolve(
    dump: str | None,
    sha256: str | None,
    *,
    cafile: str | None,
    max_bytes: int,
    workdir: Path,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> Dump:
    """Turn ``--dump``/``--sha256`` into a verified local :class:`Dump` (downloading URLs)."""
    expected = check_sha256_arg(sha256)
    if dump and re.match(r"^[a-z][a-z0-9+.-]*://", dump, re.IGNORECASE):
        if not dump.lower().startswith("https://"):
            raise UsageError(f"only https:// URLs are accepted, got {dump.split('://')[0]}://")
        if expected is None:
            raise UsageError("--sha256 is required when --dump is a URL")
        path = workdir / "dump.download"
        actual = download(dump, path, cafile=cafile, max_bytes=max_bytes, deadline_s=deadline_s)
        origin = redact_url(dump)
    else:
        path = Path(dump) if dump else default_dump()
        if not path.exists():
            raise UsageError(f"dump not found: {path}")
        actual = "" if path.is_dir() else file_sha256(path)
        origin = str(path.resolve())
    if path.is_dir():
        actual = _directory_sha256(path)
    if expected is not None and actual != expected:
        raise RestoreError(
            f"sha256 mismatch for {origin}: expected {expected}, got {actual}; "
            "the database was not touched"
        )
    fmt = detect_format(path)
    log.info("dump %s: format %s, sha256 %s", origin, fmt, actual)
    return Dump(path=path, origin=origin, sha256=actual, format=fmt)


def _directory_sha256(path: Path) -> str:
    """sha256 over a directory-format dump's files (names and contents, sorted)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + b"\0" + file_sha256(file).encode())
    return digest.hexdigest()


class _Transient(Exception):
    """A download error worth another try (connection reset, 5xx)."""


def redact_url(url: str) -> str:
    """``url`` without credentials, query or fragment: a pre-signed URL's token stays secret
    (out of logs and of the restore record)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    hidden = "?…" if parts.query or parts.username or parts.password else ""
    return urlunsplit((parts.scheme, host, parts.path, "", "")) + hidden


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to https:// URLs (TLS verified again at the new host)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() != "https":
            raise RestoreError(
                f"{redact_url(req.full_url)} redirects to a non-https URL "
                f"({urlsplit(newurl).scheme}://…): refused"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(
    url: str,
    dest: Path,
    *,
    cafile: str | None,
    max_bytes: int,
    attempts: int = 3,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> str:
    """Download ``url`` to ``dest`` over verified TLS; return its sha256.

    Bounded: size, tries, https-only redirects, and ``deadline_s`` for the whole download
    (every try and pause included), however slowly the server sends.
    """
    context = ssl.create_default_context(cafile=cafile)
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), _HttpsOnlyRedirects()
    )
    deadline = time.monotonic() + deadline_s
    for attempt in Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=1, max=10),
        retry=retry_if_exception_type(_Transient),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    ):
        with attempt:
            try:
                return _download_once(url, dest, opener, max_bytes, deadline, deadline_s)
            except _Transient as exc:
                log.warning(
                    "download of %s failed (try %d/%d): %s",
                    redact_url(url),
                    attempt.retry_state.attempt_number,
                    attempts,
                    exc,
                )
                raise
    raise AssertionError("unreachable")


def _download_once(
    url: str,
    dest: Path,
    opener: urllib.request.OpenerDirector,
    max_bytes: int,
    deadline: float,
    deadline_s: float,
) -> str:
    digest, size = hashlib.sha256(), 0
    request = urllib.request.Request(url, headers={"User-Agent": "vocabulo-restore"})

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise RestoreError(
                f"download of {redact_url(url)} did not finish within {deadline_s:.0f} s "
                f"({size} bytes received; --download-timeout)"
            )
        return left

    try:
        with (
            opener.open(request, timeout=min(READ_TIMEOUT_S, remaining())) as resp,
            dest.open("wb") as out,
        ):
            declared = resp.headers.get("Content-Length")
            if declared and int(declared) > max_bytes:
                raise RestoreError(
                    f"{redact_url(url)} is {declared} bytes, over the {max_bytes}-byte limit "
                    "(--max-download-bytes)"
                )
            # read1: returns what one receive brought, so a server that drips bytes cannot
            # hold a read past the deadline (each receive waits at most the socket timeout)
            while remaining() and (chunk := resp.read1(CHUNK)):
                size += len(chunk)
                if size > max_bytes:
                    raise RestoreError(
                        f"{redact_url(url)} exceeds the {max_bytes}-byte download limit (--max-download-bytes)"
                    )
                digest.update(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise _Transient(f"HTTP {exc.code}") from exc
        raise RestoreError(
            f"download of {redact_url(url)} failed: HTTP {exc.code} {exc.reason}"
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ssl.SSLError):
            raise RestoreError(
                f"TLS verification of {redact_url(url)} failed: {exc.reason} (trust a private "
                "CA with --cafile or SSL_CERT_FILE)"
            ) from exc
        raise _Transient(str(exc.reason)) from exc
    except (ConnectionError, TimeoutError) as exc:
        remaining()  # past the deadline: say so rather than retry
        raise _Transient(str(exc)) from exc
    log.info("downloaded %s (%d bytes)", redact_url(url), size)
    return digest.hexdigest()


def make_workdir() -> tempfile.TemporaryDirectory[str]:
    """A private temporary directory for downloads and decompressed dumps."""
    return tempfile.TemporaryDirectory(prefix="vocabulo-restore-")
