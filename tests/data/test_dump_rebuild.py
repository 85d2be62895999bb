"""The committed dump is exactly what `make dump` builds, and its manifest describes it."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from data.build import DUMP_PATH, MANIFEST_PATH, SENSES_INDEX_PATH
from data.build.cli import build, senses_index
from data.build.sqldump import gzip_bytes


@pytest.fixture(scope="module")
def fresh_build() -> tuple[str, dict[str, int], str]:
    sql, counts, _info, selection = build(progress=False)
    return sql, counts, senses_index(selection)


@pytest.mark.slow
def test_committed_dump_equals_a_fresh_build(
    fresh_build: tuple[str, dict[str, int], str],
) -> None:
    sql, _counts, index = fresh_build
    committed = gzip.decompress(DUMP_PATH.read_bytes()).decode("utf-8")
    assert committed == sql, "data/lsf_app_dump.sql.gz is stale: run `make dump` and commit it"
    stale = "data/lsf_app_dump.senses.tsv is stale: run `make dump` and commit it"
    assert SENSES_INDEX_PATH.read_text(encoding="utf-8") == index, stale


@pytest.mark.slow
def test_gzip_is_reproducible_and_matches_the_manifest(
    fresh_build: tuple[str, dict[str, int], str],
) -> None:
    sql, counts, _index = fresh_build
    assert gzip_bytes(sql) == gzip_bytes(sql)
    assert gzip_bytes(sql)[4:8] == b"\0\0\0\0"  # mtime 0: no build timestamp in the file
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(DUMP_PATH.read_bytes()).hexdigest()
    assert manifest["tables"] == dict(sorted(counts.items()))
    assert manifest["extensions"] == ["unaccent"]


def test_dump_is_small_plain_sql_with_schema_and_constraints() -> None:
    assert DUMP_PATH.stat().st_size < 5_000_000
    text = gzip.decompress(DUMP_PATH.read_bytes()).decode("utf-8")
    assert "CREATE TABLE public.mot (" in text
    assert "COPY public.mot (mot_id, mot, definition," in text
    assert text.index("COPY public.mot ") < text.index("ALTER TABLE public.mot ADD FOREIGN KEY")
    assert "SELECT pg_catalog.setval('public.mot_mot_id_seq'" in text
