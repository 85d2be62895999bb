"""The dump's manifest (sha256, row counts per table, required extensions) and its SQL check."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from db_restore.errors import RestoreError, UsageError

log = logging.getLogger(__name__)

_DUMP_SUFFIXES = (".gz", ".sql", ".dump", ".backup", ".custom", ".tar")


@dataclass(frozen=True)
class Manifest:
    """What a restored database must hold; ``tables`` maps ``[schema.]table`` → row count."""

    source: str
    sha256: str | None = None
    tables: dict[str, int] = field(default_factory=dict)
    extensions: tuple[str, ...] = ()


def default_manifest_path(dump: Path) -> Path:
    """``data/x.sql.gz`` → ``data/x.manifest.json`` (the seed dump's convention)."""
    name = dump.name
    while True:
        for suffix in _DUMP_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        else:
            break
    return dump.with_name(f"{name}.manifest.json")


def load(path: Path) -> Manifest:
    """Read a manifest JSON: ``sha256``, ``tables`` (or ``row_counts``), ``extensions``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"manifest not found: {path}") from exc
    except (OSError, ValueError) as exc:
        raise RestoreError(f"manifest {path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RestoreError(f"manifest {path} must be a JSON object")
    tables = _first(data, "tables", "row_counts", "rows", "counts") or {}
    extensions = _first(data, "extensions", "required_extensions") or []
    if not isinstance(tables, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in tables.values()
    ):
        raise RestoreError(f"manifest {path}: 'tables' must map table names to row counts")
    if not isinstance(extensions, list) or not all(isinstance(e, str) for e in extensions):
        raise RestoreError(f"manifest {path}: 'extensions' must be a list of names")
    sha = data.get("sha256")
    return Manifest(
        source=str(path),
        sha256=sha.lower() if isinstance(sha, str) else None,
        tables={str(k): v for k, v in tables.items()},
        extensions=tuple(extensions),
    )


def _first(data: dict[str, object], *keys: str) -> object:
    for key in keys:
        if key in data:
            return data[key]
    return None


def find(dump_path: Path, explicit: str | None, dump_sha256: str) -> Manifest | None:
    """The manifest to check against: ``--manifest``, else the dump's sibling, else none."""
    if explicit:
        manifest = load(Path(explicit))
    else:
        sibling = default_manifest_path(dump_path)
        if not sibling.is_file():
            log.warning("no manifest next to %s: row counts will not be checked", dump_path)
            return None
        manifest = load(sibling)
    if manifest.sha256 and manifest.sha256 != dump_sha256:
        raise RestoreError(
            f"manifest {manifest.source} describes a dump with sha256 "
            f"{manifest.sha256}, not this one ({dump_sha256})"
        )
    return manifest


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def check_sql(manifest: Manifest) -> str:
    """A DO block that raises, listing every mismatch, when the database differs from it."""
    tables = json.dumps({(k if "." in k else f"public.{k}"): v for k, v in manifest.tables.items()})
    extensions = json.dumps(list(manifest.extensions))
    return f"""DO $vocabulo_manifest$
DECLARE
    expected jsonb := {_literal(tables)};
    wanted_ext jsonb := {_literal(extensions)};
    t text; want bigint; got bigint; ext text; problems text[] := '{{}}';
BEGIN
    FOR t, want IN SELECT key, value::bigint FROM jsonb_each_text(expected) ORDER BY key LOOP
        IF to_regclass(t) IS NULL THEN
            problems := problems || format('table %s is missing', t);
        ELSE
            EXECUTE format('SELECT count(*) FROM %s', t::regclass) INTO got;
            IF got <> want THEN
                problems := problems || format('%s has %s rows, manifest says %s', t, got, want);
            END IF;
        END IF;
    END LOOP;
    FOR ext IN SELECT jsonb_array_elements_text(wanted_ext) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = ext) THEN
            problems := problems || format('extension %s is not installed', ext);
        END IF;
    END LOOP;
    IF cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'manifest mismatch (%): %', {_literal(manifest.source)},
            array_to_string(problems, '; ');
    END IF;
END
$vocabulo_manifest$;
"""
