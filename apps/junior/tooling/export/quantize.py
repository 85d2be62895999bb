"""int8 dynamic quantisation of an exported encoder with onnxruntime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Weights int8 per channel, activations quantised at run time (no calibration data needed).
QUANTIZATION = {
    "method": "onnxruntime.quantization.quantize_dynamic",
    "weight_type": "QInt8",
    "per_channel": True,
    "reduce_range": False,
}


def quantize_int8(fp32_path: Path, int8_path: Path) -> dict[str, Any]:
    """Write the int8 dynamic quantisation of ``fp32_path`` to ``int8_path``; return settings."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        fp32_path,
        int8_path,
        weight_type=QuantType.QInt8,
        per_channel=bool(QUANTIZATION["per_channel"]),
        reduce_range=bool(QUANTIZATION["reduce_range"]),
    )
    return dict(QUANTIZATION)
