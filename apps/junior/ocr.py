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


def box_size(line: OcrLine) -> tuple[float, float]:
    """(width, height) of a line's box, along its first and second edges."""
    (x0, y0), (x1, y1), (x2, y2) = line.box[:3]
    return float(np.hypot(x1 - x0, y1 - y0)), float(np.hypot(x2 - x1, y2 - y1))


def runs_vertically(lines: list[OcrLine]) -> bool:
    """True when most text lines (3+ characters) are boxes taller than wide: a turned page."""
    sized = [box_size(line) for line in lines if len(line.text.strip()) >= 3]
    if not sized:
        return False
    tall = sum(1 for width, height in sized if height > 1.5 * width)
    return tall * 2 > len(sized)


def reading_quality(lines: list[OcrLine]) -> float:
    """Confidence-weighted count of recognised letters (higher = a better reading)."""
    return sum(line.score * sum(ch.isalpha() for ch in line.text) for line in lines)


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

    def read_page(self, rgb: np.ndarray) -> list[OcrLine]:
        """Lines of a page photo, turning it a quarter when its text runs vertically.

        A page photographed sideways without EXIF orientation gives tall text boxes: the page
        is read again turned 90° each way and the reading with the most confident text kept.
        Upright pages (the usual case) are read once.
        """
        lines = self.read(rgb)
        if not runs_vertically(lines):
            return lines
        best, best_quality = lines, reading_quality(lines)
        for quarter_turns in (1, 3):  # 90° counter-clockwise, then clockwise
            turned = self.read(np.ascontiguousarray(np.rot90(rgb, quarter_turns)))
            if (quality := reading_quality(turned)) > best_quality:
                best, best_quality = turned, quality
        return best

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
