"""The export itself: optimum ONNX (feature-extraction), optional int8 copy, tokenizer, manifest."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apps.junior.tooling.export.manifest import MANIFEST_NAME, write_manifest
from apps.junior.tooling.export.quantize import quantize_int8
from apps.junior.tooling.export.source import ModelSource

log = logging.getLogger(__name__)

TASK = "feature-extraction"
FP32_FILE = "model.onnx"
INT8_FILE = "model_int8.onnx"
TOKENIZER_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "tokenizer.model")


class ExportError(Exception):
    """The export cannot proceed or produced something unusable."""


def check_output_dir(out: Path) -> None:
    """Refuse to replace a directory that is neither empty nor an earlier export."""
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST_NAME).is_file():
        raise ExportError(
            f"{out} is not empty and holds no {MANIFEST_NAME}: refusing to overwrite it"
        )


def onnx_opset(path: Path) -> int:
    """Default-domain opset of an ONNX file (weights not loaded)."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


def _run_optimum(source: ModelSource, staging: Path, opset: int | None) -> None:
    from optimum.exporters.onnx import main_export

    main_export(
        source.name_or_path,
        output=staging,
        task=TASK,
        opset=opset,
        revision=source.revision or "main",
        local_files_only=source.local,
        library_name="transformers",
        do_validation=True,
    )
    if not (staging / FP32_FILE).is_file():
        raise ExportError(f"optimum wrote no {FP32_FILE} in {staging}")
    if not any((staging / name).is_file() for name in TOKENIZER_FILES):
        raise ExportError(f"optimum saved no tokenizer files for {source.name_or_path}")


def _model_fields(staging: Path) -> dict[str, Any]:
    config = json.loads((staging / "config.json").read_text(encoding="utf-8"))
    return {
        "model_type": config.get("model_type"),
        "hidden_size": int(config["hidden_size"]),
        # RoBERTa-style models reserve pad_token_id + 1 positions before the first token.
        "max_length": int(config.get("max_position_embeddings", 514))
        - int(config.get("pad_token_id", 1))
        - 1,
    }


def export_model(
    source: ModelSource, out: Path, *, quantize: bool = False, opset: int | None = None
) -> dict[str, Any]:
    """Export ``source`` to ``out`` (replaced atomically at the end); return the manifest."""
    out = Path(out)
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        started = time.perf_counter()
        _run_optimum(source, staging, opset)
        exported_s = time.perf_counter() - started
        onnx_files = {"fp32": FP32_FILE}
        fields: dict[str, Any] = {}
        if quantize:
            fields["quantization"] = quantize_int8(staging / FP32_FILE, staging / INT8_FILE)
            onnx_files["int8"] = INT8_FILE
        fields |= {
            "source": source.name_or_path,
            "source_revision": source.revision,
            "task": TASK,
            "opset": onnx_opset(staging / FP32_FILE),
            "onnx_files": onnx_files,
            "default_variant": "int8" if quantize else "fp32",
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "export_seconds": round(exported_s, 2),
            "total_seconds": round(time.perf_counter() - started, 2),
            **_model_fields(staging),
        }
        manifest = write_manifest(staging, fields)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("exported %s to %s in %.1f s", source.name_or_path, out, fields["total_seconds"])
    return manifest
