"""``python -m apps.junior.tooling.export --model camembert-base --out DIR [--quantize]``.

Exit codes: 0 exported, 2 refused (model unreachable, bad output dir), 1 the export failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from apps.junior.tooling.export.source import SourceUnavailable, resolve_source

EXIT_REFUSED = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m apps.junior.tooling.export",
        description="Export a CamemBERT-family encoder to ONNX (feature-extraction) "
        "with its tokenizer and a manifest of sha256s; optionally an int8 copy.",
    )
    parser.add_argument("--model", required=True, help="hub id (camembert-base) or local dir")
    parser.add_argument("--out", required=True, type=Path, help="directory to (re)write")
    parser.add_argument("--quantize", action="store_true", help="also write model_int8.onnx")
    parser.add_argument("--revision", default="main", help="hub revision (branch, tag, commit)")
    parser.add_argument("--opset", type=int, default=None, help="ONNX opset (optimum default)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the export; print the manifest summary on success, a reason on refusal."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        source = resolve_source(args.model, args.revision)
    except SourceUnavailable as exc:
        print(f"export refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED

    from apps.junior.tooling.export.onnx_export import ExportError, export_model

    try:
        manifest = export_model(source, args.out, quantize=args.quantize, opset=args.opset)
    except ExportError as exc:
        print(f"export refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    summary = {
        "out": str(args.out),
        "source": manifest["source"],
        "revision": manifest["source_revision"],
        "opset": manifest["opset"],
        "files": {name: entry["bytes"] for name, entry in manifest["files"].items()},
        "total_seconds": manifest["total_seconds"],
    }
    print(json.dumps(summary, indent=2))
    return 0
