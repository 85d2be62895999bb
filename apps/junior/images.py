"""Upload bytes → a safe RGB array for OCR: format check, size limits, EXIF orientation, resize."""

from __future__ import annotations

import warnings
from io import BytesIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF", "HEIC", "MPO"})
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
            image: Image.Image = Image.open(BytesIO(data))
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
            image.draft("RGB", (max_side, max_side))  # JPEG: decode at reduced scale
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"Image too large: {exc}", 413) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageRejected("Not a readable image (corrupt, truncated or not a photo)") from exc
    return np.asarray(fit(image, max_side))


def fit(image: Image.Image, max_side: int) -> Image.Image:
    """Downscale so the longest side is at most ``max_side`` (never upscale)."""
    if max(image.size) <= max_side:
        return image
    scale = max_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)
