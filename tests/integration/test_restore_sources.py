"""Dump sources and formats: an HTTPS URL with a required sha256 (self-signed loopback server),
and REAL pg_dump output (plain, custom, gzipped custom) whose owners/grantees do not exist here."""

from __future__ import annotations

import gzip
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from db_restore.errors import RestoreError
from db_restore.sources import download

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the fixtures package
from fixtures import dumps
from fixtures.cli import query, run_restore, snapshot
from fixtures.https import https_server, self_signed_cert


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """(base URL, CA file, dump) of a loopback HTTPS server holding the fixture dump."""
    root = tmp_path_factory.mktemp("https")
    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"))
    dump = dumps.fixture_dump(root)
    with https_server(root, cert, key) as base:
        yield base, cert, dump


def test_https_dump_with_sha256_and_cafile(fresh_db: str, served: tuple[str, Path, Path]) -> None:
    base, cafile, dump = served
    url = f"{base}/{dump.name}"
    result = run_restore(
        fresh_db, "--dump", url, "--sha256", dumps.sha256(dump), "--cafile", str(cafile)
    )
    assert result.returncode == 0, result.stderr
    assert query(fresh_db, "SELECT source, sha256 FROM vocabulo_meta.restores") == [
        (url, dumps.sha256(dump))
    ]
    assert snapshot(fresh_db)["public.mot"] == 5
    # the trust can also come from SSL_CERT_FILE; same dump again: verified, then a no-op
    again = run_restore(
        fresh_db, "--dump", url, "--sha256", dumps.sha256(dump), SSL_CERT_FILE=str(cafile)
    )
    assert again.returncode == 0, again.stderr
    assert "already restored" in again.stderr


def test_signed_url_token_stays_out_of_logs_and_record(
    fresh_db: str, served: tuple[str, Path, Path]
) -> None:
    """A pre-signed URL's query is a credential: never logged, never stored."""
    base, cafile, dump = served
    token = "X-Amz-Signature=deadbeefsecret"
    url = f"{base}/{dump.name}?{token}"
    result = run_restore(
        fresh_db, "--dump", url, "--sha256", dumps.sha256(dump), "--cafile", str(cafile)
    )
    assert result.returncode == 0, result.stderr
    assert "deadbeefsecret" not in result.stderr + result.stdout
    ((source,),) = query(fresh_db, "SELECT source FROM vocabulo_meta.restores")
    assert source == f"{base}/{dump.name}?…"


def test_https_wrong_sha256_is_refused_before_touching_the_database(
    fresh_db: str, served: tuple[str, Path, Path]
) -> None:
    base, cafile, dump = served
    result = run_restore(
        fresh_db, "--dump", f"{base}/{dump.name}", "--sha256", "b" * 64, "--cafile", str(cafile)
    )
    assert result.returncode == 1
    assert "sha256 mismatch" in result.stderr
    assert "connecting to the database" not in result.stderr
    assert snapshot(fresh_db) == {}


@pytest.mark.parametrize(
    ("name", "trusted", "extra", "message"),
    [
        (None, False, [], "TLS verification"),
        (None, True, ["--max-download-bytes", "100"], "--max-download-bytes"),
        ("missing.sql.gz", True, [], "HTTP 404"),
    ],
)
def test_https_failures_exit_1(
    fresh_db: str,
    served: tuple[str, Path, Path],
    name: str | None,
    trusted: bool,
    extra: list[str],
    message: str,
) -> None:
    base, cafile, dump = served
    trust = ["--cafile", str(cafile)] if trusted else []
    url = f"{base}/{name or dump.name}"
    result = run_restore(fresh_db, "--dump", url, "--sha256", dumps.sha256(dump), *trust, *extra)
    assert result.returncode == 1
    assert message in result.stderr
    assert snapshot(fresh_db) == {}


@pytest.mark.parametrize("fmt", ["plain", "custom", "custom-gzip"])
def test_real_pg_dump_restores(admin_url: str, fresh_db: str, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / "real.dump"
    with dumps.extra_database(admin_url) as source:
        dumps.pg_dump_of_fixture(admin_url, source, target, "p" if fmt == "plain" else "c")
    if fmt == "custom-gzip":
        with target.open("rb") as src, gzip.open(tmp_path / "real.dump.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
        target = tmp_path / "real.dump.gz"
    if fmt == "plain":
        text = target.read_text()
        assert "OWNER TO own_" in text
        assert "set_config('search_path', '', false)" in text
    result = run_restore(fresh_db, "--dump", str(target))
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stderr
    assert "missing here" in result.stderr
    state = snapshot(fresh_db)
    for table, count in dumps.row_counts().items():
        assert state[f"public.{table}"] == count, table
    assert query(fresh_db, "SELECT dump_format FROM vocabulo_meta.restores") == [(fmt,)]
    assert query(
        fresh_db,
        "SELECT has_table_privilege('readwrite', 'public.mot', 'SELECT'), "
        "has_table_privilege('readonly', 'public.mot', 'SELECT')",
    ) == [(True, True)]
    assert (
        query(
            fresh_db,
            "SELECT count(*) FROM information_schema.table_constraints "
            "WHERE constraint_type = 'FOREIGN KEY'",
        )[0][0]
        >= 25
    )


def test_corrupt_custom_dump_names_pg_restore_error(
    admin_url: str, fresh_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "real.dump"
    with dumps.extra_database(admin_url) as source:
        dumps.pg_dump_of_fixture(admin_url, source, target, "c")
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    result = run_restore(fresh_db, "--dump", str(target))
    assert result.returncode == 1
    assert "pg_restore" in result.stderr
    assert "database is unchanged" in result.stderr
    assert snapshot(fresh_db) == {}


@contextmanager
def plain_http_server(root: Path) -> Iterator[tuple[str, list[str]]]:
    """An http:// server of ``root`` that records the paths asked for."""
    hits: list[str] = []

    class Recording(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Recording, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_https_to_https_redirects_are_followed(
    served: tuple[str, Path, Path], tmp_path: Path
) -> None:
    base, cafile, dump = served
    url = f"{base}/redirect/{quote(f'{base}/{dump.name}', safe='')}"
    got = download(url, tmp_path / "d", cafile=str(cafile), max_bytes=10**8)
    assert got == dumps.sha256(dump)


def test_https_to_http_redirect_is_refused_without_fetching(
    fresh_db: str, served: tuple[str, Path, Path]
) -> None:
    base, cafile, dump = served
    with plain_http_server(dump.parent) as (http_base, hits):
        url = f"{base}/redirect/{quote(f'{http_base}/{dump.name}', safe='')}"
        result = run_restore(
            fresh_db, "--dump", url, "--sha256", dumps.sha256(dump), "--cafile", str(cafile)
        )
    assert result.returncode == 1
    assert "redirects to a non-https URL (http://…): refused" in result.stderr
    assert hits == []  # before the fix the dump was fetched in clear text from here
    assert snapshot(fresh_db) == {}


def test_a_slow_server_hits_the_total_download_deadline(
    served: tuple[str, Path, Path], tmp_path: Path
) -> None:
    """The server keeps sending (one byte every 0.1 s, never idle long enough for the socket
    timeout): only a deadline for the whole download stops it."""
    base, cafile, _ = served
    started = time.monotonic()
    with pytest.raises(RestoreError, match=r"did not finish within 1 s \(\d+ bytes received"):
        download(
            f"{base}/drip/600", tmp_path / "d", cafile=str(cafile), max_bytes=10**8, deadline_s=1
        )
    assert time.monotonic() - started < 3


def test_download_timeout_must_be_positive(fresh_db: str) -> None:
    result = run_restore(fresh_db, "--download-timeout", "0")
    assert result.returncode == 2
    assert "--download-timeout" in result.stderr
