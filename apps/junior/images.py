"""Upload bytes → a safe RGB array for OCR: format check, size limits, reduced decode, orientation.

Only the accepted formats' decoders are tried (``Image.open(formats=...)``): a fake EPS or
any other format costs nothing. Any decoder failure is the upload's fault (400), never a 500.
The JPEG is decoded at reduced scale (``draft``) and down-scaled before anything else, so a
12-megapixel photo never exists in memory at full size as RGB.
"""

from __future__ import annotations

import logging
import math
import warnings
from io import BytesIO

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

# Pillow format ids: MPO (multi-picture JPEG, some phones) comes through the JPEG opener;
# pillow-heif registers HEIC/HEIF photos as "HEIF".
OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
ALLOWED_FORMATS = frozenset({*OPEN_FORMATS, "HEIC", "MPO"})
ORIENTATION_TAG = 0x0112
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_heif_registered = False


class ImageRejected(ValueError):
    """The upload cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def register_heif() -> None:
    """Let Pillow open HEIC/HEIF photos (iPhones) through pillow-heif, once."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8), or 1 when absent or unreadable (then shown as stored)."""
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
        return int(value) if int(value) in TRANSPOSE else 1
    except Exception as exc:  # crafted EXIF (wrong types, bad offsets): keep the pixels unrotated
        log.info("EXIF orientation unreadable (%s): image kept as stored", type(exc).__name__)
        return 1


def draft_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size ``fit`` will produce: what a JPEG may be decoded at (draft keeps ≥ this)."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def decode_image(data: bytes, max_bytes: int, max_pixels: int, max_side: int) -> np.ndarray:
    """Validated, upright RGB uint8 array whose longest side is at most ``max_side``.

    Raises :class:`ImageRejected` (400 unsupported/corrupt/empty, 413 too large).
    """
    if not data:
        raise ImageRejected("Empty upload: send a JPEG, PNG, WebP or HEIC photo")
    if len(data) > max_bytes:
        raise ImageRejected(f"Image too large: {len(data)} bytes (limit {max_bytes})", 413)
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=OPEN_FORMATS)
            fmt = (image.format or "").upper()
            if fmt not in ALLOWED_FORMATS:
                raise ImageRejected(
                    f"Unsupported image format {fmt or 'unknown'}: send JPEG, PNG, WebP or HEIC"
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejected(
                    f"Image too large: {width}×{height} pixels (limit {max_pixels})", 413
                )
            if width < 8 or height < 8:
                raise ImageRejected(f"Image too small: {width}×{height} pixels")
            turn = orientation(image)
            image.draft("RGB", draft_size(image.size, max_side))  # JPEG: 1/2, 1/4, 1/8 scale
            image.load()
            small = fit(image if image.mode == "RGB" else image.convert("RGB"), max_side)
            if small is not image:
                image.close()  # the full-size buffer goes now, not at the next GC
            if turn in TRANSPOSE:
                small = small.transpose(TRANSPOSE[turn])
            return np.asarray(small)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"Image too large: {exc}", 413) from exc
    except MemoryError:
        raise
    except Exception as exc:  # any decoder failure (struct.error, RuntimeError from libheif…)
        log.info("undecodable upload: %s: %s", type(exc).__name__, exc)
        raise ImageRejected("Not a readable image (corrupt, truncated or not a photo)") from exc


def fit(image: Image.Image, max_side: int) -> Image.Image:
    """Downscale so the longest side is at most ``max_side`` (never upscale)."""
    if max(image.size) <= max_side:
        return image
    return image.resize(
        draft_size(image.size, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0
    )
