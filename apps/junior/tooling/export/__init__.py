"""CamemBERT-family → ONNX export for the Junior encoder (``python -m apps.junior.tooling.export``).

Heavy imports (torch, optimum) happen only inside :func:`export_model`, so the service can read
manifests without them.
"""

from apps.junior.tooling.export.manifest import MANIFEST_NAME, read_manifest, verify_manifest
from apps.junior.tooling.export.onnx_export import ExportError, export_model

__all__ = ["MANIFEST_NAME", "ExportError", "export_model", "read_manifest", "verify_manifest"]
