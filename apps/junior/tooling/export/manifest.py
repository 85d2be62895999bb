"""The export manifest: source, versions, opset and the sha256 of every exported file."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

from apps.common.hashing import file_sha256
from apps.junior.transformer_encoder import (
    MANIFEST_FORMAT,
    MANIFEST_NAME,
    read_manifest,
    verify_manifest,
)

__all__ = ["MANIFEST_NAME", "read_manifest", "verify_manifest", "write_manifest"]

VERSIONED_PACKAGES = (
    "torch",
    "transformers",
    "optimum",
    "optimum-onnx",
    "onnx",
    "onnxruntime",
    "tokenizers",
    "sentencepiece",
)


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that shape an export (None when absent)."""
    versions: dict[str, str | None] = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def file_entries(directory: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file under ``directory`` except the manifest itself."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name != MANIFEST_NAME:
            entries[name] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
    return entries


def write_manifest(directory: Path, fields: dict[str, Any]) -> dict[str, Any]:
    """Write ``fields`` plus versions and file hashes as ``directory/manifest.json``; return it."""
    manifest = {"format_version": MANIFEST_FORMAT, **fields}
    manifest["versions"] = package_versions()
    manifest["files"] = file_entries(directory)
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (directory / MANIFEST_NAME).write_text(text, encoding="utf-8")
    return manifest
