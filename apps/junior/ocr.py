"""OCR with rapidocr's bundled PP-OCRv6 small detector and recogniser (onnxruntime, no download)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"


@dataclass(frozen=True)
class OcrLine:
    """One recognised text line: its text, score and box (4 corner points, pixels)."""

    text: str
    score: float
    box: tuple[tuple[float, float], ...]


def bundled_model_dir() -> Path:
    """Directory of the models shipped inside the rapidocr wheel."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class OcrEngine:
    """Text lines of an RGB image; model files are named explicitly so nothing is fetched."""

    def __init__(self, threads: int = 2, det_limit_side: int = 960, text_score: float = 0.5):
        from rapidocr import RapidOCR

        models = bundled_model_dir()
        for name in (DET_MODEL, REC_MODEL):
            if not (models / name).is_file():
                raise FileNotFoundError(f"rapidocr does not ship {name} in {models}")
        self.engine = RapidOCR(
            params={
                "Global.use_cls": False,
                "Global.log_level": "warning",
                "Global.text_score": text_score,
                "Global.max_side_len": 4000,
                "Det.model_path": str(models / DET_MODEL),
                "Det.limit_side_len": det_limit_side,
                "Det.limit_type": "max",
                "Rec.model_path": str(models / REC_MODEL),
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        # rapidocr keeps per-call state on the instance: one page at a time.
        self.lock = threading.Lock()

    def warm_up(self) -> None:
        """Run both models once on a small synthetic line, so the first page is not slow."""
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (320, 64), "white")
        ImageDraw.Draw(image).text((10, 20), "Il était une fois", fill="black")
        self.read(np.asarray(image))

    def read(self, rgb: np.ndarray) -> list[OcrLine]:
        """Recognised lines of an RGB uint8 array (unordered)."""
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        with self.lock:
            result: Any = self.engine(bgr, use_cls=False)
        if result.boxes is None or result.txts is None:
            return []
        scores = result.scores or (1.0,) * len(result.txts)
        return [
            OcrLine(str(text), float(score), tuple((float(x), float(y)) for x, y in box))
            for box, text, score in zip(result.boxes, result.txts, scores, strict=False)
            if str(text).strip()
        ]
